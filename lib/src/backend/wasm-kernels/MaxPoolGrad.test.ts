import * as tf from '@tensorflow/tfjs';
import { expectFiniteDifferenceGradient, expectSameAsCpu, pick, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('MaxPoolGrad on wasm', () => {
  test('matches the cpu backend on 40 random shapes, windows, strides and paddings', async () => {
    const r = rng(31);
    for (let n = 0; n < 40; n++) {
      const filterSize: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const strides: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const shape: [number, number, number, number] = [randInt(r, 1, 3), randInt(r, 3, 9), randInt(r, 3, 9), randInt(r, 1, 4)];
      const pad = pick(r, ['same', 'valid'] as const);
      const x = randomValues(r, shape);
      await tf.setBackend('cpu');
      const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x, shape), filterSize, strides, pad));
      const output = { values: y.dataSync() as Float32Array, shape: y.shape };
      y.dispose();
      await expectSameAsCpu(
        'MaxPoolGrad',
        { dy: { values: randomValues(r, output.shape), shape: output.shape }, input: { values: x, shape }, output },
        { filterSize, strides, pad },
        `case ${n}: x ${shape} window ${filterSize} strides ${strides} pad ${pad}`,
      );
    }
  });

  test('2×2 windows with stride 2 (the unrolled path) match cpu, ties after a ReLU included', async () => {
    const r = rng(33);
    for (const [n, shape, pad] of [[0, [3, 8, 8, 5], 'valid'], [1, [2, 7, 9, 3], 'valid'], [2, [2, 6, 10, 4], 'same'], [3, [2, 7, 7, 2], 'same']] as const) {
      // half the inputs are 0, as after a ReLU: windows with several maxima route dy to the first
      const x = randomValues(r, [...shape]).map((v) => Math.max(0, v));
      await tf.setBackend('cpu');
      const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x, [...shape]), 2, 2, pad));
      const output = { values: y.dataSync() as Float32Array, shape: y.shape };
      y.dispose();
      await expectSameAsCpu('MaxPoolGrad', { dy: { values: randomValues(r, output.shape), shape: output.shape }, input: { values: x, shape: [...shape] }, output },
        { filterSize: 2, strides: 2, pad }, `case ${n}: x ${shape} pad ${pad}`, 0);
    }
  });

  test('is the gradient of maxPool where tfjs-backend-wasm 4.22 is not (x [1, 6, 6, 1], 2×2, stride 2)', () => {
    const r = rng(32);
    const outWeights = tf.tensor4d(randomValues(r, [1, 3, 3, 1]), [1, 3, 3, 1]);
    const x = tf.randomNormal([1, 6, 6, 1], 0, 1, 'float32', 3).dataSync() as Float32Array;
    const loss = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid').mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, { values: x, shape: [1, 6, 6, 1] }, r, 'maxPool gradient', { probes: 36, eps: 1e-3 });
  });
});
