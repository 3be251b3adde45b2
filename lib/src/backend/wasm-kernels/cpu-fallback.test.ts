import * as tf from '@tensorflow/tfjs';
import { setupBackends } from './__fixtures__/kernel-check';

beforeAll(setupBackends);

describe('cpu fallback for kernels wasm lacks', () => {
  test('tf.einsum (attention written with einsum) runs on wasm and matches cpu', async () => {
    const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1).arraySync() as number[][][];
    const k = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2).arraySync() as number[][][];
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => tf.einsum('bqd,bkd->bqk', tf.tensor3d(q), tf.tensor3d(k)).arraySync() as number[][][]);
    };
    const want = await run('cpu');
    const before = tf.memory().numTensors;
    const got = await run('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(before);
    expect(got).toEqual(want.map((m) => m.map((row) => row.map((v) => expect.closeTo(v, 5)))));
  });
});
