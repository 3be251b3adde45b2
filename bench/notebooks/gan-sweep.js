// Chapter 09's DCGAN under variations of its recipe, judged along the way: how the share of
// samples the judge labels with confidence >= 0.9 grows with training steps, and what one step of
// each recipe costs in seconds. Three modes:
//
//   node bench/notebooks/gan-sweep.js '{"name":"b32","batch":32,"steps":4000}'   quality against steps
//   node bench/notebooks/gan-sweep.js --time '{"name":"b32","batch":32}'          seconds a step
//   node bench/notebooks/gan-sweep.js --table                                     gan-sweep.md + .svg
//
// Quality runs print one JSON line per checkpoint; they are counted in steps, not seconds, because
// this machine's 2 cores are shared with other work while they run (they may run under `nice`).
// Timing runs (never under `nice`) build the same networks, warm up for 10 steps, then time
// `repeats` blocks of `block` steps and print each block's seconds a step (and CPU seconds, all
// threads) with the load average at the start and end. Other processes can only make a block
// slower, so the table takes the fastest block of all timing runs with the same cost-relevant
// options; a quality checkpoint's seconds are its steps × that.
//
// Options (defaults = chapter 09's recipe before this sweep): C generator width 64, k kernel 4,
// dW discriminator width factor 1 (filters dW·C/4, dW·C/2), batch 128, steps 1000, every 124
// (checkpoint), smooth 0.9 (real label, bce only), momentum 0.99 (batch norm), drop 0.3, lrD/lrG
// 2e-4, beta1 0.5, data 8000, shift 0 (DiffAugment-style translation by up to `shift` pixels),
// loss 'bce' | 'hinge' | 'ls' (least squares), dSteps 1 (discriminator updates per generator
// update, each on a fresh real batch), sn false (spectral normalization of every discriminator
// weight, one power iteration a step), cond false (conditional GAN: G gets z and a one-hot class,
// D gets the image and ten one-hot planes; scored by whether the judge agrees with the class
// asked for), ema [] (also score running averages of G's weights).
// The backend is tsdl's automatic choice unless TSDL_BACKEND is set. Needs `npm run build`.
// Judges (chapter 05's CNN, 8 epochs, and chapter 09's earlier 3x3 CNN, 4 epochs) are trained
// once and kept in bench/notebooks/tmp/ (git-ignored), as are sample grids at checkpoints.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tsdl = require('../../dist/lib/src/index.js');
const { tf } = tsdl;

const mode = process.argv[2] === '--time' ? 'time' : process.argv[2] === '--table' ? 'table' : 'quality';
const optionsArg = (mode === 'time' ? process.argv[3] : mode === 'quality' ? process.argv[2] : undefined) ?? '{}';
const DEFAULTS = {
  name: 'base', C: 64, k: 4, dW: 1, batch: 128, steps: 1000, every: 124, smooth: 0.9, momentum: 0.99, drop: 0.3,
  lrD: 2e-4, lrG: 2e-4, beta1: 0.5, data: 8000, shift: 0, loss: 'bce', dSteps: 1, sn: false, cond: false,
  ema: [], trunc: [], block: 20, repeats: 6,
};
const cfg = { ...DEFAULTS, ...JSON.parse(optionsArg) };
const work = path.join(__dirname, 'tmp');
fs.mkdirSync(work, { recursive: true });
const zDim = 100;

/** Trains a judge unless it is saved already; prints its test accuracy and confident share once. */
async function judge(name, layers, epochs, { train, test }) {
  const dir = path.join(work, `judge-${name}`);
  if (fs.existsSync(path.join(dir, 'model.json'))) return tsdl.loadModel(dir);
  const optimizer = tf.train.adam(1e-3);
  const model = tf.sequential({ layers });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  for (let e = 0; e < epochs; e++) {
    // Chapter 05's recipe: a four times smaller step for the last two epochs.
    optimizer.learningRate = epochs > 2 && e >= epochs - 2 ? 2.5e-4 : 1e-3;
    await model.fit(train.xs, train.labels.cast('float32'), { epochs: 1, batchSize: 64, shuffle: true, verbose: 0 });
  }
  const [acc, conf] = tf.tidy(() => {
    const p = model.predict(test.xs);
    return [p.argMax(1).equal(test.labels).mean().dataSync()[0], p.max(1).greaterEqual(0.9).mean().dataSync()[0]];
  });
  console.log(JSON.stringify({ judge: name, testAccuracy: acc, realConfident: conf }));
  await tsdl.saveModel(model, dir);
  return model;
}

