// Chapter 09's DCGAN under variations of its recipe, judged along the way: how the share of
// samples the judge labels with confidence >= 0.9 grows with training steps. One variant per
// process, so several can run side by side; each prints one JSON line per checkpoint.
//
//   node bench/notebooks/gan-sweep.js '{"name":"base"}'                      (the chapter's recipe)
//   node bench/notebooks/gan-sweep.js '{"name":"wideD","dW":2}'              (discriminator twice as wide)
//   node bench/notebooks/gan-sweep.js '{"name":"ema","ema":[0.99,0.998]}'    (also score weight-averaged generators)
//
// Options (defaults = chapter 09's `default` budget): C generator width 64, k kernel 4, dW
// discriminator width factor 1 (filters dW·C/4, dW·C/2), steps 1000, every 124 (checkpoint),
// smooth 0.9 (real label), momentum 0.99 (batch norm), drop 0.3, lrD/lrG 2e-4, data 8000,
// shift 0 (DiffAugment-style translation: when > 0, every image D sees, real or fake, is moved by up
// to `shift` pixels in each direction, the same random moves for real and fake, in 8 groups per batch).
// The backend is tsdl's automatic choice unless TSDL_BACKEND is set. Needs `npm run build`.
// Judges (chapter 05's CNN, 8 epochs, and chapter 09's earlier 3x3 CNN, 4 epochs) are trained
// once and kept in bench/notebooks/tmp/ (git-ignored), as are sample grids at every 248 steps.
// Collect the JSON lines of all runs in gan-sweep.jsonl, then write the table gan-sweep.md:
//   node bench/notebooks/gan-sweep.js --table
const fs = require('node:fs');
const path = require('node:path');
const tsdl = require('../../dist/lib/src/index.js');
const { tf } = tsdl;

const optionsArg = process.argv[2] && process.argv[2] !== '--table' ? process.argv[2] : '{}';
const cfg = {
  name: 'base', C: 64, k: 4, dW: 1, steps: 1000, every: 124, smooth: 0.9, momentum: 0.99, drop: 0.3,
  lrD: 2e-4, lrG: 2e-4, data: 8000, shift: 0, ema: [], trunc: [], ...JSON.parse(optionsArg),
};
const work = path.join(__dirname, 'tmp');
fs.mkdirSync(work, { recursive: true });

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
    tf.layers.dense({ inputShape: [100], units: 7 * 7 * C, useBias: false }), ...normAct(),
    tf.layers.reshape({ targetShape: [7, 7, C] }),
    tf.layers.conv2dTranspose({ filters: C / 2, kernelSize: k, strides: 1, padding: 'same', useBias: false }), ...normAct(),
    tf.layers.conv2dTranspose({ filters: C / 4, kernelSize: k, strides: 2, padding: 'same', useBias: false }), ...normAct(),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: k, strides: 2, padding: 'same', activation: 'tanh' }),
  ] });
}

function makeDiscriminator() {
  const { C, k, dW } = cfg;
  const block = (filters, extra) => [
    tf.layers.conv2d({ ...extra, filters, kernelSize: k, strides: 2, padding: 'same' }),
    tf.layers.leakyReLU({ alpha: 0.2 }),
    ...(cfg.drop ? [tf.layers.dropout({ rate: cfg.drop })] : []),
  ];
  return tf.sequential({ layers: [
    ...block((dW * C) / 4, { inputShape: [28, 28, 1] }), ...block((dW * C) / 2, {}),
    tf.layers.flatten(), tf.layers.dense({ units: 1 }),
  ] });
}

