/**
 * `linearMap(W, x)`: y = W·x, the linear map with matrix W, for a vector or for a batch of
 * vectors stored as rows (the layout layers use). Plain arrays or tensors in, a tensor out, with
 * shape errors that name the argument at fault.
 */
import * as tf from '@tensorflow/tfjs';

type Matrix = number[][] | tf.Tensor2D;
type Vector = number[] | tf.Tensor1D;

function asMatrix(W: Matrix): tf.Tensor2D {
  if (W instanceof tf.Tensor) {
    if (W.rank !== 2) throw new Error(`linearMap: W must be a matrix (rank 2), got shape [${W.shape.join(', ')}].`);
    return W;
  }
  if (!Array.isArray(W) || W.length === 0 || !Array.isArray(W[0])) {
    throw new Error('linearMap: W must be a non-empty array of rows, like [[1, 2], [3, 4]].');
  }
  const cols = W[0].length;
  W.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`linearMap: row ${i} of W has ${row.length} numbers but row 0 has ${cols}; every row needs the same length.`);
  });
  return tf.tensor2d(W, [W.length, cols]);
}

/**
 * Apply the linear map with matrix W (m×n) to x:
 * - x a vector of n numbers → the vector y = W·x of m numbers (shape [m]);
 * - x a batch of k vectors as rows (k×n) → each row mapped, Y = X·Wᵀ (shape [k, m]).
 *
 * ```ts
 * linearMap([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [1, 2, 3]).print();   // [14, 32, 50]
 * linearMap([[0, -1], [1, 0]], [[1, 0], [0, 1]]).print();            // the rotated unit vectors, as rows
 * ```
 */
export function linearMap(W: Matrix, x: Vector): tf.Tensor1D;
export function linearMap(W: Matrix, x: Matrix): tf.Tensor2D;
export function linearMap(W: Matrix, x: Vector | Matrix): tf.Tensor1D | tf.Tensor2D {
  return tf.tidy(() => {
    const w = asMatrix(W);
    const [m, n] = w.shape;
    const isBatch = x instanceof tf.Tensor ? x.rank === 2 : Array.isArray(x) && Array.isArray(x[0]);
    if (isBatch) {
      const X = asMatrix(x as Matrix);
      if (X.shape[1] !== n) throw new Error(`linearMap: W is ${m}×${n}, so each row of x needs ${n} numbers, but x is ${X.shape[0]}×${X.shape[1]}.`);
      return tf.matMul(X, w, false, true) as tf.Tensor2D;
    }
    const v = x instanceof tf.Tensor ? x : tf.tensor1d(x as number[]);
    if (v.rank !== 1) throw new Error(`linearMap: x must be a vector or a batch of rows, got shape [${v.shape.join(', ')}].`);
    if (v.shape[0] !== n) throw new Error(`linearMap: W is ${m}×${n}, so x needs ${n} numbers, but it has ${v.shape[0]}.`);
    return tf.matMul(w, v.reshape([n, 1])).reshape([m]) as tf.Tensor1D;
  });
}
