// Investigation of WebAssembly threads in Node 20 (see docs/backends.md). tfjs-backend-wasm 4.22
// refuses threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there) and, forced, starts its
// pthread workers from a blob: URL, which Node rejects (ERR_WORKER_PATH). This writes the worker
// to a real file and points the worker at the threaded factory on disk, then times matMul/conv2d.
//   node bench/backends/wasm-threads-probe.js <threads>
const path = require('path'), fs = require('fs'), os = require('os');
const tf = require('@tensorflow/tfjs');
const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
console.warn = () => {};
const threads = +process.argv[2] || 1;
(async () => {
  if (threads > 1) {
    const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    const factory = path.join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
    const { wasmWorkerContents } = require(path.join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'));
    const workerFile = path.join(os.tmpdir(), 'tsdl-wasm-worker.js');
    fs.writeFileSync(workerFile, `URL.createObjectURL = () => ${JSON.stringify(factory)}; URL.revokeObjectURL = () => {};\n` + wasmWorkerContents.replace(/\n/g, "\\n"));
    const orig = URL.createObjectURL;
    URL.createObjectURL = (obj) => (obj && obj.type === 'application/javascript' ? workerFile : orig(obj));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasmBackend.setThreadsCount(threads);
  }
  const t0 = performance.now();
  console.log('setBackend', await tf.setBackend('wasm'), 'threads', wasmBackend.getThreadsCount(), (performance.now() - t0).toFixed(0) + 'ms');
  const time = (name, flops, f) => { tf.dispose(f()); const t = performance.now(); const n = 5; for (let i = 0; i < n; i++) { const r = f(); r.dataSync(); r.dispose(); } const s = (performance.now() - t) / n / 1000; console.log(name, (s * 1000).toFixed(1) + 'ms', (flops / s / 1e9).toFixed(2), 'GFLOP/s'); };
  const a = tf.randomNormal([1024, 1024]), b = tf.randomNormal([1024, 1024]);
  time('mm1024', 2 * 1024 ** 3, () => tf.matMul(a, b));
  const x = tf.randomNormal([128, 14, 14, 32]), w = tf.randomNormal([5, 5, 32, 64]);
  time('conv2d fwd', 2 * 128 * 7 * 7 * 25 * 32 * 64, () => tf.conv2d(x, w, 2, 'same'));
  process.exit(0);
})().catch(e => { console.log('ERR', e); process.exit(1); });
