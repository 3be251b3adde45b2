/**
 * Measures the sandbox on this machine: which of the kernel's pieces work inside it, what it adds
 * to each submission's time, and the limits considered and not used (RLIMIT_AS, Node's permission
 * model). grader/README.md quotes its output.
 *
 *   npm run build && node dist/grader/src/sandbox/probe.js [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findKernelRoot } from '../../../kernel/src/server/environment';
import { autogradeSubmission } from '../autograde';
import { releaseNotebook } from '../release';
import { kernelRunner, type CellRunner, type StartRunner } from '../runner';
import { gradeId } from '../nbgrader';
import { parseNotebook, serializeNotebook } from '../notebook';
import { describeSandbox, requireSandbox, sandboxedKernel } from './sandbox';

/** The fixture assignment of the grader's tests, answered correctly (as __fixtures__/submissions.ts does). */
const FIXTURE = (root: string) => path.join(root, 'grader', 'src', '__fixtures__', 'ps1', 'ps1.ipynb');
const CORRECT: Record<string, string> = {
  relu: 'function relu(x: number): number {\n  return x > 0 ? x : 0;\n}',
  mean: 'function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}',
};

const text = (run: Awaited<ReturnType<CellRunner['run']>>) =>
  run.outputs.map((o) => (o.output_type === 'stream' ? o.text : o.output_type === 'execute_result' ? String(o.data['text/plain']) : o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : '')).join('').trim();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeIt<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const v = await f();
  return [v, Number(process.hrtime.bigint() - t) / 1e6];
}

/** Each piece of the kernel, tried inside a running kernel. */
async function pieces(start: StartRunner, scratch: string): Promise<[string, string][]> {
  const cwd = path.join(scratch, 'sub');
  mkdirSync(cwd, { recursive: true });
  const runner = await start({ cwd, root: scratch, env: {}, memoryLimitMb: 512, cpuSeconds: 600 });
  const rows: [string, string][] = [];
  const cell = async (label: string, code: string, timeoutMs = 120_000) => {
    const [run, ms] = await timeIt(() => runner.run(code, timeoutMs));
    rows.push([label, `${text(run).split('\n').slice(-1)[0].slice(0, 120)}${run.timedOut ? ' (timed out: interrupted)' : ''} — ${Math.round(ms)} ms`]);
    return run;
  };
  try {
    await cell('a cell (1 + 1)', '1 + 1');
    await cell('worker thread', 'import { Worker } from "node:worker_threads";\nawait new Promise((r) => { const w = new Worker("require(\'node:worker_threads\').parentPort.postMessage(\'worker ok\')", { eval: true }); w.on("message", r); w.on("error", (e) => r(String(e))); })');
    await cell('TensorFlow.js backend and wasm threads', 'import * as tsdl from "tsdl";\nconst report = await tsdl.initBackend();\n`${report.name}, ${report.threads ?? "-"} threads${report.threadsNote ? ": " + report.threadsNote : ""}`');
    await cell('a matMul on it', 'import * as tf from "@tensorflow/tfjs";\ntf.matMul(tf.ones([256, 256]), tf.ones([256, 256])).dataSync()[0]');
    await cell('TypeScript 7 child (native checker) running', 'import * as fs from "node:fs";\nconst tsc = fs.readdirSync("/proc").filter((p) => /^\\d+$/.test(p)).map((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, "utf8"); } catch { return ""; } }).filter((c) => c.includes("@typescript/typescript-"));\ntsc.length ? "yes: " + tsc.length + " process" : "no"');
    await cell('type error reported', 'const n: number = "text";');
    await cell('interrupt watchdog (while (true) {}, 3 s limit)', 'while (true) {}', 3000);
    await cell('kernel still answers after the interrupt', '"still here"');
    await cell('memory: 4 GiB of Buffers (outside the 512 MiB heap)', 'const hog: Buffer[] = [];\nfor (let i = 0; i < 64; i++) hog.push(Buffer.alloc(64 * 1024 * 1024, 1));\n`allocated ${hog.length * 64} MiB`');
    const after = await runner.run('"alive"', 60_000);
    rows.push(['… after it', after.kernelDied ? 'kernel restarted' : text(after)]);
  } finally {
    await runner.stop();
  }
  return rows;
}

