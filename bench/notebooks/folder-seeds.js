#!/usr/bin/env node
/**
 * Chapter 05's folder-of-images classifier (circles vs squares, default budget: 300 training and
 * 100 validation images a class at 64×64, widths 16/32/64/64, dense 64, Adam 2e-3, 10 epochs) run
 * outside the notebook with its weights seeded from SEED·100 + layer, to see how long it guesses
 * before it learns and where it ends. Prints one line per run: the validation accuracy after each
 * epoch. `npm run build` first.
 *
 *   node bench/notebooks/folder-seeds.js he 1     # the chapter's model (seed 1 = the chapter's 100)
 *   node bench/notebooks/folder-seeds.js bn 1     # the same with batch normalisation after each conv
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tsdl = require('../../dist/lib/src/index.js');

(async () => {
  const [variant = 'he', seedArg = '1'] = process.argv.slice(2);
  const seed = Number(seedArg);
  await tsdl.initBackend();
  const tf = tsdl.tf;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-seeds-'));
  tsdl.writeImageFolder(root, { perClass: { train: 300, validation: 100, test: 100 }, size: 96, seed: 5, classes: ['circles', 'squares'] });
  const side = 64;
  const opts = { targetSize: [side, side], batchSize: 20, classMode: 'binary', rescale: 1 / 255 };
  const val = tsdl.imageDirectoryDataset(path.join(root, 'validation'), { ...opts, shuffle: false });
  const aug = tsdl.augmentation({ flip: 'horizontal', crop: { padding: 4 }, jitter: { brightness: 0.1, contrast: 0.2, saturation: 0.2 }, noise: 0.02, seed: 1 });
  const train = tsdl.imageDirectoryDataset(path.join(root, 'train'), { ...opts, seed: 1, augment: aug });
  const m = tf.sequential();
  let k = 0;
  const he = () => ({ kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + k++ }) });
  m.add(tf.layers.rescaling({ inputShape: [side, side, 3], scale: 2, offset: -1 }));
  for (const f of [16, 32, 64, 64]) {
    if (variant === 'bn') {
      m.add(tf.layers.conv2d({ filters: f, kernelSize: 3, useBias: false, ...he() }));
      m.add(tf.layers.batchNormalization());
      m.add(tf.layers.reLU());
    } else {
      m.add(tf.layers.conv2d({ filters: f, kernelSize: 3, activation: 'relu', ...he() }));
    }
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 64, activation: 'relu', ...he() }));
  m.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + k++ }) }));
  m.compile({ optimizer: tf.train.adam(2e-3), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const t0 = Date.now();
  const h = await m.fitDataset(train.dataset, { epochs: 10, validationData: val.dataset, verbose: 0 });
  console.log(`${variant} seed ${seed}: validation accuracy by epoch ${h.history.val_acc.map((x) => x.toFixed(2)).join(' ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  fs.rmSync(root, { recursive: true, force: true });
})();
