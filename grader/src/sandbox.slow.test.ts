/**
 * One batch of hostile submissions, graded in the sandbox on the real tsdl kernel (bubblewrap must
 * work here): each attack is blocked or flagged, and the learners it aimed at keep their scores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { autogradeBatch, type Submission } from './autograde';
import { gradeId } from './nbgrader';
import { parseNotebook, type Notebook } from './notebook';
import { releaseNotebook } from './release';
import type { SubmissionResult } from './results';
import { kernelRunner } from './runner';
import { requireSandbox } from './sandbox/sandbox';
import { CORRECT, FIXTURE_SOURCE, fillIn, readFixtureSource, toFile } from './__fixtures__/submissions';

jest.setTimeout(900_000);

let tmp: string;
beforeAll(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-sandbox-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A marker in the command line of every process a submission starts, to find any left over. */
const marker = `tsdl-leak-${randomBytes(4).toString('hex')}`;
const withCell = (source: string, at = 2) => (nb: Notebook) => nb.cells.splice(at, 0, { cell_type: 'code', source, metadata: {}, outputs: [] });
const setAnswer = (id: string, source: string) => (nb: Notebook) => {
  nb.cells.find((c) => gradeId(c) === id)!.source = source;
};
/** Imports go first in the cell; the attack is tried, and whether it worked printed. */
const attempt = (what: string, code: string) => {
  const imports = code.split('\n').filter((l) => l.startsWith('import ')).join('\n');
  const body = code.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
  return `${imports}\ntry {\n${body}\n  console.log(${JSON.stringify(what)}, "DONE");\n} catch (e) {\n  console.log(${JSON.stringify(what)}, "BLOCKED", (e as Error).message);\n}`;
};
const processesWith = (text: string) =>
  readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });

