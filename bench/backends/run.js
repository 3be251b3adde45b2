// Runs every backend's benchmark, each in its own process, then Keras on Python TensorFlow as
// the peer, and writes results.json and results.md here.
//   node bench/backends/run.js            (about 10 minutes on two cores)
//   node bench/backends/run.js --table    (results.md again from results.json, nothing run)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const here = __dirname;
const python = path.join(here, '.venv-tf', 'bin', 'python');
const LIMIT_MS = 8 * 60 * 1000;

function runJson(cmd, args, label) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: LIMIT_MS, cwd: path.join(here, '../..'), maxBuffer: 1 << 24 });
  const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return { backend: label, error: r.error ? String(r.error.message) : (r.stderr || '').trim().split('\n').slice(-3).join(' '), wallSeconds: (Date.now() - t0) / 1000 };
  return { ...JSON.parse(line), wallSeconds: (Date.now() - t0) / 1000 };
}

const saved = process.argv[2] === '--table' ? JSON.parse(fs.readFileSync(path.join(here, 'results.json'), 'utf8')) : undefined;
const { probeBackend } = (require('./ts-hook'), require('../../lib/src/backend/probe.ts'));
const { threadsText } = require('../../lib/src/backend/wasm-threads.ts');

/** Every backend's measurements, each in its own process, then Keras's. */
function measure() {
  const runs = [];
  const nativeAvailable = probeBackend({ ...process.env, TSDL_BACKEND: '' }).name === 'tensorflow';
  // WebAssembly at 1 thread and at one thread per core (what tsdl uses by default; at most 8).
  const cores = Math.min(os.availableParallelism(), 8);
  for (const [backend, threads] of [['wasm', 1], ...(cores > 1 ? [['wasm', cores]] : []), ['cpu', 1], ...(nativeAvailable ? [['tensorflow', 1]] : [])]) {
    console.log(`… ${backend}${backend === 'wasm' ? ` (${threadsText(threads)})` : ''}`);
    runs.push(runJson(process.execPath, [path.join(here, 'tfjs-bench.js'), backend, String(threads)], backend));
  }
  if (fs.existsSync(python)) {
    console.log('… keras');
    runs.push(runJson(python, [path.join(here, 'keras_bench.py')], 'keras'));
  } else {
    runs.push({ backend: 'keras', error: `no ${python}: python3 -m venv bench/backends/.venv-tf && bench/backends/.venv-tf/bin/pip install tensorflow-cpu==2.21.0` });
  }
  return runs;
}

const runs = saved ? saved.runs : measure();
const keras = runs.find((r) => r.backend === 'keras' && r.results);
const numpyGflops = keras?.results.numpyMatmul1024?.gflops;
const machine = saved ? saved.machine
  : { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverageAtEnd: os.loadavg().map((l) => +l.toFixed(2)), node: process.version, date: new Date().toISOString() };
if (!saved) fs.writeFileSync(path.join(here, 'results.json'), JSON.stringify({ machine, numpyMatmulGflops: numpyGflops, runs }, null, 2) + '\n');

const f = (x, d = 1) => (x == null || !Number.isFinite(x) ? '—' : x.toFixed(d));
/** Seconds of training: whole seconds, but a tenth below ten so short runs keep their precision. */
const secs = (x) => f(x, x != null && x < 10 ? 1 : 0);
const ratio = (x) => (numpyGflops && x ? `${f(x / numpyGflops, 3)}×` : '—');
const vsKeras = (s, key) => (keras && s ? `${f(s / keras.results[key].seconds, 2)}×` : '—');
const rows = runs.map((r) => {
  if (!r.results) return `| ${r.backend} | error: ${String(r.error).replace(/\|/g, '/').slice(0, 120)} | | | | | |`;
  const x = r.results;
  const name = r.backend + (r.threads ? ` (${threadsText(r.threads)})` : '');
  return `| ${name} | ${f(x.matmul1024.gflops)} (${ratio(x.matmul1024.gflops)}) | ${f(x.conv2d.forwardGflops)} (${ratio(x.conv2d.forwardGflops)}) | ${f(x.conv2d.forwardBackwardGflops)} (${ratio(x.conv2d.forwardBackwardGflops)}) | ${secs(x.mnistCnnEpoch.seconds)} s (${vsKeras(x.mnistCnnEpoch.seconds, 'mnistCnnEpoch')}) | ${secs(x.dcgan100.seconds)} s (${vsKeras(x.dcgan100.seconds, 'dcgan100')}) |`;
});
const eager = keras?.results.dcgan100Eager?.seconds;
const native = runs.find((r) => r.backend === 'tensorflow' && r.results)?.results.dcgan100.seconds;
const kerasEager = eager ? `Keras without \`tf.function\` (eager, op by op, as TensorFlow.js runs): 100 DCGAN steps ${f(eager, 1)} s, ${f(eager / keras.results.dcgan100.seconds, 2)}× its
graph's time${native ? `; native TensorFlow.js takes ${f(native / eager, 2)}× eager Keras's` : ''}.
` : '';
const md = `# Backend benchmark

${machine.cpus} × ${machine.model}, Node ${machine.node}, ${machine.date}; load average at the end ${machine.loadAverageAtEnd.join(' / ')}
(a load average near 2 or above means other jobs shared the two cores: treat differences under ~30% as noise then). numpy float32 matmul 1024²: **${f(numpyGflops)} GFLOP/s** — the ratios in parentheses are to that.

| backend | matMul 1024² GFLOP/s | conv2d fwd GFLOP/s | conv2d fwd+bwd GFLOP/s | MNIST CNN epoch (vs Keras) | DCGAN 100 steps (vs Keras) |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

${kerasEager}
conv2d: 3×3, 32→64 channels, 28×28, 'same' (batch 32; plain JS: batch 2). MNIST CNN: Conv32-Pool-Conv64-Pool-Dropout-Dense10,
60 000 random images, batch 128, time extrapolated from the median of sampled batches (plain JS: batches of 16). DCGAN: chapter 09's
widths at its \`default\` budget (C = 64; \`full\` uses 256) with 5×5 kernels (the chapter's are 4×4), batch 128, time extrapolated
from the median sampled step (plain JS: batch 16, scaled). Keras runs the full 100 steps in a tf.function. Timings are the fastest
(GFLOP/s) or median (training) of several runs.
`;
fs.writeFileSync(path.join(here, 'results.md'), md);
console.log(md);
