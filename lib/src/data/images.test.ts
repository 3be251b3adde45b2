import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adjustBrightness, adjustContrast, adjustSaturation, augmentation, colorJitter, gaussianNoise, randomCrop, randomFlip } from './augment';
import { imageDirectoryDataset } from './directory';
import { encodePng } from './png';
import { seededRandom } from './random';
import { shapes10, writeImageFolder } from './synthetic';
import { quietTf } from './test-helpers';

quietTf();



const round = (t: tf.Tensor) => (t.arraySync() as number[][][][]).flat(3).map((v) => Math.round(v * 1000) / 1000);

describe('augmentation ops (tf.image / Keras semantics)', () => {
  // tf.image docs' example: a 2×2 RGB image with values 1..12
  const x = tf.tensor4d([[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]]);

  it('adjustBrightness adds delta (tf.image.adjust_brightness docs)', () => {
    expect(round(adjustBrightness(x, 0.1))).toEqual([1.1, 2.1, 3.1, 4.1, 5.1, 6.1, 7.1, 8.1, 9.1, 10.1, 11.1, 12.1]);
  });
  it('adjustContrast scales around the per-channel mean (tf.image.adjust_contrast docs)', () => {
    expect(round(adjustContrast(x, 2))).toEqual([-3.5, -2.5, -1.5, 2.5, 3.5, 4.5, 8.5, 9.5, 10.5, 14.5, 15.5, 16.5]);
  });
  it('adjustSaturation scales HSV saturation (tf.image.adjust_saturation docs)', () => {
    expect(round(adjustSaturation(x, 0.5))).toEqual([2, 2.5, 3, 5, 5.5, 6, 8, 8.5, 9, 11, 11.5, 12]);
    // a factor too large saturates at S = 1: the minimum channel reaches 0
    expect(round(adjustSaturation(tf.tensor4d([[[[0.5, 0.75, 1]]]]), 10))).toEqual([0, 0.5, 1]);
  });

  it('randomFlip mirrors left–right like RandomFlip("horizontal")', () => {
    const img = tf.tensor4d([[[[1], [2]], [[3], [4]]]]);
    expect(round(randomFlip(img, { probability: 1 }))).toEqual([2, 1, 4, 3]);
    expect(round(randomFlip(img, { probability: 1, horizontal: false, vertical: true }))).toEqual([3, 4, 1, 2]);
    expect(round(randomFlip(img, { probability: 0 }))).toEqual([1, 2, 3, 4]);
    const batch = tf.tile(img, [64, 1, 1, 1]);
    const flipped = (randomFlip(batch, { rng: 3 }).arraySync() as number[][][][]).filter((im) => im[0][0][0] === 2).length;
    expect(flipped).toBeGreaterThan(16);
    expect(flipped).toBeLessThan(48);
  });

  it('randomCrop with padding cuts a window of the zero-padded image', () => {
    const img = tf.tensor4d([[[[1], [2]], [[3], [4]]]]);
    const crops = new Set<string>();
    for (let s = 0; s < 40; s++) crops.add(round(randomCrop(img, { padding: 1, rng: s })).join(','));
    // all 9 windows of the 4×4 padded image appear, e.g. top-left [0,0,0,1] and bottom-right [4,0,0,0]
    expect(crops.size).toBe(9);
    expect(crops).toContain('0,0,0,1');
    expect(crops).toContain('4,0,0,0');
    expect(crops).toContain('1,2,3,4');
    expect(randomCrop(tf.zeros([2, 8, 8, 3]) as tf.Tensor4D, { height: 5, width: 6, rng: 1 }).shape).toEqual([2, 5, 6, 3]);
    // In a batch, each image is cut from itself (image 0 holds 1s, image 1 holds 2s, padding 0s).
    const pair = tf.concat([tf.ones([1, 4, 4, 2]), tf.fill([1, 4, 4, 2], 2)]) as tf.Tensor4D;
    const cut = randomCrop(pair, { padding: 2, rng: 3 }).arraySync() as number[][][][];
    for (const [i, own] of [[0, 1], [1, 2]]) {
      const seen = new Set(cut[i].flat(2));
      expect(seen.has(own)).toBe(true);
      expect([...seen].every((v) => v === 0 || v === own)).toBe(true);
    }
  });

  it('colorJitter and gaussianNoise are reproducible from a seed and change the image', () => {
    const img = shapes10({ n: 4, seed: 5 }).xs;
    const a = colorJitter(img, { rng: 7 });
    expect(round(a)).toEqual(round(colorJitter(img, { rng: 7 })));
    expect(tf.max(a).arraySync()).toBeLessThanOrEqual(1);
    expect(tf.min(a).arraySync()).toBeGreaterThanOrEqual(0);
    expect(tf.sub(a, img).abs().mean().arraySync()).toBeGreaterThan(0.005);
    const noisy = gaussianNoise(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D, { stddev: 0.1, rng: 1 });
    const { mean, variance } = tf.moments(noisy);
    expect(Math.abs(mean.arraySync() as number)).toBeLessThan(0.01);
    expect(Math.sqrt(variance.arraySync() as number)).toBeCloseTo(0.1, 2);
    expect(augmentation({ flip: 'horizontal', crop: { padding: 2 }, jitter: {}, noise: 0.02, seed: 1 })(img).shape).toEqual([4, 32, 32, 3]);
  });

  it('explains a wrong rank', () => {
    expect(() => randomFlip(tf.zeros([2, 2, 1]) as unknown as tf.Tensor4D)).toThrow(/expected a batch.*expandDims/);
  });
});