async function main() {
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
    weak: await judge('small', [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(), tf.layers.dense({ units: 10, activation: 'softmax' }),
    ], 4, mnist),
  };
  const real = tf.tidy(() => mnist.train.xs.slice(0, Math.min(cfg.data, mnist.train.xs.shape[0])).mul(2).sub(1));
  const batch = 128, N = real.shape[0];
  const g = makeGenerator(), d = makeDiscriminator();
  const emas = cfg.ema.map((beta) => { const m = makeGenerator(); m.setWeights(g.getWeights()); return { beta, m }; });
  const gOpt = tf.train.adam(cfg.lrG, 0.5), dOpt = tf.train.adam(cfg.lrD, 0.5);
  const vars = (m) => m.trainableWeights.map((w) => w.read());
  const [dVars, gVars] = [vars(d), vars(g)];
  const bce = (target, logits) => tf.losses.sigmoidCrossEntropy(tf.onesLike(logits).mul(target), logits);
  // Differentiable translation (pad, then crop at a random offset per group of the batch): D never
  // sees the same real digit twice in the same place, and the generator's gradient passes through.
  const groups = 8;
  const randomShifts = () => Array.from({ length: groups }, () => [0, 1].map(() => Math.floor(Math.random() * (2 * cfg.shift + 1))));
  const translate = (images, shifts) => {
    if (!cfg.shift) return images;
    const p = cfg.shift, n = images.shape[0] / groups;
    const padded = tf.pad(images, [[0, 0], [p, p], [p, p], [0, 0]]);
    return tf.concat(shifts.map(([dy, dx], i) => tf.slice(padded, [i * n, dy, dx, 0], [n, 28, 28, 1])));
  };
  const step = (realBatch) => tf.tidy(() => {
    const z = tf.randomNormal([batch, 100]);
    const fake = g.apply(z, { training: true });
    const shifts = randomShifts();
    dOpt.minimize(() => tf.add(bce(cfg.smooth, d.apply(translate(realBatch, shifts), { training: true })),
      bce(0, d.apply(translate(fake, shifts), { training: true }))), false, dVars);
    gOpt.minimize(() => bce(1, d.apply(translate(g.apply(z, { training: true }), randomShifts()), { training: true })), false, gVars);
  });
  const updateEmas = () => tf.tidy(() => {
    for (const { beta, m } of emas) {
      m.weights.forEach((w, i) => {
        const v = g.weights[i].read();
        w.write(g.weights[i].trainable ? w.read().mul(beta).add(v.mul(1 - beta)) : v.clone());
      });
    }
  });
  const fixed = tf.randomNormal([100, 100], 0, 1, 'float32', 9);
  // Per judge, the share labelled with confidence >= 0.9; `digits`: how many of the ten digits the
  // strong judge sees confidently at least once (a check that a higher share is not fewer kinds).
  const confident = (images) => {
    const out = Object.fromEntries(Object.entries(judges).map(([name, j]) =>
      [name, tf.tidy(() => j.predict(images.add(1).div(2)).max(1).greaterEqual(0.9).mean().dataSync()[0])]));
    out.digits = tf.tidy(() => {
      const p = judges.strong.predict(images.add(1).div(2));
      const sure = p.max(1).greaterEqual(0.9).dataSync(), label = p.argMax(1).dataSync();
      return new Set(Array.from(label).filter((_, i) => sure[i])).size;
    });
    return out;
  };
  const saveGrid = (images, label) => fs.writeFileSync(path.join(work, `${cfg.name}-${label}.png`),
    Buffer.from(tsdl.imageGrid(images, { columns: 10 })[Symbol.for('Jupyter.display')]()['image/png'], 'base64'));
  const started = Date.now();
  const checkpoint = (s) => {
    const row = { name: cfg.name, backend, step: s, seconds: Math.round((Date.now() - started) / 1000) };
    const score = (model, key, noise = fixed, training = false) => {
      // Inference mode (batch norm's moving statistics), as the chapter samples, unless `training`.
      const images = tf.tidy(() => (training ? model.apply(noise, { training: true }) : model.predict(noise)));
      const c = confident(images);
      row[key] = { ch05: c.strong, small: c.weak, digits: c.digits };
      if (s % 248 === 0) saveGrid(images, `${key}-${s}`);
      images.dispose();
    };
    score(g, 'generator');
    for (const { beta, m } of emas) score(m, `ema${beta}`);
    for (const t of cfg.trunc) tf.tidy(() => score(g, `trunc${t}`, fixed.mul(t)));
    if (cfg.trainMode) score(g, 'trainMode', fixed, true);
    console.log(JSON.stringify(row));
  };
  let s = 0;
  while (s < cfg.steps) {
    const order = tf.util.createShuffledIndices(N);
    for (let b = 0; b + batch <= N && s < cfg.steps; b += batch) {
      const idx = tf.tensor1d(Int32Array.from(order.subarray(b, b + batch)), 'int32');
      const realBatch = tf.gather(real, idx);
      step(realBatch);
      tf.dispose([idx, realBatch]);
      s++;
      updateEmas();
      if (s % cfg.every === 0 || s === cfg.steps) checkpoint(s);
    }
  }
}

