// One backend's measurements, printed as one JSON line. Run by run.js, one process per backend
// (the backend and its thread count are fixed per process).
//   node bench/backends/tfjs-bench.js <cpu|wasm|tensorflow> [threads]
require('./ts-hook');
const backendName = process.argv[2] || 'wasm';
const threads = Number(process.argv[3] || 1);
process.env.TSDL_BACKEND = backendName;
process.env.TSDL_WASM_THREADS = String(threads);
const tsdl = require('../../lib/src/backend/index.ts');
const { tf } = tsdl;
const models = require('./models.js');

// The plain-JS backend is ~100× slower, so it runs smaller samples; every result is normalised
// (GFLOP/s, or time extrapolated to the full workload) and records the sample it came from.
const SAMPLE = backendName === 'cpu'
  ? { convBatch: 2, cnnBatches: 1, cnnBatch: 16, ganSteps: 1, ganBatch: 16, reps: 1 }
  : { convBatch: 32, cnnBatches: 12, cnnBatch: 128, ganSteps: 6, ganBatch: 128, reps: 5 };

/** Fastest of `reps` runs after a warm-up: the least disturbed by other processes on the cores. */
function seconds(fn, reps) {
  fn(); // warm-up: kernel setup, XNNPACK operator creation
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const report = await tsdl.initBackend();
  if (report.name !== backendName) throw new Error(`asked for ${backendName}, got ${report.name}`);
  if (backendName === 'wasm' && report.threads !== threads) throw new Error(`asked for ${threads} wasm threads, got ${report.threads} (${report.threadsNote ?? 'no reason given'})`);
  const out = { backend: backendName, threads: report.threads ?? null, tfjs: report.tfjs, results: {} };

  // matMul 1024²
  {
    const a = tf.randomNormal([1024, 1024]), b = tf.randomNormal([1024, 1024]);
    // Braces matter: a tidy that returns dataSync()'s array walks all its elements looking for tensors.
    const s = seconds(() => tf.tidy(() => { tf.matMul(a, b).dataSync(); }), SAMPLE.reps);
    out.results.matmul1024 = { seconds: s, gflops: (2 * 1024 ** 3) / s / 1e9 };
  }
  // conv2d 3×3, 32→64 channels, 28×28, 'same': forward, and forward+backward (dx and dW)
  {
    const B = SAMPLE.convBatch;
    const x = tf.randomNormal([B, 28, 28, 32]), w = tf.randomNormal([3, 3, 32, 64]);
    const flops = 2 * B * 28 * 28 * 9 * 32 * 64;
    const fwd = seconds(() => tf.tidy(() => { tf.conv2d(x, w, 1, 'same').dataSync(); }), SAMPLE.reps);
    const grads = tf.grads((xx, ww) => tf.conv2d(xx, ww, 1, 'same').sum());
    const both = seconds(() => tf.tidy(() => { grads([x, w]).forEach((g) => g.dataSync()); }), SAMPLE.reps);
    out.results.conv2d = { batch: B, forwardGflops: flops / fwd / 1e9, forwardBackwardGflops: (3 * flops) / both / 1e9 };
  }
  // One epoch of a small MNIST CNN (60 000 images, batch 128), from a sample of batches
  {
    const model = models.mnistCnn(tf);
    const n = SAMPLE.cnnBatch;
    const xs = tf.randomNormal([n, 28, 28, 1]), ys = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32'), 10);
    await model.trainOnBatch(xs, ys);
    const times = [];
    for (let i = 0; i < SAMPLE.cnnBatches; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(xs, ys);
      times.push(performance.now() - t0);
    }
    const perImage = median(times) / 1000 / n;
    out.results.mnistCnnEpoch = { seconds: perImage * 60000, sampledImages: SAMPLE.cnnBatches * n };
  }
  // 100 training steps of the chapter-09 DCGAN (batch 128), from a sample of steps
  {
    const gan = models.dcgan(tf, { batch: SAMPLE.ganBatch });
    gan.step();
    const times = [];
    for (let i = 0; i < SAMPLE.ganSteps; i++) {
      const t0 = performance.now();
      gan.step();
      times.push(performance.now() - t0);
    }
    const perStep = (median(times) / 1000) * (128 / SAMPLE.ganBatch);
    out.results.dcgan100 = { seconds: perStep * 100, sampledSteps: SAMPLE.ganSteps, sampledBatch: SAMPLE.ganBatch };
  }
  out.numTensors = tf.memory().numTensors;
  console.log(JSON.stringify(out));
  process.exit(0);
}
main().catch((e) => { console.log(JSON.stringify({ backend: backendName, threads, error: String(e && e.message || e) })); process.exit(0); });
