/**
 * Generated image data, the same for the same seed: a ten-class 32×32×3 set in the spirit of
 * CIFAR-10 (shapes and textures in random colours, positions and sizes, with noise) and a
 * two-class folder tree of PNG files for the directory loader.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LabelledImages } from './datasets';
import { writePng } from './png';
import { Random, seededRandom } from './random';

export const SHAPE_CLASSES = ['disk', 'ring', 'square', 'frame', 'triangle', 'cross', 'horizontal stripes', 'vertical stripes', 'diagonal stripes', 'checkerboard'];

/** Is point (u, v) (centred, in units of the shape's radius) inside shape `kind`? */
function inside(kind: number, u: number, v: number, period: number): boolean {
  const r = Math.hypot(u, v);
  const box = Math.max(Math.abs(u), Math.abs(v));
  switch (kind) {
    case 0: return r <= 1;
    case 1: return r <= 1 && r >= 0.6;
    case 2: return box <= 0.85;
    case 3: return box <= 0.9 && box >= 0.55;
    case 4: return v <= 0.8 && v >= -0.9 && Math.abs(u) <= (v + 0.9) * 0.6;
    case 5: return box <= 1 && (Math.abs(u) <= 0.28 || Math.abs(v) <= 0.28);
    case 6: return box <= 1 && Math.floor((v + 1) / period) % 2 === 0;
    case 7: return box <= 1 && Math.floor((u + 1) / period) % 2 === 0;
    case 8: return box <= 1 && Math.floor((u + v + 2) / (period * 1.2)) % 2 === 0;
    case 9: return box <= 1 && (Math.floor((u + 1) / period) + Math.floor((v + 1) / period)) % 2 === 0;
    default: throw new Error(`unknown shape ${kind}`);
  }
}

function randomColour(rng: Random): [number, number, number] {
  return [rng.next(), rng.next(), rng.next()];
}

/** Paint one shape of class `kind` into an RGB float image of side `size`. */
function paint(kind: number, size: number, rng: Random, noise: number, out: Float32Array, offset: number): void {
  const bg = randomColour(rng);
  let fg = randomColour(rng);
  // keep the shape visible: redraw the colour until it differs enough from the background
  for (let tries = 0; tries < 20 && Math.hypot(fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]) < 0.5; tries++) fg = randomColour(rng);
  const radius = size * rng.uniform(0.25, 0.42);
  const cx = size / 2 + rng.uniform(-1, 1) * (size / 2 - radius - 1);
  const cy = size / 2 + rng.uniform(-1, 1) * (size / 2 - radius - 1);
  const angle = kind >= 6 ? 0 : rng.uniform(-0.35, 0.35);
  const period = rng.uniform(0.3, 0.5);
  const cos = Math.cos(angle); const sin = Math.sin(angle);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = (x + 0.5 - cx) / radius; const dy = (y + 0.5 - cy) / radius;
      const u = cos * dx + sin * dy; const v = -sin * dx + cos * dy;
      const colour = inside(kind, u, v, period) ? fg : bg;
      const o = offset + (y * size + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.min(1, Math.max(0, colour[c] + noise * rng.normal()));
    }
  }
}

export interface ShapesOptions {
  /** Number of images. */
  n: number;
  seed?: number;
  /** Side length in pixels. Default 32. */
  size?: number;
  /** Standard deviation of per-pixel noise. Default 0.06. */
  noise?: number;
}

/**
 * A CIFAR-10-style set: `n` colour images (size×size×3, values in [0, 1]) of ten classes
 * (`SHAPE_CLASSES`), balanced, in shuffled order, deterministic from `seed`.
 *
 * ```ts
 * const train = shapes10({ n: 5000, seed: 1 });
 * const test = shapes10({ n: 1000, seed: 2 });
 * train.xs.shape; // [5000, 32, 32, 3]
 * ```
 */
export function shapes10(options: ShapesOptions): LabelledImages {
  const { n, seed = 0, size = 32, noise = 0.06 } = options;
  if (!Number.isInteger(n) || n < 1) throw new Error(`shapes10: n must be a positive integer, got ${n}.`);
  const rng = seededRandom(seed);
  const pixels = new Float32Array(n * size * size * 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    paint(labels[i], size, rng, noise, pixels, i * size * size * 3);
  }
  // shuffle images and labels together
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  const px = size * size * 3;
  const shuffledPixels = new Float32Array(pixels.length);
  const shuffledLabels = new Int32Array(n);
  order.forEach((from, to) => { shuffledPixels.set(pixels.subarray(from * px, (from + 1) * px), to * px); shuffledLabels[to] = labels[from]; });
  return { xs: tf.tensor4d(shuffledPixels, [n, size, size, 3]), labels: tf.tensor1d(shuffledLabels, 'int32'), classNames: SHAPE_CLASSES.slice() };
}

export interface ImageFolderOptions {
  /** Images per class in each split. Default { train: 200, validation: 50, test: 50 }. */
  perClass?: Record<string, number>;
  seed?: number;
  /** Side length in pixels. Default 64. */
  size?: number;
  /** Two class names, mapped to the generator's 'disk' and 'square' shapes. Default ['circles', 'squares']. */
  classes?: [string, string];
}

/**
 * Write a two-class image folder tree `<root>/<split>/<class>/<class>.<i>.png` (like Kaggle's
 * cats-vs-dogs layout) for {@link imageDirectoryDataset}. Returns the file count per split.
 *
 * ```ts
 * writeImageFolder('/tmp/shapes', { perClass: { train: 100, validation: 40 } });
 * ```
 */
export function writeImageFolder(root: string, options: ImageFolderOptions = {}): Record<string, number> {
  const { perClass = { train: 200, validation: 50, test: 50 }, seed = 0, size = 64, classes = ['circles', 'squares'] } = options;
  const rng = seededRandom(seed);
  const counts: Record<string, number> = {};
  const buf = new Float32Array(size * size * 3);
  for (const [split, count] of Object.entries(perClass)) {
    counts[split] = 0;
    classes.forEach((cls, k) => {
      const dir = join(root, split, cls);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        paint(k === 0 ? 0 : 2, size, rng, 0.08, buf, 0);
        writePng(join(dir, `${cls}.${i}.png`), { width: size, height: size, data: Uint8Array.from(buf, (v) => Math.round(v * 255)) });
        counts[split] += 1;
      }
    });
  }
  return counts;
}