/** Does the wasm backend start under RLIMIT_AS of this many GiB? */
function wasmUnderAddressLimit(gib: number, root: string): string {
  const script = `const tf = require(${JSON.stringify(path.join(root, 'node_modules/@tensorflow/tfjs'))}); require(${JSON.stringify(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm'))}); tf.setBackend('wasm').then((ok) => console.log(ok ? 'starts' : 'fails'), (e) => console.log('fails: ' + e.message.slice(0, 60)));`;
  const r = spawnSync('prlimit', [`--as=${gib * 1024 ** 3}`, process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
  const out = r.stdout.trim().split('\n').pop() ?? '';
  return out || `fails (${(r.stderr.match(/RangeError[^\n]*|Aborted[^\n]*|abort[^\n]*/i)?.[0] ?? `exit ${r.status}`).slice(0, 80)})`;
}

function permissionModel(root: string): string {
  const r = spawnSync(process.execPath, ['--experimental-permission', `--allow-fs-read=*`, '-e', `try { require(${JSON.stringify(path.join(root, 'node_modules/zeromq'))}); console.log('zeromq loads'); } catch (e) { console.log('zeromq refused: ' + e.message.split('\\n')[0]); }`], { encoding: 'utf8' });
  return r.stdout.trim();
}

/** What entering the sandbox alone costs: bwrap with the grader's mounts running /bin/true, against /bin/true. */
function bwrapStart(sandbox: ReturnType<typeof requireSandbox>, root: string, scratch: string): string {
  const cwd = path.join(scratch, 'sub');
  mkdirSync(cwd, { recursive: true });
  const { argv } = sandboxedKernel({ ...sandbox, prlimit: undefined }, { kernelRoot: root, root: scratch, cwd, env: {}, limits: { cpuSeconds: 60, maxFileBytes: 1e9 } });
  // Everything up to the kernel's command line, with /bin/true as the command.
  const bwrap = argv.slice(0, argv.indexOf(realpathSync(process.execPath))).map((a) => (a === '{connection_file}' ? '/dev/null' : a));
  const time = (cmd: string[]) => {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd[0], cmd.slice(1));
      if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return median(ms);
  };
  return `bwrap + /bin/true ${time([...bwrap, '/bin/true']).toFixed(1)} ms, /bin/true alone ${time(['/bin/true']).toFixed(1)} ms (median of 20)`;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const sandbox = requireSandbox();
  const root = findKernelRoot();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-probe-'));
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    process.stdout.write(line + '\n');
  };
  try {
    say(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Linux ${os.release()}, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`);
    for (const line of describeSandbox(sandbox)) say(`sandbox: ${line}`);
    say('\n| inside the sandbox | result |\n|---|---|');
    const sandboxed = kernelRunner(sandbox);
    for (const [label, result] of await pieces(sandboxed, mkdtempSync(path.join(tmp, 'pieces-')))) say(`| ${label} | ${result.replace(/\|/g, '\\|')} |`);

    {
      // RLIMIT_CPU: a kernel given 20 CPU seconds per process, and a cell that would spin for 120.
      const scratch = mkdtempSync(path.join(tmp, 'cpu-'));
      const cwd = path.join(scratch, 'sub');
      mkdirSync(cwd);
      const runner = await sandboxed({ cwd, root: scratch, env: {}, memoryLimitMb: 512, cpuSeconds: 20 });
      try {
        const [run, ms] = await timeIt(() => runner.run('const end = Date.now() + 120_000;\nwhile (Date.now() < end) {}\n"spun"', 180_000));
        const after = await runner.run('"alive"', 60_000);
        say(`\nCPU limit (RLIMIT_CPU 20 s per process, a cell spinning for 120 s): ${text(run).split('\n')[0].slice(0, 100)} after ${Math.round(ms / 1000)} s; then ${after.kernelDied ? 'the kernel was replaced' : text(after)}`);
      } finally {
        await runner.stop();
      }
    }

    const assignment = await releaseNotebook(parseNotebook(readFileSync(FIXTURE(root), 'utf8')));
    const dir = path.join(tmp, 'submitted', 'alice');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'ps1.ipynb');
    const answered = structuredClone(assignment.released);
    for (const cell of answered.cells) cell.source = CORRECT[gradeId(cell) ?? ''] ?? cell.source;
    writeFileSync(file, serializeNotebook(answered));
    const times: Record<string, number[]> = { 'no sandbox': [], sandbox: [] };
    for (let i = 0; i < runs; i++) {
      for (const [name, start] of [['no sandbox', kernelRunner(undefined)], ['sandbox', sandboxed]] as const) {
        const [{ result }, ms] = await timeIt(() => autogradeSubmission(assignment, { id: 'alice', file }, { startRunner: start }));
        if (result.score !== 5) throw new Error(`${name}: the correct submission scored ${result.score}: ${result.problem ?? JSON.stringify(result.cells)}`);
        times[name].push(ms);
      }
    }
    say(`\ngrading the fixture's correct submission (5 cells, kernel start to shutdown), median of ${runs}: no sandbox ${Math.round(median(times['no sandbox']))} ms, sandbox ${Math.round(median(times.sandbox))} ms (${times.sandbox.map((t) => Math.round(t)).join(', ')} / ${times['no sandbox'].map((t) => Math.round(t)).join(', ')})`);
    say(`\nentering the sandbox: ${bwrapStart(sandbox, root, mkdtempSync(path.join(tmp, 'start-')))}`);
    say(`\nRLIMIT_AS and the wasm backend: ${[4, 8, 16, 32].map((g) => `${g} GiB ${wasmUnderAddressLimit(g, root)}`).join('; ')}`);
    say(`Node's permission model (--experimental-permission): ${permissionModel(root)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