function makeGenerator() {
  const { C, k } = cfg;
  const normAct = () => [tf.layers.batchNormalization({ momentum: cfg.momentum }), tf.layers.leakyReLU({ alpha: 0.2 })];
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [zDim + (cfg.cond ? 10 : 0)], units: 7 * 7 * C, useBias: false }), ...normAct(),
    tf.layers.reshape({ targetShape: [7, 7, C] }),
    tf.layers.conv2dTranspose({ filters: C / 2, kernelSize: k, strides: 1, padding: 'same', useBias: false }), ...normAct(),
    tf.layers.conv2dTranspose({ filters: C / 4, kernelSize: k, strides: 2, padding: 'same', useBias: false }), ...normAct(),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: k, strides: 2, padding: 'same', activation: 'tanh' }),
  ] });
}

/**
 * The chapter's discriminator (two stride-2 convolutions with leaky ReLU and dropout, one dense
 * logit) written with plain variables, so that spectral normalization can divide each weight by
 * its largest singular value inside the differentiated function. Initialised as Keras layers are
 * (Glorot-uniform kernels, zero biases).
 */
function makeDiscriminator() {
  const { C, k, dW } = cfg;
  const inCh = cfg.cond ? 11 : 1;
  const f1 = (dW * C) / 4, f2 = (dW * C) / 2;
  const glorot = (shape, fanIn, fanOut) => tf.variable(tf.randomUniform(shape, -1, 1).mul(Math.sqrt(6 / (fanIn + fanOut))));
  const W = [
    glorot([k, k, inCh, f1], k * k * inCh, k * k * f1),
    glorot([k, k, f1, f2], k * k * f1, k * k * f2),
    glorot([7 * 7 * f2, 1], 7 * 7 * f2, 1),
  ];
  const b = [f1, f2, 1].map((n) => tf.variable(tf.zeros([n])));
  // Power iteration state: u (one vector per weight, outputs side), not trained.
  const u = W.map((w) => tf.variable(tf.randomNormal([w.shape.at(-1), 1]), false));
  let v = [];
  /** One power-iteration step per weight, outside any gradient tape (u and v are constants to it). */
  const powerIterate = () => {
    if (!cfg.sn) return;
    tf.dispose(v);
    v = W.map((w, i) => tf.tidy(() => {   // kept until the next call: the G step uses them too
      const m = w.reshape([-1, w.shape.at(-1)]);
      const vi = tf.matMul(m, u[i]);
      const vn = vi.div(tf.norm(vi).add(1e-12));
      const ui = tf.matMul(m, vn, true, false);
      u[i].assign(ui.div(tf.norm(ui).add(1e-12)));
      return vn;
    }));
  };
  /** w / σ(w), σ ≈ vᵀ W u from the latest power iteration (the SN-GAN paper's estimate). */
  const weight = (i) => {
    if (!cfg.sn) return W[i];
    const m = W[i].reshape([-1, W[i].shape.at(-1)]);
    const sigma = tf.sum(tf.mul(v[i], tf.matMul(m, u[i])));
    return W[i].div(sigma);
  };
  const act = (x, training) => {
    const y = tf.leakyRelu(x, 0.2);
    return training && cfg.drop ? tf.dropout(y, cfg.drop) : y;
  };
  const apply = (x, training = true) => {
    let h = act(tf.conv2d(x, weight(0), 2, 'same').add(b[0]), training);
    h = act(tf.conv2d(h, weight(1), 2, 'same').add(b[1]), training);
    return tf.matMul(h.reshape([h.shape[0], -1]), weight(2)).add(b[2]);
  };
  return { apply, powerIterate, variables: [...W, ...b] };
}

