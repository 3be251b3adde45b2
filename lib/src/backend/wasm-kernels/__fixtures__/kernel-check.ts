/**
 * Test helpers for tsdl's wasm kernels: run the same kernel on `wasm` (with tsdl's kernels
 * registered) and on plain-JS `cpu`, on reproducible random inputs, and compare.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '..';

/** Initialises both backends once per test file and registers tsdl's wasm kernels. */
export async function setupBackends(): Promise<void> {
  await tf.setBackend('cpu');
  const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse: boolean };
  cpu.firstUse = false;
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  registerWasmKernels(() => tf.engine().findBackend('cpu'));
}

/** A small seeded PRNG (mulberry32), so a failing case can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const randomValues = (r: () => number, shape: number[]) =>
  Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);

export interface Input {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/** Runs `kernelName` through the engine on `backend` and returns its values and shape. */
export async function runOn(
  backend: 'wasm' | 'cpu',
  kernelName: string,
  inputs: Record<string, Input>,
  attrs: object,
): Promise<{ values: Float32Array | Int32Array; shape: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) named[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
    const out = tf.engine().runKernel(kernelName, named, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { values: out.dataSync() as Float32Array | Int32Array, shape: out.shape };
  });
}

/** Largest |a − b| relative to max(1, |b|). */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

/** Compares `kernelName` on wasm with cpu: throws, naming `label`, when shapes differ or values differ by more than `tolerance`. */
export async function expectSameAsCpu(
  kernelName: string,
  inputs: Record<string, Input>,
  attrs: object,
  label: string,
  tolerance = 1e-4,
): Promise<void> {
  const want = await runOn('cpu', kernelName, inputs, attrs);
  const got = await runOn('wasm', kernelName, inputs, attrs);
  await tf.setBackend('wasm');
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
    throw new Error(`${label}: shape ${JSON.stringify(got.shape)} on wasm, ${JSON.stringify(want.shape)} on cpu`);
  }
  const err = maxRelError(got.values, want.values);
  if (!(err <= tolerance)) throw new Error(`${label}: max relative error ${err} > ${tolerance}`);
}

/**
 * Checks d(loss)/d(param) from tf.grad on wasm against central differences at a few
 * coordinates. `loss` must be a scalar function of the parameter.
 */
export function expectFiniteDifferenceGradient(
  loss: (p: tf.Tensor) => tf.Scalar,
  param: { values: Float32Array; shape: number[] },
  r: () => number,
  label: string,
  { probes = 6, eps = 1e-2, tolerance = 2e-2 } = {},
): void {
  tf.tidy(() => {
    const p = tf.tensor(param.values, param.shape);
    const grad = tf.grad(loss)(p).dataSync();
    for (let n = 0; n < probes; n++) {
      const i = Math.floor(r() * param.values.length);
      const plus = param.values.slice();
      const minus = param.values.slice();
      plus[i] += eps;
      minus[i] -= eps;
      const fd = (loss(tf.tensor(plus, param.shape)).dataSync()[0] - loss(tf.tensor(minus, param.shape)).dataSync()[0]) / (2 * eps);
      const err = Math.abs(fd - grad[i]) / Math.max(1, Math.abs(fd));
      if (!(err <= tolerance)) throw new Error(`${label}: d/dp[${i}] is ${grad[i]} by tf.grad, ${fd} by finite differences`);
    }
  });
}