/** gan-sweep.md from gan-sweep.jsonl: each run's share at every 248 steps and at its end. */
function writeTable() {
  const lines = fs.readFileSync(path.join(__dirname, 'gan-sweep.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const judges = lines.filter((l) => l.judge);
  const rows = lines.filter((l) => l.step);
  const names = [...new Set(rows.map((r) => r.name))];
  const pct = (x) => (x === undefined ? '' : `${Math.round(100 * x)}%`);
  const out = [
    '# Chapter 09 DCGAN: what more steps and the usual remedies give',
    '',
    'Written by `node bench/notebooks/gan-sweep.js --table` from the runs in `gan-sweep.jsonl`. Each cell: the share',
    'of 100 samples from fixed noise that chapter 05\'s CNN (the chapter\'s judge) labels with confidence ≥ 0.9,',
    'sampled as the chapter does (inference mode). `ema0.99`: the same run sampled from a running average',
    'of the generator\'s weights (β = 0.99). `trunc0.8`: the same generator fed the fixed noise times 0.8 (the',
    '"truncation trick", which trades variety for fidelity in large GANs; here it lowers the share). `trainMode`:',
    'sampled with the batch\'s own normalization statistics instead of the moving averages. The JSON lines also',
    'count how many of the ten digits appear among the confident samples (`digits`).',
    'Runs went side by side on 2 shared cores, so seconds are not speeds.',
    '',
    ...judges.map((j) => `Judge \`${j.judge}\`: test accuracy ${pct(j.testAccuracy)}, confident on ${pct(j.realConfident)} of real test digits.`),
    '',
  ];
  // every 248 steps up to 2,480, then every 992 (long runs would make the table too wide to read)
  const steps = [...new Set(rows.map((r) => r.step))].filter((s) => (s <= 2480 ? s % 248 === 0 : s % 992 === 0)).sort((a, b) => a - b);
  out.push(`| run | backend | ${steps.map((s) => `${s} steps`).join(' | ')} | best |`, `|---|---|${steps.map(() => '---:').join('|')}|---:|`);
  for (const name of names) {
    const mine = rows.filter((r) => r.name === name);
    for (const key of Object.keys(mine[0]).filter((k) => k === 'generator' || k.startsWith('ema') || k.startsWith('trunc') || k === 'trainMode')) {
      const at = (s) => mine.find((r) => r.step === s)?.[key]?.ch05;
      const best = Math.max(...mine.map((r) => r[key].ch05));
      out.push(`| ${name}${key === 'generator' ? '' : ` (${key})`} | ${mine[0].backend} | ${steps.map((s) => pct(at(s))).join(' | ')} | ${pct(best)} |`);
    }
  }
  out.push('', 'Options of each run (see the top of gan-sweep.js for the defaults, which are the chapter\'s):', '');
  for (const name of names) out.push(`- ${name}: \`${JSON.stringify(lines.find((l) => l.name === name && l.options)?.options ?? {})}\``);
  fs.writeFileSync(path.join(__dirname, 'gan-sweep.md'), `${out.join('\n')}\n`);
}

if (process.argv[2] === '--table') writeTable();
else main().catch((e) => { console.error(e); process.exit(1); });
