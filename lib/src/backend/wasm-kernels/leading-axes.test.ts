import * as tf from '@tensorflow/tfjs';
import { expectSameAsCpu, pick, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';
import { leadingAxesSplit } from './leading-axes';

beforeAll(setupBackends);

describe('Sum and Mean over leading axes on wasm (one BatchMatMul)', () => {
  test('take the fast path only for leading axes with something left, and not for tiny tensors', () => {
    expect(leadingAxesSplit([128, 14, 14, 16], [0, 1, 2])).toEqual({ k: 3, rows: 128 * 14 * 14, cols: 16 });
    expect(leadingAxesSplit([128, 3136], 0)).toEqual({ k: 1, rows: 128, cols: 3136 });
    expect(leadingAxesSplit([128, 3136], [-2])).toEqual({ k: 1, rows: 128, cols: 3136 });
    expect(leadingAxesSplit([128, 14, 14, 16], [2, 1, 0])).toEqual({ k: 3, rows: 128 * 14 * 14, cols: 16 });
    expect(leadingAxesSplit([128, 14, 14, 16], [0, 2])).toBeNull();          // not a prefix
    expect(leadingAxesSplit([128, 14, 14, 16], [0, 1, 2, 3])).toBeNull();    // nothing left
    expect(leadingAxesSplit([128, 14, 14, 16], [3])).toBeNull();             // innermost: the backend's own
    expect(leadingAxesSplit([8, 8], [0])).toBeNull();                        // tiny
  });

  test('match the cpu backend on 30 random shapes, axes and keepDims', async () => {
    const r = rng(61);
    for (let n = 0; n < 30; n++) {
      const rank = randInt(r, 2, 4);
      const shape = Array.from({ length: rank }, () => randInt(r, 1, 40));
      shape[rank - 1] = randInt(r, 2, 33);
      shape[0] = randInt(r, 16, 130);
      const k = randInt(r, 1, rank - 1);
      const axis = Array.from({ length: k }, (_, i) => i);
      const keepDims = r() < 0.5;
      const kernel = pick(r, ['Sum', 'Mean'] as const);
      await expectSameAsCpu(kernel, { x: { values: randomValues(r, shape), shape } }, { axis, keepDims }, `case ${n}: ${kernel} of ${shape} over ${axis} keepDims ${keepDims}`, 1e-4);
    }
  });

  test('give the bias and batch-norm gradients of a conv layer as on cpu', async () => {
    const r = rng(62);
    const x = randomValues(r, [32, 14, 14, 16]);
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const input = tf.tensor4d(x, [32, 14, 14, 16]);
        const [g] = tf.grads((b: tf.Tensor) => tf.moments(tf.add(input, b), [0, 1, 2]).variance.sum())([tf.zeros([16])]);
        return { sum: tf.sum(input, [0, 1, 2]).arraySync() as number[], g: g.arraySync() as number[] };
      });
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    for (let i = 0; i < 16; i++) {
      expect(wasm.sum[i]).toBeCloseTo(cpu.sum[i], 2);
      expect(wasm.g[i]).toBeCloseTo(cpu.g[i], 4);
    }
  });

  test('leak no wasm buffers', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomNormal([64, 8, 8, 12]);
    const before = backend.numDataIds();
    tf.sum(x, [0, 1, 2]).dispose();
    tf.mean(x, [0, 1, 2], true).dispose();
    expect(backend.numDataIds()).toBe(before);
    x.dispose();
  });
});