const oneHotPlanes = (labels) => tf.tidy(() => tf.oneHot(labels, 10).toFloat().reshape([-1, 1, 1, 10]).tile([1, 28, 28, 1]));

/** Both losses on D's logits; `real` and `fake` are [batch, 1]. */
function losses(kind) {
  const bce = (target, logits) => tf.losses.sigmoidCrossEntropy(tf.onesLike(logits).mul(target), logits);
  if (kind === 'bce') return { d: (r, f) => tf.add(bce(cfg.smooth, r), bce(0, f)), g: (f) => bce(1, f) };
  if (kind === 'hinge') return { d: (r, f) => tf.add(tf.relu(tf.sub(1, r)).mean(), tf.relu(tf.add(1, f)).mean()), g: (f) => f.mean().neg() };
  if (kind === 'ls') return { d: (r, f) => tf.add(tf.square(tf.sub(r, 1)).mean(), tf.square(f).mean()).mul(0.5), g: (f) => tf.square(tf.sub(f, 1)).mean().mul(0.5) };
  throw new Error(`loss must be bce, hinge or ls, got ${kind}`);
}

/** The networks, the optimizers and one training step (dSteps D updates, then one G update). */
function makeGan(mnist) {
  const real = tf.tidy(() => mnist.train.xs.slice(0, Math.min(cfg.data, mnist.train.xs.shape[0])).mul(2).sub(1));
  const realLabels = mnist.train.labels.slice(0, real.shape[0]);
  const g = makeGenerator(), d = makeDiscriminator();
  const emas = cfg.ema.map((beta) => { const m = makeGenerator(); m.setWeights(g.getWeights()); return { beta, m }; });
  const gOpt = tf.train.adam(cfg.lrG, cfg.beta1), dOpt = tf.train.adam(cfg.lrD, cfg.beta1);
  const gVars = g.trainableWeights.map((w) => w.read());
  const L = losses(cfg.loss);
  const { batch } = cfg, N = real.shape[0];
  // Differentiable translation (pad, then crop at a random offset per group of the batch).
  const groups = 8;
  const randomShifts = () => Array.from({ length: groups }, () => [0, 1].map(() => Math.floor(Math.random() * (2 * cfg.shift + 1))));
  const translate = (images, shifts) => {
    if (!cfg.shift) return images;
    const p = cfg.shift, n = images.shape[0] / groups;
    const padded = tf.pad(images, [[0, 0], [p, p], [p, p], [0, 0]]);
    return tf.concat(shifts.map(([dy, dx], i) => tf.slice(padded, [i * n, dy, dx, 0], [n, 28, 28, 1])));
  };
  const gIn = (z, labels) => (cfg.cond ? tf.concat([z, tf.oneHot(labels, 10).toFloat()], 1) : z);
  const dIn = (x, labels) => (cfg.cond ? tf.concat([x, oneHotPlanes(labels)], 3) : x);
  let order = tf.util.createShuffledIndices(N), at = 0;
  const nextBatch = () => {
    if (at + batch > N) { order = tf.util.createShuffledIndices(N); at = 0; }
    const idx = tf.tensor1d(Int32Array.from(order.subarray(at, at + batch)), 'int32');
    at += batch;
    const out = { x: tf.gather(real, idx), y: tf.gather(realLabels, idx) };
    idx.dispose();
    return out;
  };
  const step = () => {
    for (let i = 0; i < cfg.dSteps; i++) {
      const { x, y } = nextBatch();
      d.powerIterate();
      tf.tidy(() => {
        const z = tf.randomNormal([batch, zDim]);
        const fake = g.apply(gIn(z, y), { training: true });
        const shifts = randomShifts();
        dOpt.minimize(() => L.d(d.apply(dIn(translate(x, shifts), y)), d.apply(dIn(translate(fake, shifts), y))), false, d.variables);
      });
      tf.dispose([x, y]);
    }
    tf.tidy(() => {
      const z = tf.randomNormal([batch, zDim]);
      const y = tf.randomUniform([batch], 0, 10, 'int32');
      gOpt.minimize(() => L.g(d.apply(dIn(translate(g.apply(gIn(z, y), { training: true }), randomShifts()), y))), false, gVars);
    });
    // The chapter reads both losses back every step; a sync here makes each timed step complete.
    tf.tidy(() => gVars[0].sum().dataSync());
    tf.tidy(() => {
      for (const { beta, m } of emas) {
        m.weights.forEach((w, i) => {
          const val = g.weights[i].read();
          w.write(g.weights[i].trainable ? w.read().mul(beta).add(val.mul(1 - beta)) : val.clone());
        });
      }
    });
  };
  return { g, emas, step, gIn };
}

