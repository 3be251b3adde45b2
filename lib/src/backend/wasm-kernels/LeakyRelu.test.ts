import * as tf from '@tensorflow/tfjs';
import { expectFiniteDifferenceGradient, expectSameAsCpu, pick, randInt, randomValues, rng, runOn, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('LeakyRelu on wasm', () => {
  test('matches the cpu backend on 30 random shapes and slopes (to float32 rounding of α·x)', async () => {
    const r = rng(21);
    for (let n = 0; n < 30; n++) {
      const shape = Array.from({ length: randInt(r, 0, 4) }, () => randInt(r, 1, 9));
      const alpha = pick(r, [0, 0.01, 0.2, 0.3, 1, 1.5, -0.5, r()]);
      await expectSameAsCpu('LeakyRelu', { x: { values: randomValues(r, shape), shape } }, { alpha }, `case ${n}: shape ${shape} alpha ${alpha}`, 1e-6);
    }
  });

  test('keeps special values as cpu does: ±0, ±Infinity, NaN, for positive and other slopes', async () => {
    const values = Float32Array.from([0, -0, Infinity, -Infinity, NaN, 3, -3]);
    for (const alpha of [0.25, 0, -0.5]) {
      const want = await runOn('cpu', 'LeakyRelu', { x: { values, shape: [7] } }, { alpha });
      const got = await runOn('wasm', 'LeakyRelu', { x: { values, shape: [7] } }, { alpha });
      expect(Array.from(got.values).map(String)).toEqual(Array.from(want.values).map(String));
    }
    await tf.setBackend('wasm');
  });

  test('takes int32 inputs through the original kernel (float32 out, as tfjs)', async () => {
    const values = Int32Array.from([-4, 0, 5]);
    const got = await runOn('wasm', 'LeakyRelu', { x: { values, shape: [3], dtype: 'int32' } }, { alpha: 0.5 });
    expect(Array.from(got.values)).toEqual([-2, 0, 5]);
  });

  test('leaks no wasm buffers', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomNormal([4, 5]);
    const before = backend.numDataIds();
    tf.leakyRelu(x, 0.2).dispose();
    expect(backend.numDataIds()).toBe(before);
    x.dispose();
  });

  test('its gradient agrees with finite differences', () => {
    const r = rng(22);
    const weights = tf.tensor(randomValues(r, [3, 4]), [3, 4]);
    const loss = (x: tf.Tensor) => tf.leakyRelu(x, 0.2).mul(weights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, { values: randomValues(r, [3, 4]), shape: [3, 4] }, r, 'leakyRelu gradient', { eps: 1e-3 });
  });
});
