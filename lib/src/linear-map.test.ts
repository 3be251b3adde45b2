import * as tf from '@tensorflow/tfjs';
import { quietTf } from './data/test-helpers';
import { linearMap } from './linear-map';

describe('linearMap', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    quietTf();
  });

  it('maps a vector: W·v for the chapter 01 example', () => {
    const y = linearMap([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [1, 2, 3]);
    expect(y.shape).toEqual([3]);
    expect(Array.from(y.dataSync())).toEqual([14, 32, 50]);
  });

  it('maps each row of a batch (Y = X·Wᵀ), from arrays or tensors', () => {
    const rotate = [[0, -1], [1, 0]];
    const Y = linearMap(tf.tensor2d(rotate), tf.tensor2d([[1, 0], [0, 1], [2, 3]]));
    expect(Y.shape).toEqual([3, 2]);
    expect(Y.arraySync()).toEqual([[0, 1], [-1, 0], [-3, 2]]);
  });

  it('handles non-square maps', () => {
    expect(linearMap([[1, 0, 2]], tf.tensor1d([1, 1, 1])).arraySync()).toEqual([3]);
  });

  it('names the argument at fault when shapes do not fit', () => {
    expect(() => linearMap([[1, 2], [3, 4]], [1, 2, 3])).toThrow(/W is 2×2, so x needs 2 numbers, but it has 3/);
    expect(() => linearMap([[1, 2], [3]], [1, 2])).toThrow(/row 1 of W has 1 numbers/);
    expect(() => linearMap([[1, 2]], [[1, 2, 3]])).toThrow(/each row of x needs 2 numbers/);
  });

  it('leaves no intermediate tensors behind', () => {
    const before = tf.memory().numTensors;
    const y = linearMap([[1, 2], [3, 4]], [1, 1]);
    expect(tf.memory().numTensors).toBe(before + 1);
    y.dispose();
  });
});
