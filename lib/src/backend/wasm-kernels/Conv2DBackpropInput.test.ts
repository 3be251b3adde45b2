import * as tf from '@tensorflow/tfjs';
import { expectFiniteDifferenceGradient, expectSameAsCpu, pick, randInt, randomValues, rng, setupBackends } from './__fixtures__/kernel-check';
import { conv2DBackpropInputConfig, conv2DBackpropInputKernel, DEFAULT_INPUT_GRAD_THRESHOLDS, type InputGradThresholds } from './Conv2DBackpropInput';
import { scratch } from './kernel-utils';

beforeAll(setupBackends);

/** Runs `body` with the wasm kernel registered to choose its path by `thresholds`, then restores it. */
async function withThresholds(thresholds: Partial<InputGradThresholds>, body: () => Promise<void>): Promise<void> {
  const swap = (kernelFunc: tf.KernelFunc) => {
    tf.unregisterKernel(conv2DBackpropInputConfig.kernelName, 'wasm');
    tf.registerKernel({ ...conv2DBackpropInputConfig, kernelFunc });
  };
  swap(conv2DBackpropInputKernel({ ...DEFAULT_INPUT_GRAD_THRESHOLDS, ...thresholds }));
  try {
    await body();
  } finally {
    swap(conv2DBackpropInputConfig.kernelFunc);
  }
}

function randomCase(r: () => number, maxBatch = 3) {
  const filterShape: [number, number, number, number] = [randInt(r, 1, 5), randInt(r, 1, 5), randInt(r, 1, 5), randInt(r, 1, 5)];
  const inputShape: [number, number, number, number] = [randInt(r, 1, maxBatch), randInt(r, filterShape[0], 11), randInt(r, filterShape[1], 11), filterShape[2]];
  const strides = [randInt(r, 1, 3), randInt(r, 1, 3)] as [number, number];
  const pad = pick(r, ['same', 'valid', randInt(r, 0, 2)] as const);
  const dyShape = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad).outShape;
  return { filterShape, inputShape, strides, pad, dyShape };
}

describe('Conv2DBackpropInput on wasm', () => {
  const randomCases = (seed: number, maxBatch: number, minConvChannels: number, minPhaseChannels = Infinity) =>
    withThresholds({ minConvChannels, minPhaseChannels }, async () => {
      const r = rng(seed);
      for (let n = 0; n < 40; n++) {
        const { filterShape, inputShape, strides, pad, dyShape } = randomCase(r, maxBatch);
        await expectSameAsCpu(
          'Conv2DBackpropInput',
          { dy: { values: randomValues(r, dyShape), shape: dyShape }, filter: { values: randomValues(r, filterShape), shape: filterShape } },
          { strides, pad, dataFormat: 'NHWC', inputShape },
          `case ${n}: input ${inputShape} filter ${filterShape} strides ${strides} pad ${pad}`,
        );
      }
    });

  test('matches the cpu backend on 40 random shapes, strides and paddings (default paths)', async () => {
    await randomCases(5, 3, DEFAULT_INPUT_GRAD_THRESHOLDS.minConvChannels, DEFAULT_INPUT_GRAD_THRESHOLDS.minPhaseChannels);
  });

  test('matches the cpu backend on 40 random shapes through one convolution per phase', async () => {
    await randomCases(23, 6, 1, 1);
  });

  test("the DCGAN generator's strided layer (8 and more channels) takes one convolution per phase and matches cpu", async () => {
    const r = rng(24);
    const inputShape: [number, number, number, number] = [4, 14, 14, 16];
    const filterShape = [5, 5, 16, 32];
    const dyShape = [4, 7, 7, 32];
    await expectSameAsCpu(
      'Conv2DBackpropInput',
      { dy: { values: randomValues(r, dyShape), shape: dyShape }, filter: { values: randomValues(r, filterShape), shape: filterShape } },
      { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape },
      'DCGAN [4,7,7,32] -> [4,14,14,16]',
    );
  });

  test('matches the cpu backend on 40 random shapes through the phase convolution only', async () => {
    await randomCases(17, 6, 1);
  });

  test('matches the cpu backend on 40 random shapes through matmul + col2im only', async () => {
    await randomCases(18, 6, Infinity);
  });

  test('splits dx by phase right where padding exceeds a phase\'s taps or leaves rows unused', async () => {
    const r = rng(19);
    // pad 3 with a 2-tap filter at stride 1 (qStart clamps), and 'valid' strides that skip rows.
    for (const [inputShape, filterShape, strides, pad] of [
      [[2, 5, 6, 2], [2, 2, 2, 3], [1, 1], 3],
      [[2, 9, 8, 3], [3, 2, 3, 2], [3, 2], 'valid'],
      [[1, 10, 7, 1], [4, 4, 1, 2], [2, 3], 'same'],
    ] as const) {
      const dyShape = tf.backend_util.computeConv2DInfo([...inputShape], [...filterShape], [...strides], 1, pad).outShape;
      await expectSameAsCpu(
        'Conv2DBackpropInput',
        { dy: { values: randomValues(r, dyShape), shape: dyShape }, filter: { values: randomValues(r, [...filterShape]), shape: [...filterShape] } },
        { strides, pad, dataFormat: 'NHWC', inputShape },
        `input ${inputShape} filter ${filterShape} strides ${strides} pad ${pad}`,
      );
    }
  });

  test('gives the same result when the batch is split into scratch-sized chunks', async () => {
    const r = rng(8);
    const inputShape = [5, 8, 8, 3] as [number, number, number, number];
    const filterShape = [3, 3, 3, 4] as [number, number, number, number];
    const dyShape = [5, 4, 4, 4];
    scratch.budgetBytes = 2 * 16 * 27 * 4;
    try {
      await withThresholds({ minConvChannels: Infinity }, () => expectSameAsCpu(
        'Conv2DBackpropInput',
        { dy: { values: randomValues(r, dyShape), shape: dyShape }, filter: { values: randomValues(r, filterShape), shape: filterShape } },
        { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape },
        'chunked batch',
      ));
    } finally {
      scratch.budgetBytes = 64 * 2 ** 20;
    }
  });

  test('is the gradient of conv2d with respect to its input: agrees with finite differences', () => {
    const r = rng(12);
    const w = tf.tensor4d(randomValues(r, [3, 3, 2, 4]), [3, 3, 2, 4]);
    const outWeights = tf.tensor4d(randomValues(r, [2, 3, 3, 4]), [2, 3, 3, 4]);
    const loss = (x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w, 2, 'same').mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, { values: randomValues(r, [2, 6, 5, 2]), shape: [2, 6, 5, 2] }, r, 'conv2d input gradient');
  });

  test('drives conv2dTranspose like the cpu backend (the DCGAN generator upsampling)', async () => {
    const r = rng(13);
    const x = randomValues(r, [2, 7, 7, 8]);
    const w = randomValues(r, [5, 5, 4, 8]);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(x, [2, 7, 7, 8]), tf.tensor4d(w, [5, 5, 4, 8]), [2, 14, 14, 4], 2, 'same').dataSync());
    };
    const want = await run('cpu');
    const got = await run('wasm');
    expect(Array.from(got).map((v, i) => Math.abs(v - want[i])).reduce((a, b) => Math.max(a, b))).toBeLessThan(1e-4);
  });
});
