/**
 * Small two-dimensional classification sets for watching a network learn: two interleaving
 * half-moons and two concentric circles (like scikit-learn's make_moons / make_circles). No
 * straight line separates their classes, so they show what a hidden layer buys; being 2-D they
 * can be drawn with {@link decisionBoundary}. The same seed gives the same points everywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../data/random';

/** Points and their classes (0 or 1), in shuffled order. */
export interface Points2D {
  /** [n, 2] float32: the points. */
  xs: tf.Tensor2D;
  /** [n, 1] float32: each point's class, 0 or 1, as a column (what a sigmoid output is compared with). */
  ys: tf.Tensor2D;
  /** The classes as plain numbers, for plots. */
  labels: number[];
  /** The points as plain [x1, x2] pairs, for plots and hand computations. */
  points: number[][];
}

export interface Toy2DOptions {
  /** Number of points (split evenly between the two classes, the odd one to class 0). */
  n: number;
  /** Standard deviation of Gaussian noise added to each coordinate. Default 0.1. */
  noise?: number;
  seed?: number;
}

function checkN(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 2) throw new Error(`${name}: n must be an integer of at least 2, got ${n}.`);
}

function build(raw: Array<[number, number, number]>, seed: number): Points2D {
  const rng = seededRandom(seed + 7919);
  for (let i = raw.length - 1; i > 0; i--) { const j = rng.int(i + 1); [raw[i], raw[j]] = [raw[j], raw[i]]; }
  const points = raw.map(([a, b]) => [a, b]);
  const labels = raw.map(([, , c]) => c);
  return { xs: tf.tensor2d(points, [raw.length, 2]), ys: tf.tensor2d(labels, [raw.length, 1]), labels, points };
}

/**
 * Two interleaving half-moons: class 0 the upper arc centred at (0, 0), class 1 the lower arc
 * centred at (1, 0.5); x₁ spans about [-1, 2], x₂ about [-0.5, 1].
 *
 * ```ts
 * const { xs, ys, labels, points } = twoMoons({ n: 400, noise: 0.15, seed: 1 });
 * xs.shape; // [400, 2]
 * ```
 */
export function twoMoons(options: Toy2DOptions): Points2D {
  const { n, noise = 0.1, seed = 0 } = options;
  checkN('twoMoons', n);
  const rng = seededRandom(seed);
  const n0 = Math.ceil(n / 2);
  const raw: Array<[number, number, number]> = [];
  for (let i = 0; i < n; i++) {
    const c = i < n0 ? 0 : 1;
    const t = Math.PI * (c === 0 ? i / Math.max(1, n0 - 1) : (i - n0) / Math.max(1, n - n0 - 1));
    const x = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    raw.push([x + noise * rng.normal(), y + noise * rng.normal(), c]);
  }
  return build(raw, seed);
}

/**
 * Two concentric circles: class 0 on the outer circle of radius 1, class 1 on the inner one of
 * radius `factor`.
 *
 * ```ts
 * const rings = circles({ n: 300, noise: 0.05, factor: 0.5 });
 * ```
 */
export function circles(options: Toy2DOptions & { factor?: number }): Points2D {
  const { n, noise = 0.1, seed = 0, factor = 0.5 } = options;
  checkN('circles', n);
  if (!(factor > 0 && factor < 1)) throw new Error(`circles: factor (inner radius / outer radius) must be in (0, 1), got ${factor}.`);
  const rng = seededRandom(seed);
  const n0 = Math.ceil(n / 2);
  const raw: Array<[number, number, number]> = [];
  for (let i = 0; i < n; i++) {
    const c = i < n0 ? 0 : 1;
    const t = (2 * Math.PI * (c === 0 ? i : i - n0)) / (c === 0 ? n0 : n - n0);
    const r = c === 0 ? 1 : factor;
    raw.push([r * Math.cos(t) + noise * rng.normal(), r * Math.sin(t) + noise * rng.normal(), c]);
  }
  return build(raw, seed);
}