async function quality() {
  const backend = (await tsdl.initBackend()).name;
  console.log(JSON.stringify({ name: cfg.name, options: JSON.parse(optionsArg) }));
  const mnist = tsdl.loadMnist({ testSize: 2000 });
  const judges = {
    strong: await judge('ch05', [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ], 8, mnist),
  };
  const { g, emas, step, gIn } = makeGan(mnist);
  const fixed = tf.randomNormal([100, zDim], 0, 1, 'float32', 9);
  const asked = tf.tensor1d(Array.from({ length: 100 }, (_, i) => i % 10), 'int32');
  const askedArr = Array.from(asked.dataSync());
  // The share labelled with confidence >= 0.9; `digits`: how many of the ten digits appear among
  // the confident samples (a higher share must not mean fewer kinds); for a conditional GAN also
  // `agree`: confident AND the judge's digit is the one asked for.
  const verdict = (images) => tf.tidy(() => {
    const p = judges.strong.predict(images.add(1).div(2));
    const sure = p.max(1).greaterEqual(0.9).dataSync(), label = p.argMax(1).dataSync();
    const out = {
      ch05: sure.reduce((a, s) => a + s, 0) / sure.length,
      digits: new Set(Array.from(label).filter((_, i) => sure[i])).size,
    };
    if (cfg.cond) out.agree = Array.from(label).filter((l, i) => sure[i] && l === askedArr[i]).length / sure.length;
    return out;
  });
  const saveGrid = (images, label) => fs.writeFileSync(path.join(work, `${cfg.name}-${label}.png`),
    Buffer.from(tsdl.imageGrid(images, { columns: 10 })[Symbol.for('Jupyter.display')]()['image/png'], 'base64'));
  const started = Date.now();
  const checkpoint = (s) => {
    const row = { name: cfg.name, backend, batch: cfg.batch, step: s, seconds: Math.round((Date.now() - started) / 1000) };
    const score = (model, key, noise = fixed) => {
      const images = tf.tidy(() => model.predict(gIn(noise, asked)));   // inference mode, as the chapter samples
      row[key] = verdict(images);
      saveGrid(images, `${key}-${s}`);
      images.dispose();
    };
    score(g, 'generator');
    for (const { beta, m } of emas) score(m, `ema${beta}`);
    for (const t of cfg.trunc) tf.tidy(() => score(g, `trunc${t}`, fixed.mul(t)));
    console.log(JSON.stringify(row));
  };
  for (let s = 1; s <= cfg.steps; s++) {
    step();
    if (s % cfg.every === 0 || s === cfg.steps) checkpoint(s);
  }
}

async function timing() {
  const backend = (await tsdl.initBackend()).name;
  const mnist = tsdl.loadMnist({ testSize: 2000 });
  const { step } = makeGan(mnist);
  for (let i = 0; i < 10; i++) step();
  const blocks = [], cpu = [];
  const load0 = os.loadavg()[0];
  for (let r = 0; r < cfg.repeats; r++) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    for (let i = 0; i < cfg.block; i++) step();
    blocks.push(Number(process.hrtime.bigint() - t0) / 1e9 / cfg.block);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6 / cfg.block);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // CPU seconds (all threads) a step: much less disturbed by other processes than wall-clock time.
  console.log(JSON.stringify({
    timing: cfg.name, backend, options: JSON.parse(optionsArg), secondsPerStep: median(blocks),
    fastestBlock: Math.min(...blocks), cpuSecondsPerStep: +median(cpu).toFixed(4),
    blocks: blocks.map((x) => +x.toFixed(4)), loadavg: [load0, os.loadavg()[0]].map((x) => +x.toFixed(2)),
    cores: os.cpus().length, tensors: tf.memory().numTensors, at: new Date().toISOString(),
  }));
}

