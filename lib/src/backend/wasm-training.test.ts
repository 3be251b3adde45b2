/**
 * Every kind of model in the curriculum trains on `wasm` and gets the same gradients there as on
 * plain-JS `cpu`; training leaks no tensors.
 */
import { initBackend, tf } from '.';
import { expectFiniteDifferenceGradient, randomValues, rng } from './wasm-kernels/__fixtures__/kernel-check';

beforeAll(async () => {
  process.env.TSDL_BACKEND = 'wasm';
  const report = await initBackend();
  expect(report.name).toBe('wasm');
});

type Model = { apply: (x: tf.Tensor) => tf.Tensor; weights: tf.Variable[] };

function fromLayers(model: tf.LayersModel): Model {
  return { apply: (x) => model.apply(x, { training: true }) as tf.Tensor, weights: model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val) };
}

const curriculum: Record<string, () => { model: Model; x: tf.Tensor; loss: (y: tf.Tensor) => tf.Scalar }> = {
  'conv net: conv, batch norm, max and average pooling, dropout': () => ({
    model: fromLayers(
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [10, 10, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 } as never),
          tf.layers.batchNormalization(),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2 }),
          tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
          tf.layers.dropout({ rate: 0.3, seed: 7 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    ),
    x: tf.randomNormal([4, 10, 10, 3], 0, 1, 'float32', 1),
    loss: (y) => tf.losses.softmaxCrossEntropy(tf.oneHot([0, 1, 2, 1], 3), y),
  }),
  'separable and depthwise convs, layer norm': () => ({
    model: fromLayers(
      tf.sequential({
        layers: [
          tf.layers.separableConv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same' }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
          tf.layers.layerNormalization(),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 1 }),
        ],
      }),
    ),
    x: tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2),
    loss: (y) => y.square().mean() as tf.Scalar,
  }),
  'DCGAN generator: dense, batch norm, leaky relu, conv2dTranspose s1 → s2 → s2': () => ({
    model: fromLayers(
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [8], units: 7 * 7 * 8, useBias: false }),
          tf.layers.batchNormalization(),
          tf.layers.leakyReLU({ alpha: 0.2 }),
          tf.layers.reshape({ targetShape: [7, 7, 8] }),
          tf.layers.conv2dTranspose({ filters: 8, kernelSize: 5, strides: 1, padding: 'same', useBias: false }),
          tf.layers.conv2dTranspose({ filters: 4, kernelSize: 5, strides: 2, padding: 'same', useBias: false }),
          tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }),
        ],
      }),
    ),
    x: tf.randomNormal([3, 8], 0, 1, 'float32', 3),
    loss: (y) => y.mean() as tf.Scalar,
  }),
  'text: Embedding, Bidirectional LSTM, GRU': () => ({
    model: fromLayers(
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 7 }),
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, returnSequences: true }) as never, mergeMode: 'concat' }),
          tf.layers.gru({ units: 4 }),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    ),
    x: tf.tensor2d([[1, 5, 9, 0, 0, 0, 0], [3, 3, 29, 4, 8, 1, 2]]),
    loss: (y) => tf.losses.sigmoidCrossEntropy(tf.tensor2d([[1], [0]]), y),
  }),
  'attention: matMul, scaled softmax, causal mask, residual': () => {
    const [T, D] = [5, 6];
    const emb = tf.variable(tf.randomNormal([20, D], 0, 0.5, 'float32', 4));
    const wq = tf.variable(tf.randomNormal([D, D], 0, 0.5, 'float32', 5));
    const wk = tf.variable(tf.randomNormal([D, D], 0, 0.5, 'float32', 6));
    const wv = tf.variable(tf.randomNormal([D, D], 0, 0.5, 'float32', 7));
    const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
    return {
      model: {
        weights: [emb, wq, wk, wv],
        apply: (ids) => {
          const x = tf.gather(emb, ids.cast('int32'));
          const [q, k, v] = [wq, wk, wv].map((w) => tf.matMul(x.reshape([-1, D]), w).reshape([-1, T, D]));
          const scores = tf.matMul(q, k, false, true).div(Math.sqrt(D)).add(tf.sub(1, mask).mul(-1e9));
          return tf.matMul(tf.softmax(scores), v).add(x).mean(1);
        },
      },
      x: tf.tensor2d([[1, 2, 3, 4, 5], [7, 7, 0, 19, 2]]),
      loss: (y) => y.square().sum() as tf.Scalar,
    };
  },
};

async function gradientsOn(backend: string, model: Model, x: tf.Tensor, loss: (y: tf.Tensor) => tf.Scalar) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => loss(model.apply(x)), model.weights);
    return model.weights.map((w) => Array.from(grads[w.name].dataSync()));
  });
}

describe('training on wasm', () => {
  test.each(Object.keys(curriculum))('%s: same gradients as on cpu', async (name) => {
    const { model, x, loss } = curriculum[name]();
    const onCpu = await gradientsOn('cpu', model, x, loss);
    const onWasm = await gradientsOn('wasm', model, x, loss);
    onWasm.forEach((g, i) => {
      const worst = g.reduce((m, v, j) => Math.max(m, Math.abs(v - onCpu[i][j]) / Math.max(1e-2, Math.abs(onCpu[i][j]))), 0);
      if (worst > 2e-2) throw new Error(`${model.weights[i].name}: relative difference ${worst}`);
    });
    expect(onWasm.flat().every(Number.isFinite)).toBe(true);
  });

  test('upSampling2d trains right on wasm (checked by finite differences: the cpu gradient is wrong here)', () => {
    const r = rng(41);
    const outWeights = tf.tensor4d(randomValues(r, [2, 12, 12, 3]), [2, 12, 12, 3]);
    const loss = (x: tf.Tensor) => (tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.Tensor).mul(outWeights).sum() as tf.Scalar;
    expectFiniteDifferenceGradient(loss, { values: randomValues(r, [2, 6, 6, 3]), shape: [2, 6, 6, 3] }, r, 'upSampling2d gradient', { probes: 20 });
  });

  test('fit() leaks no tensors: tf.memory().numTensors and wasm buffers stay flat across epochs', async () => {
    await tf.setBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const xs = tf.randomNormal([16, 8, 8, 1]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0], 'int32'), 2);
    const backend = tf.engine().backend as unknown as { numDataIds(): number };
    const counts: Array<[number, number]> = [];
    await model.fit(xs, ys, {
      epochs: 4,
      batchSize: 4,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void counts.push([tf.memory().numTensors, backend.numDataIds()]) },
    });
    expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[1]));
  });
});
