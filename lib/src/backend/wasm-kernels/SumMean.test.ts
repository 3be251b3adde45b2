import * as tf from '@tensorflow/tfjs';
import { expectSameAsCpu, randInt, randomValues, rng, runOn, setupBackends } from './__fixtures__/kernel-check';
import { leadingAxesSplit } from './SumMean';

beforeAll(setupBackends);

describe('Sum and Mean on wasm', () => {
  test('over leading axes, match the cpu backend on 40 random shapes, with and without keepDims', async () => {
    const r = rng(97);
    for (let n = 0; n < 40; n++) {
      const shape = Array.from({ length: randInt(r, 2, 4) }, () => randInt(r, 1, 13));
      const axis = Array.from({ length: randInt(r, 1, shape.length - 1) }, (_, i) => i);
      const kernel = n % 2 === 0 ? 'Sum' : 'Mean';
      await expectSameAsCpu(kernel, { x: { values: randomValues(r, shape), shape } }, { axis, keepDims: n % 4 < 2 }, `case ${n}: ${kernel} of ${shape} over ${axis}`, 1e-5);
    }
  });

  test("a DCGAN layer's batch statistics and bias gradient: [128, 14, 14, 16] to 16 channels", async () => {
    const r = rng(5);
    const shape = [128, 14, 14, 16];
    // offset values, as activations are: a float32 sum of 25,088 of them keeps ~6 digits
    const values = randomValues(r, shape).map((v) => v + 3);
    await expectSameAsCpu('Mean', { x: { values, shape } }, { axis: [0, 1, 2], keepDims: true }, 'Mean [128,14,14,16]', 1e-5);
    await expectSameAsCpu('Sum', { x: { values, shape } }, { axis: [2, 0, 1], keepDims: false }, 'Sum [128,14,14,16]', 1e-5);
  });

  test('other axes, reductions over every axis and int32 go through the original kernels', async () => {
    const r = rng(3);
    const shape = [4, 5, 6];
    for (const axis of [[1], [2], [0, 2], [1, 2], [0, 1, 2], null]) {
      await expectSameAsCpu('Sum', { x: { values: randomValues(r, shape), shape } }, { axis, keepDims: false }, `Sum over ${axis}`, 1e-5);
      await expectSameAsCpu('Mean', { x: { values: randomValues(r, shape), shape } }, { axis, keepDims: true }, `Mean over ${axis}`, 1e-5);
    }
    const ints = await runOn('wasm', 'Sum', { x: { values: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2], dtype: 'int32' } }, { axis: [0], keepDims: false });
    expect({ values: Array.from(ints.values), shape: ints.shape }).toEqual({ values: [9, 12], shape: [2] });
    await tf.setBackend('wasm');
  });

  test('leadingAxesSplit takes the first axes only, in any order, and never all of them', () => {
    expect(leadingAxesSplit([128, 14, 14, 16], [2, 0, 1])).toEqual({ reduced: 3, rows: 128 * 14 * 14, columns: 16 });
    expect(leadingAxesSplit([8, 3], [0])).toEqual({ reduced: 1, rows: 8, columns: 3 });
    expect(leadingAxesSplit([8, 3], [0, 1])).toBeUndefined();
    expect(leadingAxesSplit([8, 3, 2], [1])).toBeUndefined();
    expect(leadingAxesSplit([8, 3, 2], [0, 2])).toBeUndefined();
  });
});