// ---------------------------------------------------------------------------------- the table

// Read off the runs below (kept next to them so a re-run that changes them shows in the diff).
const SUMMARY = [
  '- **Batch size, per step:** batches of 32 and 64 learn about as fast per step as the former 128: in',
  '  their first 1,000-1,500 steps all three wobble between about 25% and 45% (lines below; batch 128',
  '  is the earlier sweep\'s `base` and `base-long`, which only reach ~60% after 5,000-6,000 steps).',
  '- **Batch size, per second:** a step of 32 costs 0.166-0.175 CPU seconds, of 64 0.247-0.251, of 128',
  '  0.371-0.373 (two timing sessions), so in the same time batches of 32 take about twice as many',
  '  steps as batches of 128. Chapter 09 therefore trains on batches of 32.',
  '- **Longer:** batch 32 run to 5,000 steps (`b32-long`, ~830 CPU seconds) stays near 30-41% up to',
  '  4,250 steps and reaches 49-51% at 4,500-5,000; the batch-128 runs at about the same CPU seconds',
  '  (~2,230 steps) were at 43% and 53%. So per step, past ~1,500 steps, 128 pulls ahead, and per CPU',
  '  second the two end up within the checkpoints\' wobble of each other: the smaller batch buys steps,',
  '  not a different curve.',
  '- **Remedies, at batch 32 and 1,000 steps:** two time-scale learning rates (D 4e-4, G 1e-4),',
  '  the least-squares loss, the hinge loss with spectral normalization (and no dropout), and two',
  '  D updates per G update (best 34%): none is clearly above the plain recipe, whose checkpoints wobble by about',
  '  ±10 points. Each was run once, to 1,000 steps only: the machine allowed no more.',
  '- **The aim of 70%** was reached by no run here; the highest share measured is the batch-128',
  '  long run\'s 62% at 5,456 steps. Chapter 09\'s own `default` run (1,750 steps of 32) gave 40%.',
  '- **Conditional GAN** (D and G told the class): chapter 09\'s run has the judge confident and',
  '  naming the asked digit on 10% after 1,000 steps; the sweep\'s conditional run stopped at 250.',
  '- **Native TensorFlow** is not set up on this machine (`tsdl doctor`), and was not installed for',
  '  this sweep (a ~275 MB download and a build on the 2 shared cores), so every run here is on wasm;',
  '  the earlier sweep\'s runs (batch 128, below) were on native TensorFlow and are counted in steps.',
];

/** Options that change the cost of a step (a timing run stands for every run sharing them). */
const COST_KEYS = ['batch', 'C', 'k', 'dW', 'dSteps', 'sn', 'cond', 'shift', 'drop'];
const costKey = (options) => JSON.stringify(COST_KEYS.map((k) => options[k] ?? DEFAULTS[k]));

