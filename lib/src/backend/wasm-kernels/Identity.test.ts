import * as tf from '@tensorflow/tfjs';
import { setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('Identity on wasm (a shared buffer, not a copy)', () => {
  test('the clone has the same values, outlives its source, and the buffer is freed with the last of them', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(before + 1);   // one buffer for both
    x.dispose();
    expect(y.arraySync()).toEqual([[1, 2], [3, 4]]);
    y.dispose();
    expect(backend.numDataIds()).toBe(before);
  });

  test('gradients that save inputs (which clones them) are unchanged, and fit() leaks nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[0.5, -1.5], [2, 0.25]]);
    const g = tf.grad((a: tf.Tensor) => tf.mul(a, a).sum())(x);
    expect(Array.from(g.dataSync())).toEqual([1, -3, 4, 0.5]);
    tf.dispose([x, g]);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const xs = tf.randomNormal([32, 3]), ys = tf.randomNormal([32, 1]);
    await model.fit(xs, ys, { epochs: 1, verbose: 0 });
    const tensors = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
