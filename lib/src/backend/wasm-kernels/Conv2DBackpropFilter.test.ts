import * as tf from '@tensorflow/tfjs';
import { filterGradPath } from './Conv2DBackpropFilter';
import { scratch } from './kernel-utils';
import { expectFiniteDifferenceGradient, expectSameAsCpu, pick, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('Conv2DBackpropFilter on wasm', () => {
  const randomCases = async (seed: number, maxBatch: number) => {
    const r = rng(seed);
    for (let n = 0; n < 40; n++) {
      const filterShape: [number, number, number, number] = [randInt(r, 1, 4), randInt(r, 1, 4), randInt(r, 1, 5), randInt(r, 1, 5)];
      const xShape: [number, number, number, number] = [randInt(r, 1, maxBatch), randInt(r, filterShape[0], 10), randInt(r, filterShape[1], 10), filterShape[2]];
      const strides = [randInt(r, 1, 3), randInt(r, 1, 3)] as [number, number];
      const pad = pick(r, ['same', 'valid', randInt(r, 0, 2)] as const);
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
      const attrs = { strides, pad, dataFormat: 'NHWC', filterShape };
      const label = `case ${n}: x ${xShape} filter ${filterShape} strides ${strides} pad ${pad}`;
      await expectSameAsCpu(
        'Conv2DBackpropFilter',
        { x: { values: randomValues(r, xShape), shape: xShape }, dy: { values: randomValues(r, info.outShape), shape: info.outShape } },
        attrs,
        label,
      );
    }
  };

  test('matches the cpu backend on 40 random shapes, strides and paddings (im2col path)', async () => {
    await randomCases(4, 3);
  });

  test('matches the cpu backend on 40 random shapes through the convolution path, batches 1–20', async () => {
    const saved = { ...filterGradPath };
    Object.assign(filterGradPath, { minBatch: 1, minInChannels: 1 });
    try {
      await randomCases(14, 20);
    } finally {
      Object.assign(filterGradPath, saved);
    }
  });

  test('agrees with cpu at the default thresholds for batches of 8+ (convolution path, DCGAN-like layers)', async () => {
    const r = rng(15);
    for (const [xShape, filterShape, strides] of [
      [[8, 14, 14, 3], [4, 4, 3, 5], 2],
      [[9, 7, 7, 4], [4, 4, 4, 3], 1],
    ] as const) {
      const info = tf.backend_util.computeConv2DInfo([...xShape], [...filterShape], strides, 1, 'same');
      await expectSameAsCpu(
        'Conv2DBackpropFilter',
        { x: { values: randomValues(r, [...xShape]), shape: [...xShape] }, dy: { values: randomValues(r, info.outShape), shape: info.outShape } },
        { strides, pad: 'same', dataFormat: 'NHWC', filterShape },
        `x ${xShape} filter ${filterShape}`,
      );
    }
  });

  test('gives the same result when the batch is split into scratch-sized chunks', async () => {
    const r = rng(7);
    const xShape = [5, 9, 9, 3];
    const filterShape = [3, 3, 3, 2] as [number, number, number, number];
    scratch.budgetBytes = 2 * 9 * 9 * 27 * 4; // two items per chunk: chunks of 2, 2, 1
    const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape, 1, 1, 'same');
    await expectSameAsCpu(
      'Conv2DBackpropFilter',
      { x: { values: randomValues(r, xShape), shape: xShape }, dy: { values: randomValues(r, info.outShape), shape: info.outShape } },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape },
      'chunked batch',
    );
    scratch.budgetBytes = 64 * 2 ** 20;
  });

  test('is the gradient of conv2d: agrees with finite differences', () => {
    const r = rng(11);
    const x = tf.tensor4d(randomValues(r, [2, 7, 6, 3]), [2, 7, 6, 3]);
    const outWeights = tf.tensor4d(randomValues(r, [2, 4, 3, 4]), [2, 4, 3, 4]); // conv2d's output shape
    const filter = { values: randomValues(r, [3, 3, 3, 4]), shape: [3, 3, 3, 4] };
    const loss = (w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 2, 'same').mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, filter, r, 'conv2d filter gradient');
  });

  test('through the convolution path: agrees with finite differences and frees its intermediates', () => {
    const r = rng(16);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor4d(randomValues(r, [9, 7, 6, 3]), [9, 7, 6, 3]);
    const outWeights = tf.tensor4d(randomValues(r, [9, 4, 3, 4]), [9, 4, 3, 4]);
    const filter = { values: randomValues(r, [3, 3, 3, 4]), shape: [3, 3, 3, 4] };
    const loss = (w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 2, 'same').mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, filter, r, 'conv2d filter gradient, batch 9');
    const before = backend.numDataIds();
    tf.tidy(() => {
      tf.grad(loss)(tf.tensor(filter.values, filter.shape));
    });
    expect(backend.numDataIds()).toBe(before);
    tf.dispose([x, outWeights]);
  });
});
