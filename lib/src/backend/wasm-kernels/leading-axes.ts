/**
 * Reductions over the leading axes (Sum, Mean) as one matrix product.
 *
 * Gradients of biases and batch normalisation reduce NHWC tensors over axes [0, 1, 2], keeping
 * the channels. tfjs-backend-wasm 4.22 reduces only over innermost axes, so it first transposes
 * the whole tensor to put the channels first (a full copy, single-threaded), then sums. Seen as
 * a [rows, channels] matrix, the same reduction is w · X for a row vector w of ones (or 1/rows for
 * a mean): one BatchMatMul, which XNNPACK runs on every thread without a copy.
 */
import { BatchMatMul, type NamedAttrMap, type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, release, runWasmKernel } from './kernel-utils';

export interface LeadingSplit {
  /** How many leading axes are reduced. */
  k: number;
  rows: number;
  cols: number;
}

/**
 * How `shape` splits for a reduction over `axis`, when those axes are exactly the leading ones
 * and something is left. Null otherwise (let the original kernel do it).
 */
export function leadingAxesSplit(shape: number[], axis: number | number[]): LeadingSplit | null {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k >= shape.length || axes.some((a, i) => a !== i)) return null;
  const rows = util.sizeFromShape(shape.slice(0, k));
  const cols = util.sizeFromShape(shape.slice(k));
  // Small tensors: the original kernel's transpose is cheap and one call is one call.
  if (rows < 2 || cols < 2 || rows * cols < 4096) return null;
  return { k, rows, cols };
}

/** weight · Σ over the leading axes of `x` (float32) as `split` describes them. */
export function reduceLeadingAxes(backend: BackendWasm, x: TensorInfo, split: LeadingSplit, weight: number, keepDims: boolean): TensorInfo {
  const { k, rows, cols } = split;
  const w = backend.makeOutput([1, 1, rows], 'float32');
  f32(backend, w).fill(weight);
  const matrix: TensorInfo = { dataId: x.dataId, shape: [1, rows, cols], dtype: 'float32' };
  const product = runWasmKernel(backend, BatchMatMul, { a: w, b: matrix }, { transposeA: false, transposeB: false } as unknown as NamedAttrMap);
  release(backend, w);
  return { ...product, shape: keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k) };
}
