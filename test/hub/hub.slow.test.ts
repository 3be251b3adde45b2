/**
 * A class on a real JupyterHub (JupyterHub from PyPI, configurable-http-proxy from npm, the local
 * spawner): a teacher releases an assignment through nbgrader's exchange, three learners fetch it,
 * run it on the tsdl kernel through the hub and submit; the teacher collects, grades with
 * `tsdl grade` (autograde, then the written answers by hand) and returns feedback through the
 * exchange, which each learner fetches. The steps are driven by test/hub/class_on_hub.py through
 * the hub's and the servers' HTTP APIs, each person with their own token; this suite checks what
 * each of them would see.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');
const python = path.join(repo, '.venv', 'bin', 'python');
jest.setTimeout(20 * 60_000);

interface Seen {
  collected: string[];
  pending: string;
  gradebook: string;
  learners: Record<string, { listed: string[]; errorsBeforeAnswering: Record<string, string[]>; errorsAfterAnswering: Record<string, string[]>; feedback: string[] }>;
}

let seen: Seen;
let work: string;
beforeAll(() => {
  spawnSync(process.execPath, [path.join(repo, 'bin', 'tsdl.js'), 'install', '--sys-prefix', '--python', python], { cwd: repo, stdio: 'ignore' });
  work = mkdtempSync(path.join(os.tmpdir(), 'tsdl-hub-class-'));
  const run = spawnSync(python, [path.join(__dirname, 'class_on_hub.py'), work], { cwd: repo, encoding: 'utf8', timeout: 18 * 60_000, maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`class_on_hub.py failed (exit ${run.status}):\n${run.stderr.slice(-6000)}`);
  seen = JSON.parse(run.stdout) as Seen;
});
afterAll(() => work && rmSync(work, { recursive: true, force: true }));

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
const row = (who: string) => {
  const fields = (line: string) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
  const [header, ...rows] = seen.gradebook.trim().split('\n').map(fields);
  const r = rows.find((x) => x[1] === who)!;
  return Object.fromEntries(header.map((h, i) => [h, r[i]]));
};

it('learners fetch the released assignment and run it on the tsdl kernel through the hub', () => {
  for (const learner of ['ada', 'ben', 'cy']) {
    expect(seen.learners[learner].listed).toContain('ps1');
    // The stubs fail as released, with the stub's own message.
    expect(seen.learners[learner].errorsBeforeAnswering.test_relu.join('\n')).toMatch(/Not implemented yet/);
  }
  expect(Object.values(seen.learners.ada.errorsAfterAnswering).flat()).toEqual([]);
  expect(seen.learners.cy.errorsAfterAnswering.relu.join('\n')).toMatch(/TypeScriptError: In\[\d+\]:2:25: Expression expected/);
});

it('the teacher collects every submission and grades them with tsdl grade, written answers by hand', () => {
  expect(seen.collected).toEqual(['ada', 'ben', 'cy']);
  expect(seen.pending).toMatch(/ada why_relu \(0-1 points\):\n {4}Its gradient is 1/);
  expect(seen.pending).toMatch(/ben why_relu/);
  expect(row('ada')).toMatchObject({ assignment: 'ps1', score: '6', needs_manual_grade: 'false' });
  expect(row('ben')).toMatchObject({ score: '4', test_mean: '2', why_relu: '0' });
  expect(row('cy')).toMatchObject({ score: '3', test_relu: '0', test_mean: '3' });
  expect(row('ada').submitted_at).toMatch(/^\d{4}-\d\d-\d\dT/);
});

it('each learner fetches feedback that agrees with the gradebook and points at their own code', () => {
  const page = (who: string) => {
    expect(seen.learners[who].feedback).toHaveLength(1);
    return text(seen.learners[who].feedback[0]);
  };
  expect(page('ada')).toMatch(/6 \/ 6 points[\s\S]*Your teacher: Exactly: no saturation for positive inputs\./);
  expect(page('ben')).toMatch(/4 \/ 6 points[\s\S]*Write mean\(xs\)[\s\S]*Your teacher: Speed is not the reason/);
  expect(page('cy')).toMatch(/3 \/ 6 points[\s\S]*Write relu\(x\)[\s\S]*return Math\.max\(0, x \+\);[\s\S]*Line 2: Expression expected\./);
  for (const who of ['ada', 'ben', 'cy']) expect(page(who)).not.toMatch(/@ts-ignore|BEGIN HIDDEN|relu\(0\.25\)/);
});
