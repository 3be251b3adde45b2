import * as tf from '@tensorflow/tfjs';
import { expectSameAsCpu, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('Tile on wasm', () => {
  test('matches the cpu backend on random shapes, reps and dtypes', async () => {
    const r = rng(21);
    for (let n = 0; n < 40; n++) {
      const rank = randInt(r, 1, 4);
      const shape = Array.from({ length: rank }, () => randInt(r, 1, 4));
      const reps = Array.from({ length: rank }, () => randInt(r, 1, 3));
      const int = n % 3 === 1;
      const values = int ? Int32Array.from(randomValues(r, shape), (v) => Math.round(v * 10)) : randomValues(r, shape);
      await expectSameAsCpu('Tile', { x: { values, shape, dtype: int ? 'int32' : 'float32' } }, { reps }, `case ${n}: x ${shape} reps ${reps}`);
    }
  });

  test('tiles booleans and a batch-norm-like [1,1,1,C] term over a batch', async () => {
    await tf.setBackend('wasm');
    const b = tf.tile(tf.tensor1d([true, false], 'bool'), [3]);
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
    const c = tf.tile(tf.tensor4d([1, 2, 3], [1, 1, 1, 3]), [2, 2, 2, 1]);
    expect(c.shape).toEqual([2, 2, 2, 3]);
    expect(Array.from(c.dataSync())).toEqual(Array.from({ length: 8 }, () => [1, 2, 3]).flat());
  });
});