describe('generated data', () => {
  it('shapes10 is balanced, in [0,1], and the same for the same seed', () => {
    const a = shapes10({ n: 50, seed: 1 });
    const b = shapes10({ n: 50, seed: 1 });
    expect(a.xs.shape).toEqual([50, 32, 32, 3]);
    expect(tf.equal(a.xs, b.xs).all().arraySync()).toBe(1);
    const counts = tf.bincount(a.labels, tf.tensor1d([], 'float32'), 10).arraySync();
    expect(counts).toEqual(new Array(10).fill(5));
    expect(tf.sub(a.xs, shapes10({ n: 50, seed: 2 }).xs).abs().mean().arraySync()).toBeGreaterThan(0.1);
  });
});

describe('imageDirectoryDataset (flow_from_directory)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tsdl-dir-'));
    writeImageFolder(root, { perClass: { train: 5, validation: 2 }, size: 16, seed: 3 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes classes from folder names and yields rescaled, resized batches', async () => {
    const dir = imageDirectoryDataset(join(root, 'train'), { targetSize: [8, 12], batchSize: 4, classMode: 'binary', rescale: 1 / 255, seed: 1 });
    expect(dir.classIndices).toEqual({ circles: 0, squares: 1 });
    expect(dir.samples).toBe(10);
    expect(dir.batchesPerEpoch).toBe(3);
    const batches = await dir.dataset.toArray();
    expect(batches.map((b) => b.xs.shape)).toEqual([[4, 8, 12, 3], [4, 8, 12, 3], [2, 8, 12, 3]]);
    expect(batches[2].ys.shape).toEqual([2, 1]);
    const all = tf.concat(batches.map((b) => b.xs));
    expect(tf.max(all).arraySync()).toBeLessThanOrEqual(1);
    const labels = batches.flatMap((b) => Array.from(b.ys.dataSync()));
    expect([...labels].sort()).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // shuffled with the seed: the same order again for the same seed, a new order next epoch
    const again = imageDirectoryDataset(join(root, 'train'), { targetSize: [8, 12], batchSize: 4, classMode: 'binary', seed: 1 });
    expect(Array.from(again.batch(0).ys.dataSync())).toEqual(Array.from(batches[0].ys.dataSync()));
    const epoch2 = (await dir.dataset.toArray()).flatMap((b) => Array.from(b.ys.dataSync()));
    expect(epoch2).toHaveLength(10);
  });

  it('splits each class like Keras: validation is the first files (sorted)', () => {
    const opts = { targetSize: [16, 16] as [number, number], validationSplit: 0.4, shuffle: false };
    const val = imageDirectoryDataset(join(root, 'train'), { ...opts, subset: 'validation' });
    const train = imageDirectoryDataset(join(root, 'train'), opts);
    expect(val.filenames).toEqual(['circles/circles.0.png', 'circles/circles.1.png', 'squares/squares.0.png', 'squares/squares.1.png']);
    expect(train.samples).toBe(6);
    expect(val.batch(0).ys.arraySync()).toEqual([[1, 0], [1, 0], [0, 1], [0, 1]]);
  });

  it('reads pixels exactly (nearest resize keeps values)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdl-px-'));
    try {
      mkdirSync(join(dir, 'a'));
      writeFileSync(join(dir, 'a', 'x.png'), encodePng(2, 1, Uint8Array.from([255, 0, 0, 0, 0, 255])));
      const d = imageDirectoryDataset(dir, { targetSize: [1, 2], classMode: 'sparse', shuffle: false });
      expect(d.batch(0).xs.arraySync()).toEqual([[[[255, 0, 0], [0, 0, 255]]]]);
      const up = imageDirectoryDataset(dir, { targetSize: [2, 4], shuffle: false, rescale: 1 / 255 });
      expect(round(up.batch(0).xs.slice([0, 1, 0, 0], [1, 1, 4, 1]))).toEqual([1, 1, 0, 0]);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('names the folder or file at fault and what to do', () => {
    expect(() => imageDirectoryDataset(join(root, 'nope'))).toThrow(/Image folder .*nope does not exist.*one subfolder per class/);
    const bad = mkdtempSync(join(tmpdir(), 'tsdl-bad-'));
    try {
      expect(() => imageDirectoryDataset(bad)).toThrow(/has no class subfolders/);
      mkdirSync(join(bad, 'cats'));
      writeFileSync(join(bad, 'cats', 'broken.png'), 'this is not an image');
      const d = imageDirectoryDataset(bad, { targetSize: [4, 4] });
      expect(() => d.batch(0)).toThrow(/Cannot decode image .*cats\/broken\.png: the file is not a PNG.*convert it .* or remove it/);
    } finally { rmSync(bad, { recursive: true, force: true }); }
  });
});

it('seededRandom is reproducible', () => {
  const a = seededRandom(42); const b = seededRandom(42);
  expect([a.next(), a.next(), a.normal()]).toEqual([b.next(), b.next(), b.normal()]);
});