function writeTable() {
  const lines = fs.readFileSync(path.join(__dirname, 'gan-sweep.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const judges = lines.filter((l) => l.judge);
  const optionsOf = new Map(lines.filter((l) => l.options && l.name).map((l) => [l.name, l.options]));
  const rows = lines.filter((l) => l.step);
  const timings = lines.filter((l) => l.timing);
  const pct = (x) => (x === undefined ? '' : `${Math.round(100 * x)}%`);
  // This sweep's runs carry `batch` in every row; the earlier sweep's (batch 128 on native TensorFlow) do not.
  const newRows = rows.filter((r) => r.batch !== undefined), oldRows = rows.filter((r) => r.batch === undefined);
  const newNames = [...new Set(newRows.map((r) => r.name))];
  const wasmTimings = timings.filter((t) => t.backend === 'wasm');
  const secondsPerStep = (name) => {
    const same = wasmTimings.filter((t) => costKey(t.options) === costKey(optionsOf.get(name) ?? {}));
    const cpu = same.filter((t) => t.cpuSecondsPerStep).map((t) => t.cpuSecondsPerStep);
    if (!same.length) return undefined;
    return { wall: Math.min(...same.map((t) => Math.min(...t.blocks))), cpu: cpu.length ? Math.min(...cpu) : undefined };
  };
  const out = [
    '# Chapter 09 DCGAN: confident share against steps and seconds',
    '',
    'Written by `node bench/notebooks/gan-sweep.js --table` from the JSON lines in `gan-sweep.jsonl`.',
    'The share: of 100 samples from fixed noise, how many chapter 05\'s CNN (the chapter\'s judge) labels',
    'with confidence ≥ 0.9, sampled as the chapter does (inference mode). `digits`: how many of the ten',
    'digits appear among those confident samples. For a conditional GAN (`cond`), `agree`: confident and',
    'the judge\'s digit is the one the generator was asked for (ten of each digit).',
    '',
    '**How seconds are measured.** The quality runs are counted in **steps** (generator updates): they ran',
    'on 2 cores shared with other builds and tests, so their own clocks are not speeds. Each recipe\'s',
    '**seconds a step** come from separate timing runs (`--time`) on the chapter\'s backend (wasm, 2',
    'threads): 10 warm-up steps, then 3-12 blocks of 10-30 steps, with the 1-minute load average recorded at',
    'the start and end. Other processes can only slow a block down, so a recipe\'s seconds a step is the',
    'fastest block of all its timing runs (those with the same cost-relevant options: batch, widths,',
    'D:G ratio, SN, conditioning, dropout, shift; the loss and learning rates do not change the cost).',
    'The machine had 2 cores and loads of 2-20 during these timings, so even the fastest wall-clock',
    'blocks are slower than on an idle machine, and not consistently so (a batch of 64 once timed faster',
    'than one of 32). The **CPU seconds** a step (both threads, the median block) are much less disturbed',
    'by the load, so the plot and the seconds below are steps × CPU seconds a step. On an idle machine',
    'wall-clock time is less than that: docs/backends.md measured 100 steps of the batch-128 recipe in',
    '24.7-25.4 s on an idle machine, against 37 CPU seconds here (0.373 a step).',
    '',
    // The judges were trained again when their saved copies were gone: list each version once.
    ...new Set(judges.map((j) => `Judge \`${j.judge}\`: test accuracy ${pct(j.testAccuracy)}, confident on ${pct(j.realConfident)} of real test digits.`)),
    '',
    '![confident share against seconds](gan-sweep.svg)',
    '',
    '## What the runs say',
    '',
    ...SUMMARY,
    '',
    '## Seconds a step (wasm, 2 threads)',
    '',
    '| timing | options | s/step (fastest block) | s/step (median block) | CPU s/step | load at start, end |',
    '|---|---|---:|---:|---:|---|',
    ...wasmTimings.map((t) => `| ${t.timing} | \`${JSON.stringify(t.options)}\` | ${Math.min(...t.blocks).toFixed(3)} | ${t.secondsPerStep.toFixed(3)} | ${t.cpuSecondsPerStep?.toFixed(3) ?? ''} | ${t.loadavg.join(', ')} |`),
    '',
    '## Share against steps and seconds',
    '',
    'Each cell: step: share (`digits`), then steps × CPU seconds a step on wasm.',
    '',
  ];
  const traces = [];
  for (const name of newNames) {
    const mine = newRows.filter((r) => r.name === name);
    const sps = secondsPerStep(name);
    for (const key of Object.keys(mine[0]).filter((k) => k === 'generator' || k.startsWith('ema') || k.startsWith('trunc'))) {
      const label = `${name}${key === 'generator' ? '' : ` (${key})`}`;
      const metric = mine[0][key].agree !== undefined ? 'agree' : 'ch05';
      const cells = mine.map((r) => `${r.step}: ${pct(r[key][metric])} (${r[key].digits})${sps?.cpu ? ` ${Math.round(r.step * sps.cpu)} s` : ''}`);
      const best = mine.reduce((a, r) => (r[key][metric] > a[key][metric] ? r : a));
      const cost = sps ? `${sps.cpu?.toFixed(3) ?? '?'} CPU s, fastest ${sps.wall.toFixed(3)} s wall a step` : 'not timed';
      out.push(`- **${label}** (${metric}; ${cost}; best ${pct(best[key][metric])} at step ${best.step}): ${cells.join(' · ')}`);
      if (sps?.cpu) traces.push({ name: label, x: mine.map((r) => Math.round(r.step * sps.cpu)), y: mine.map((r) => 100 * r[key][metric]), mode: 'lines+markers', type: 'scatter' });
    }
  }
  // The earlier sweep's runs of the chapter's old recipe (batch 128) count steps the same way.
  for (const name of ['base-long']) {
    const mine = oldRows.filter((r) => r.name === name), sps = secondsPerStep(name);
    if (mine.length && sps?.cpu) traces.push({ name: `${name} (batch 128, earlier sweep)`, x: mine.map((r) => Math.round(r.step * sps.cpu)), y: mine.map((r) => 100 * r.generator.ch05), mode: 'lines+markers', type: 'scatter' });
  }
  out.push('', 'Options of each run (defaults at the top of gan-sweep.js):', '');
  for (const name of newNames) out.push(`- ${name}: \`${JSON.stringify(optionsOf.get(name) ?? {})}\``);
  fs.writeFileSync(path.join(__dirname, 'gan-sweep.svg'), tsdl.renderSvg(traces, {
    title: 'Chapter 09 GAN: confident share against training cost on wasm (steps × CPU seconds a step)',
    xaxis: { title: 'CPU seconds of training (wasm, both threads; wall-clock on an idle 2-core machine is less)' }, yaxis: { title: '% of 100 samples judged confidently', range: [0, 100] },
    width: 960, height: 560,
  }));

  // The earlier sweep: batch 128 on native TensorFlow, counted in steps.
  const oldNames = [...new Set(oldRows.map((r) => r.name))];
  out.push('', '## The earlier sweep: the chapter\'s batch of 128, in steps (native TensorFlow, side by side)', '',
    '`ema0.99`: sampled from a running average of the generator\'s weights (β = 0.99); `trunc0.8`: the fixed noise',
    'times 0.8 (the truncation trick); `trainMode`: sampled with the batch\'s own normalization statistics.', '');
  const steps = [...new Set(oldRows.map((r) => r.step))].filter((s) => (s <= 2480 ? s % 248 === 0 : s % 992 === 0)).sort((a, b) => a - b);
  out.push(`| run | ${steps.map((s) => `${s}`).join(' | ')} | best |`, `|---|${steps.map(() => '---:').join('|')}|---:|`);
  for (const name of oldNames) {
    const mine = oldRows.filter((r) => r.name === name);
    for (const key of Object.keys(mine[0]).filter((k) => k === 'generator' || k.startsWith('ema') || k.startsWith('trunc') || k === 'trainMode')) {
      const at = (s) => mine.find((r) => r.step === s)?.[key]?.ch05;
      const best = Math.max(...mine.map((r) => r[key].ch05));
      out.push(`| ${name}${key === 'generator' ? '' : ` (${key})`} | ${steps.map((s) => pct(at(s))).join(' | ')} | ${pct(best)} |`);
    }
  }
  out.push('', 'Options of each earlier run:', '');
  for (const name of oldNames) out.push(`- ${name}: \`${JSON.stringify(optionsOf.get(name) ?? {})}\``);
  fs.writeFileSync(path.join(__dirname, 'gan-sweep.md'), `${out.join('\n')}\n`);
}

if (mode === 'table') writeTable();
else (mode === 'time' ? timing() : quality()).catch((e) => { console.error(e); process.exit(1); });
