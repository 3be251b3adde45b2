import * as tf from '@tensorflow/tfjs';
import { expectFiniteDifferenceGradient, expectSameAsCpu, pick, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('BatchMatMul on wasm with transposed operands', () => {
  test('matches the cpu backend for every transpose combination and broadcast batch', async () => {
    const r = rng(9);
    for (let n = 0; n < 40; n++) {
      const [m, k, p] = [randInt(r, 1, 40), randInt(r, 1, 40), randInt(r, 1, 40)];
      const transposeA = n % 2 === 1;
      const transposeB = n % 4 >= 2;
      const batch = pick(r, [[], [3], [2, 2]]);
      const batchB = batch.length && r() < 0.3 ? [] : batch;
      const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...batchB, ...(transposeB ? [p, k] : [k, p])];
      await expectSameAsCpu(
        'BatchMatMul',
        { a: { values: randomValues(r, aShape), shape: aShape }, b: { values: randomValues(r, bShape), shape: bShape } },
        { transposeA, transposeB },
        `case ${n}: a ${aShape} b ${bShape} transposeA ${transposeA} transposeB ${transposeB}`,
      );
    }
  });

  test('gives a Dense layer gradient that agrees with finite differences', () => {
    const r = rng(15);
    const x = tf.tensor2d(randomValues(r, [5, 3]), [5, 3]);
    const outWeights = tf.tensor2d(randomValues(r, [5, 4]), [5, 4]);
    const loss = (w: tf.Tensor) => tf.matMul(x, w as tf.Tensor2D).tanh().mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, { values: randomValues(r, [3, 4]), shape: [3, 4] }, r, 'dense gradient', { probes: 8 });
  });
});
