// The kernel's compile step alone, in this process: no ZeroMQ, no worker thread, no runtime, so
// its numbers move far less with the machine's load than bench/kernel/run.py's round trips. For
// work on the compiler: run it before and after a change.
//
//   npm run build && node bench/kernel/compile.js [--out DIR]
//
// Cells, as bench/kernel/run.py sends them: a fresh compiler warmed up as the kernel does (and, in
// a second process, also trained as the compiler thread does when the kernel is idle), then
// `1+1` again and again (a cell re-run unchanged), one-liners that differ (`2+1`, `3+1`, …: a new
// program and checker each), and 100-line cells (each also declares 98 names for later cells),
// whose first five are reported apart because the JIT is still cold for them. Each cell is
// compiled and committed as the kernel does. Writes compile-results.json and compile-results.md.
// The first ten differing one-liners are what bench/kernel/run.py's row of them sees.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { longCell } = require('./cells');

const ROOT = path.resolve(__dirname, '..', '..');
// As the compiler thread starts: V8 flags, then TypeScript from V8's code cache.
require(path.join(ROOT, 'dist/kernel/src/compiler/collect-garbage.js'));
require(path.join(ROOT, 'dist/kernel/src/compiler/typescript-code-cache.js'));
const { CellCompiler } = require(path.join(ROOT, 'dist/kernel/src/compiler/cell-compiler.js'));
const { trainingCells } = require(path.join(ROOT, 'dist/kernel/src/compiler/jit-training.js'));

const REPEATS = 200;
const LONG_COLD = 5;
const LONG_WARM = 25;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** One fresh compiler in this process: the times of every kind of cell. */
/** mode: 'plain' (TypeScript 6 right after its warm-up), 'train' (after the idle training), 'native' (TypeScript 7 and SWC, as the kernel starts them). */
function measure(mode) {
  const train = mode === 'train';
  const notebookDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-compile-bench-'));
  const compiler = new CellCompiler({
    notebookDir, kernelRoot: ROOT, moduleAliases: {},
    globalDeclarationFiles: [path.join(ROOT, 'dist/kernel/src/runtime/notebook-globals.d.ts')],
  });
  let index = 0;
  const time = (source) => {
    const start = performance.now();
    const cell = compiler.compile(source, index);
    if (!cell.ok) throw new Error(`the bench cell did not compile: ${JSON.stringify(cell.diagnostics)}`);
    compiler.commit(cell, index++);
    return performance.now() - start;
  };
  const warmStart = performance.now();
  if (mode === 'native') {
    // The compiler thread's warm-up when TypeScript 7 is there (compiler-worker.ts).
    if (!compiler.startNative()) throw new Error('TypeScript 7 did not start: npm install installs typescript-7');
    compiler.warmUp('0');
  } else {
    compiler.warmUp('export {};');     // the kernel's warm-up
  }
  const warmup = performance.now() - warmStart;
  const trainStart = performance.now();
  if (train) for (const cell of trainingCells()) compiler.warmUp(cell);     // what the worker does when idle
  const training = performance.now() - trainStart;
  const first = time('0');
  const same = Array.from({ length: REPEATS }, () => time('1+1'));
  const differing = Array.from({ length: REPEATS }, (_, i) => time(`${i + 2}+1`));
  const long = Array.from({ length: LONG_COLD + LONG_WARM }, (_, i) => time(longCell(`b${i}`)));
  compiler.close();
  fs.rmSync(notebookDir, { recursive: true, force: true });
  return {
    warmup, training, first,
    differing_first10_median: median(differing.slice(0, 10)),
    same_median: median(same), differing_median: median(differing),
    long_cold: long.slice(0, LONG_COLD), long_warm_median: median(long.slice(LONG_COLD)),
  };
}

function main() {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(measure(process.argv[3])));
    return;
  }
  const outArg = process.argv.indexOf('--out');
  const out = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : __dirname;
  // Each in a process of its own: what V8 has optimised cannot be forgotten within one.
  const run = (mode) => JSON.parse(execFileSync(process.execPath, [__filename, '--child', mode], { encoding: 'utf8' }));
  const results = {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    node: process.version,
    typescript: require(path.join(ROOT, 'node_modules/typescript/package.json')).version,
    cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
    ms: { afterWarmup: run('plain'), afterTraining: run('train'), native: run('native') },
  };
  const f = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
  const { afterWarmup: a, afterTraining: b, native: c } = results.ms;
  const md = [
    '# Compile step alone',
    '',
    `Produced by \`node bench/kernel/compile.js\` on ${results.date}: Node ${results.node}, TypeScript ${results.typescript}, ${results.cpu} (${results.cores} cores).`,
    'A compiler in a process of its own, each cell compiled and committed as the kernel does; no sockets, worker thread or runtime.',
    'First two columns: TypeScript 6 alone (`TSDL_NATIVE_CHECKER=0`), right after the warm-up (Run All on a fresh kernel),',
    'then after the compiler thread\'s idle training (kernel/src/compiler/jit-training.ts), which a kernel left idle for a',
    'moment after start-up has done. Last column: the native path (TypeScript 7 checks, SWC emits; see docs/kernel.md), right',
    'after its warm-up, which is TypeScript 7 loading the standard library and Node\'s types.',
    '',
    '| | TypeScript 6, right after warm-up | TypeScript 6, after idle training | native path, right after warm-up |',
    '|---|---|---|---|',
    `| warm-up (standard library and Node's types, as at kernel start) | ${f(a.warmup)} | ${f(b.warmup)} | ${f(c.warmup)} |`,
    `| idle training | | ${f(b.training)} | |`,
    `| first cell (\`0\`) | ${f(a.first)} | ${f(b.first)} | ${f(c.first)} |`,
    `| \`1+1\` again (median of ${REPEATS}) | ${f(a.same_median)} | ${f(b.same_median)} | ${f(c.same_median)} |`,
    `| one-liners that differ, first 10 (median) | ${f(a.differing_first10_median)} | ${f(b.differing_first10_median)} | ${f(c.differing_first10_median)} |`,
    `| one-liners that differ, all ${REPEATS} (median) | ${f(a.differing_median)} | ${f(b.differing_median)} | ${f(c.differing_median)} |`,
    `| 100-line cells, first ${LONG_COLD} | ${a.long_cold.map(f).join(', ')} | ${b.long_cold.map(f).join(', ')} | ${c.long_cold.map(f).join(', ')} |`,
    `| 100-line cells, next ${LONG_WARM} (median) | ${f(a.long_warm_median)} | ${f(b.long_warm_median)} | ${f(c.long_warm_median)} |`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'compile-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'compile-results.md'), md);
  process.stdout.write(md);
}

main();
