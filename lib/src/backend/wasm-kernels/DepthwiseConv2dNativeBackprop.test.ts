import * as tf from '@tensorflow/tfjs';
import { expectFiniteDifferenceGradient, expectSameAsCpu, maxRelError, pick, randInt, randomValues, rng, runOn, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

/** A random undilated depthwise case (dilated ones are checked below, against expanded filters). */
function randomCase(r: () => number) {
  const filterShape: [number, number, number, number] = [randInt(r, 1, 4), randInt(r, 1, 4), randInt(r, 1, 5), randInt(r, 1, 3)];
  const dilations = [1, 1] as [number, number];
  const strides = [randInt(r, 1, 3), randInt(r, 1, 3)] as [number, number];
  const reach = (f: number, d: number) => (f - 1) * d + 1;
  const inputShape: [number, number, number, number] = [
    randInt(r, 1, 3),
    randInt(r, reach(filterShape[0], dilations[0]), 11),
    randInt(r, reach(filterShape[1], dilations[1]), 11),
    filterShape[2],
  ];
  const pad = pick(r, ['same', 'valid', randInt(r, 0, 2)] as const);
  const dyShape = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations, pad, undefined, true).outShape;
  return { filterShape, inputShape, strides, dilations, pad, dyShape };
}

/**
 * The cpu backend ignores dilations in these two kernels (tfjs computes no gradient of a dilated
 * depthwise conv), so a dilated case is checked against the undilated kernel on the filter with
 * zeros inserted between taps, which is the same convolution.
 */
function expandFilter(values: Float32Array, [fh, fw, c, m]: number[], [dh, dw]: [number, number]) {
  const shape = [(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, m];
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) out[((i * dh) * shape[1] + j * dw) * c * m + k] = values[(i * fw + j) * c * m + k];
  return { values: out, shape };
}

describe('DepthwiseConv2dNative gradients on wasm', () => {
  test('dilated BackpropInput equals the undilated one on the zero-expanded filter', async () => {
    const r = rng(24);
    for (let n = 0; n < 10; n++) {
      const filterShape = [randInt(r, 2, 3), randInt(r, 2, 3), randInt(r, 1, 3), randInt(r, 1, 2)];
      const dilations: [number, number] = [randInt(r, 1, 3), randInt(r, 2, 3)];
      const inputShape = [randInt(r, 1, 2), randInt(r, 7, 10), randInt(r, 7, 10), filterShape[2]] as [number, number, number, number];
      const pad = pick(r, ['same', 'valid'] as const);
      const filter = { values: randomValues(r, filterShape), shape: filterShape };
      const expanded = expandFilter(filter.values, filterShape, dilations);
      const dyShape = tf.backend_util.computeConv2DInfo(inputShape, filterShape as [number, number, number, number], 1, dilations, pad, undefined, true).outShape;
      const dy = { values: randomValues(r, dyShape), shape: dyShape };
      const got = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: 1, dilations, pad, inputShape });
      const want = await runOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: expanded }, { strides: 1, dilations: 1, pad, inputShape });
      expect(maxRelError(got.values, want.values)).toBeLessThan(1e-4);
    }
    await tf.setBackend('wasm');
  });

  test('dilated BackpropFilter equals the undilated one on the zero-expanded filter, at the taps', async () => {
    const r = rng(25);
    for (let n = 0; n < 10; n++) {
      const filterShape = [randInt(r, 2, 3), randInt(r, 2, 3), randInt(r, 1, 3), randInt(r, 1, 2)] as [number, number, number, number];
      const dilations: [number, number] = [randInt(r, 2, 3), randInt(r, 1, 3)];
      const inputShape = [randInt(r, 1, 2), randInt(r, 7, 10), randInt(r, 7, 10), filterShape[2]] as [number, number, number, number];
      const pad = pick(r, ['same', 'valid'] as const);
      const expandedShape = expandFilter(new Float32Array(filterShape.reduce((a, b) => a * b)), filterShape, dilations).shape;
      const dyShape = tf.backend_util.computeConv2DInfo(inputShape, filterShape, 1, dilations, pad, undefined, true).outShape;
      const x = { values: randomValues(r, inputShape), shape: inputShape };
      const dy = { values: randomValues(r, dyShape), shape: dyShape };
      const got = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, dilations, pad, filterShape });
      const full = await runOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, dilations: 1, pad, filterShape: expandedShape });
      const [fh, fw, c, m] = filterShape;
      const want = new Float32Array(got.values.length);
      for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) want[(i * fw + j) * c * m + k] = full.values[((i * dilations[0]) * expandedShape[1] + j * dilations[1]) * c * m + k];
      expect(maxRelError(got.values, want)).toBeLessThan(1e-4);
    }
    await tf.setBackend('wasm');
  });

  test('BackpropFilter matches the cpu backend on 40 random shapes, strides and paddings', async () => {
    const r = rng(21);
    for (let n = 0; n < 40; n++) {
      const { filterShape, inputShape, strides, dilations, pad, dyShape } = randomCase(r);
      await expectSameAsCpu(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: { values: randomValues(r, inputShape), shape: inputShape }, dy: { values: randomValues(r, dyShape), shape: dyShape } },
        { strides, dilations, pad, filterShape },
        `case ${n}: x ${inputShape} filter ${filterShape} strides ${strides} dilations ${dilations} pad ${pad}`,
      );
    }
  });

  test('BackpropInput matches the cpu backend on 40 random shapes, strides and paddings', async () => {
    const r = rng(22);
    for (let n = 0; n < 40; n++) {
      const { filterShape, inputShape, strides, dilations, pad, dyShape } = randomCase(r);
      await expectSameAsCpu(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: { values: randomValues(r, dyShape), shape: dyShape }, filter: { values: randomValues(r, filterShape), shape: filterShape } },
        { strides, dilations, pad, inputShape },
        `case ${n}: input ${inputShape} filter ${filterShape} strides ${strides} dilations ${dilations} pad ${pad}`,
      );
    }
  });

  test('are the gradients of depthwiseConv2d: agree with finite differences', () => {
    const r = rng(23);
    const x = tf.tensor4d(randomValues(r, [2, 6, 5, 3]), [2, 6, 5, 3]);
    const w = tf.tensor4d(randomValues(r, [3, 3, 3, 2]), [3, 3, 3, 2]);
    const outWeights = tf.tensor4d(randomValues(r, [2, 3, 3, 6]), [2, 3, 3, 6]);
    const lossOfFilter = (f: tf.Tensor) => tf.depthwiseConv2d(x, f as tf.Tensor4D, 2, 'same').mul(outWeights).sum() as tf.Scalar;
    const lossOfInput = (i: tf.Tensor) => tf.depthwiseConv2d(i as tf.Tensor4D, w, 2, 'same').mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(lossOfFilter, { values: randomValues(r, [3, 3, 3, 2]), shape: [3, 3, 3, 2] }, r, 'depthwise filter gradient');
    expectFiniteDifferenceGradient(lossOfInput, { values: randomValues(r, [2, 6, 5, 3]), shape: [2, 6, 5, 3] }, r, 'depthwise input gradient');
  });
});