it('blocks or flags every attack, and leaves the other submissions\' scores alone', async () => {
  requireSandbox();
  const source = path.join(tmp, 'course', 'source', 'ps1.ipynb');
  mkdirSync(path.dirname(source), { recursive: true });
  writeFileSync(source, readFileSync(FIXTURE_SOURCE));
  const assignment = await releaseNotebook(readFixtureSource());
  const submitted = path.join(tmp, 'course', 'submitted');
  const victimFile = path.join(submitted, 'victim', 'ps1.ipynb');
  // Reached over loopback by a learner who had the host's network.
  const server = net.createServer((s) => s.end('hello'));
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  process.env.TSDL_TEST_SECRET = 'grader-secret-value';

  const correct = (edit?: (nb: Notebook) => void) => fillIn(assignment.released, CORRECT, edit);
  const cases: Record<string, Notebook> = {
    victim: correct(),
    readsSource: correct(withCell(attempt('source', `import * as fs from "node:fs";\nconsole.log(fs.readFileSync(${JSON.stringify(source)}, "utf8"));`))),
    rewritesVictim: correct(withCell(attempt('victim', `import * as fs from "node:fs";\nfs.writeFileSync(${JSON.stringify(victimFile)}, "{}");`))),
    // Leaves processes behind, then kills its own runtime: what comes next runs in a new sandbox, without them.
    detaches: correct((nb) => {
      withCell(attempt('detach', `import { spawn } from "node:child_process";\nspawn("/bin/sh", ["-c", "sleep 600 # ${marker}"], { detached: true, stdio: "ignore" }).unref();\nspawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "${marker}"], { detached: true, stdio: "ignore" }).unref();`))(nb);
      withCell('process.kill(process.pid, "SIGKILL");', 3)(nb);
      withCell(`import * as fs from "node:fs";\nconsole.log("LEFT", fs.readdirSync("/proc").filter((p) => /^\\d+$/.test(p)).filter((p) => { try { return fs.readFileSync(\`/proc/\${p}/cmdline\`, "utf8").includes("${marker}"); } catch { return false; } }).length);`, 4)(nb);
    }),
    patchesChecks: fillIn(assignment.released, { ...CORRECT, relu: 'function relu(x: number): number {\n  return x;\n}\n(check as any).close = () => {};\n(check as any).partialCredit = (p: number) => p;\nconst check = { close() {}, partialCredit: (p: number) => p };' }),
    symlinks: correct(withCell(attempt('symlink', `import * as fs from "node:fs";\nfs.symlinkSync(${JSON.stringify(source)}, "made-link");\nconsole.log(fs.readFileSync("made-link", "utf8").length);`))),
    linkInFolder: correct(withCell(attempt('folder link', 'import * as fs from "node:fs";\nconsole.log(fs.readFileSync("submitted-link", "utf8").length);'))),
    procAndEnv: correct(withCell([
      'import * as fs from "node:fs";',
      'const procs = fs.readdirSync("/proc").filter((d) => /^\\d+$/.test(d));',
      'console.log("PROCS", JSON.stringify(procs.map((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, "utf8"); } catch { return ""; } })));',
      'console.log("ENV", JSON.stringify(process.env));',
      attempt('write system', 'fs.writeFileSync("/usr/lib/owned", "x");'),
      attempt('write project', `fs.writeFileSync(${JSON.stringify(path.join(__dirname, 'owned.txt'))}, "x");`),
    ].join('\n'))),
    network: correct(withCell(`import * as net from "node:net";\nawait new Promise<void>((resolve) => { const s = net.connect(${port}, "127.0.0.1", () => { console.log("NET", "DONE"); s.destroy(); resolve(); }); s.on("error", (e) => { console.log("NET", "BLOCKED", e.message); resolve(); }); });`)),
    forks: correct(withCell(attempt('forks', `import { spawn } from "node:child_process";\nlet started = 0, refused = 0;\nfor (let i = 0; i < 800; i++) { try { const c = spawn("/bin/sh", ["-c", "sleep 600 # ${marker}"], { stdio: "ignore" }); c.on("error", () => refused++); started++; } catch { refused++; } }\nawait new Promise((r) => setTimeout(r, 2000));\nconsole.log("FORKS", started, refused);`))),
    // Wrong only where a hidden test looks (relu(0.25)): the learner is told no more than that.
    failsHidden: fillIn(assignment.released, { ...CORRECT, relu: 'function relu(x: number): number {\n  return x === 0.25 ? 0 : Math.max(0, x);\n}' }),
    prototypes: correct(setAnswer('mean', `${CORRECT.mean}\n(Object.prototype as any).tol = 1e9;\nError.prototype.toString = () => "fine";`)),
  };
  const submissions: Submission[] = [];
  const hashes = new Map<string, string>();
  for (const [id, nb] of Object.entries(cases)) {
    const dir = path.join(submitted, id);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'ps1.ipynb');
    writeFileSync(file, toFile(nb));
    hashes.set(file, createHash('md5').update(readFileSync(file)).digest('hex'));
    submissions.push({ id, file });
  }
  symlinkSync(source, path.join(submitted, 'linkInFolder', 'submitted-link'));
  const outDir = path.join(tmp, 'autograded');
  const results = await autogradeBatch(assignment, submissions, {
    startRunner: kernelRunner(requireSandbox()),
    outDir,
    jobs: 2,
    limits: { cellTimeoutMs: 60_000, totalTimeoutMs: 240_000, memoryLimitMb: 512, graceMs: 10_000 },
  });
  server.close();
  const by = Object.fromEntries(results.map((r) => [r.submission, r])) as Record<string, SubmissionResult>;
  const outputOf = (id: string) => {
    const nb = parseNotebook(readFileSync(path.join(outDir, id, 'ps1.ipynb'), 'utf8'));
    return nb.cells.flatMap((c) => c.outputs ?? []).map((o) => JSON.stringify(o)).join('\n');
  };

  for (const r of results) expect(r.status).toBe('graded');
  // Nobody's attack changed the victim's work or score; each attacker with correct answers keeps 5.
  for (const [file, hash] of hashes) expect(createHash('md5').update(readFileSync(file)).digest('hex')).toBe(hash);
  for (const id of ['victim', 'readsSource', 'rewritesVictim', 'detaches', 'symlinks', 'linkInFolder', 'procAndEnv', 'network', 'forks']) expect([id, by[id].score]).toEqual([id, 5]);

  expect(outputOf('readsSource')).toMatch(/source BLOCKED ENOENT/);
  expect(outputOf('readsSource')).not.toContain('BEGIN HIDDEN TESTS');
  expect(outputOf('rewritesVictim')).toMatch(/victim BLOCKED ENOENT/);
  expect(outputOf('symlinks')).toMatch(/symlink BLOCKED ENOENT/);
  expect(outputOf('linkInFolder')).toMatch(/folder link BLOCKED ENOENT/);
  const proc = outputOf('procAndEnv');
  expect(proc).not.toContain('jest');
  expect(proc).not.toContain('grader-secret-value');
  expect(proc).toMatch(/write system BLOCKED EROFS/);
  expect(proc).toMatch(/write project BLOCKED (EROFS|ENOENT)/);
  expect(outputOf('network')).toMatch(/NET BLOCKED/);
  expect(connections).toBe(0);
  expect(outputOf('detaches')).toMatch(/detach DONE/);
  expect(outputOf('detaches')).toMatch(/LEFT 0/);
  expect(processesWith(marker)).toEqual([]);

  // Checks patched or redefined in an answer cell change nothing: relu is wrong, and scores 0.
  expect(by.patchesChecks.cells.find((c) => c.gradeId === 'test_relu')).toMatchObject({ score: 0, status: 'failed' });
  // Built-ins changed: the tests after it are flagged and their points withheld.
  expect(by.prototypes.cells.find((c) => c.gradeId === 'test_mean')).toMatchObject({ score: 0, flag: 'tampered', reason: expect.stringMatching(/Object\.prototype gained tol/) });
  expect(by.failsHidden.cells.find((c) => c.gradeId === 'test_relu')).toMatchObject({ score: 0, reason: 'CheckError: a hidden test failed; its code and message stay private.' });
  expect(JSON.stringify(by.failsHidden)).not.toMatch(/relu\(0\.25\)|HIDDEN TESTS/);
  const forks = /FORKS (\d+) (\d+)/.exec(outputOf('forks'));
  // eslint-disable-next-line no-console
  console.log(`fork flood: ${forks?.[1]} started, ${forks?.[2]} refused; durations ${results.map((r) => `${r.submission} ${r.durationMs} ms`).join(', ')}`);
});
