import * as tf from '@tensorflow/tfjs';
import { expectSameAsCpu, randInt, randomValues, rng, runOn, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('Greater on wasm', () => {
  test('matches the cpu backend against scalars, same shapes and broadcasts, on 30 random cases', async () => {
    const r = rng(71);
    for (let n = 0; n < 30; n++) {
      const shape = Array.from({ length: randInt(r, 1, 4) }, () => randInt(r, 1, 9));
      const kind = n % 3;
      const bShape = kind === 0 ? [] : kind === 1 ? shape : [shape[shape.length - 1]];
      await expectSameAsCpu('Greater', { a: { values: randomValues(r, shape), shape }, b: { values: randomValues(r, bShape), shape: bShape } }, {}, `case ${n}: ${shape} > ${bShape}`, 0);
    }
  });

  test('NaN, ±Infinity and ±0 compare as in JavaScript', async () => {
    const values = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30]);
    const got = await runOn('wasm', 'Greater', { a: { values, shape: [7] }, b: { values: Float32Array.from([0]), shape: [] } }, {});
    expect(Array.from(got.values)).toEqual([0, 1, 0, 0, 0, 1, 0]);
    const same = await runOn('wasm', 'Greater', { a: { values, shape: [7] }, b: { values: values.slice().reverse(), shape: [7] } }, {});
    const cpu = await runOn('cpu', 'Greater', { a: { values, shape: [7] }, b: { values: values.slice().reverse(), shape: [7] } }, {});
    expect(Array.from(same.values)).toEqual(Array.from(cpu.values));
    await tf.setBackend('wasm');
  });

  test('int32 inputs go through the original kernel', async () => {
    const got = await runOn('wasm', 'Greater', { a: { values: Int32Array.from([1, 5, -2]), shape: [3], dtype: 'int32' }, b: { values: Int32Array.from([2]), shape: [], dtype: 'int32' } }, {});
    expect(Array.from(got.values)).toEqual([0, 1, 0]);
    await tf.setBackend('wasm');
  });
});
