import * as tf from '@tensorflow/tfjs';
import { expectFiniteDifferenceGradient, expectSameAsCpu, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('UnsortedSegmentSum on wasm', () => {
  test('matches the cpu backend on random shapes, ids (some out of range) and both dtypes', async () => {
    const r = rng(6);
    for (let n = 0; n < 30; n++) {
      const idShape = [randInt(r, 1, 12)]; // tf.unsortedSegmentSum takes 1-D segment ids
      const rest = Array.from({ length: randInt(r, 0, 2) }, () => randInt(r, 1, 4));
      const xShape = [...idShape, ...rest];
      const numSegments = randInt(r, 1, 8);
      const ids = Int32Array.from({ length: idShape.reduce((a, b) => a * b, 1) }, () => randInt(r, -1, numSegments));
      const int = n % 4 === 1;
      const values = int ? Int32Array.from(randomValues(r, xShape), (v) => Math.round(v * 10)) : randomValues(r, xShape);
      await expectSameAsCpu(
        'UnsortedSegmentSum',
        { x: { values, shape: xShape, dtype: int ? 'int32' : 'float32' }, segmentIds: { values: ids, shape: idShape, dtype: 'int32' } },
        { numSegments },
        `case ${n}: x ${xShape} ids ${idShape} numSegments ${numSegments}`,
      );
    }
  });

  test('is the gradient of gather (an Embedding lookup): agrees with finite differences', () => {
    const r = rng(14);
    const ids = tf.tensor2d([[1, 3, 3], [0, 1, 4]], [2, 3], 'int32');
    const outWeights = tf.tensor3d(randomValues(r, [2, 3, 4]), [2, 3, 4]);
    const loss = (table: tf.Tensor) => tf.gather(table, ids).mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, { values: randomValues(r, [6, 4]), shape: [6, 4] }, r, 'gather gradient', { probes: 12 });
  });
});
