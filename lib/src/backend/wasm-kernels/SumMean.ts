/**
 * Sum and Mean over leading axes for the WebAssembly backend: batch norm's statistics and their
 * gradients, and every bias gradient, reduce a [batch, …, channels] tensor to its channels.
 *
 * tfjs-backend-wasm 4.22 reduces only innermost axes, so for these it first transposes the whole
 * input (channels first), then sums: ~1 ms for a [128, 14, 14, 16] activation, 27 Sums and 12
 * Means (~33 ms) in a chapter-09 DCGAN step. Seen as an image [1, H, W, C] with H·W the reduced
 * rows, the same mean is one XNNPACK average pooling with an H×W window: ~0.1 ms, no transpose.
 * Sum is that mean times the row count. Other axes, dtypes and reductions over every axis (which
 * the original does without a transpose) go to the kernel it wraps. Passing a reshaped view is
 * safe: tfjs-wasm caches its pooling operators by geometry (window, strides, padding, channels),
 * not by tensor id as it does BatchMatMul's, and sets the input size on every call.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, SumAttrs, SumInputs, TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, runWasmKernel, wrappedKernelConfig } from './kernel-utils';

/** Rows × columns when `axes` are exactly the first `reduced` axes (fewer than all), else undefined. */
export function leadingAxesSplit(shape: readonly number[], axes: readonly number[]): { reduced: number; rows: number; columns: number } | undefined {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const reduced = sorted.length;
  if (reduced === 0 || reduced >= shape.length || sorted.some((axis, i) => axis !== i)) return undefined;
  return { reduced, rows: util.sizeFromShape(shape.slice(0, reduced)), columns: util.sizeFromShape(shape.slice(reduced)) };
}

/** A window H×W = rows for the pooling, as square as the factors allow (XNNPACK takes any). */
function windowOf(rows: number): [number, number] {
  let width = Math.floor(Math.sqrt(rows));
  while (rows % width !== 0) width--;
  return [rows / width, width];
}

function wrapReduction(original: KernelConfig, scaleBySize: boolean): KernelConfig {
  const kernelFunc = ((args: { inputs: SumInputs; backend: BackendWasm; attrs: SumAttrs }) => {
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs;
    const axes = util.parseAxisParam(axis, x.shape);
    const split = x.dtype === 'float32' ? leadingAxesSplit(x.shape, axes) : undefined;
    if (!split || split.rows < 2 || split.columns === 0) return original.kernelFunc(args as never);
    const { backend } = args;
    const [height, width] = windowOf(split.rows);
    const image = { dataId: x.dataId, shape: [1, height, width, split.columns], dtype: 'float32' as const };
    const pooled = runWasmKernel(backend, 'AvgPool', { x: image }, {
      filterSize: [height, width], strides: [height, width], pad: 'valid', dimRoundingMode: undefined,
    } as unknown as NamedAttrMap);
    if (scaleBySize) {
      const values = f32(backend, pooled);
      for (let i = 0; i < values.length; i++) values[i] *= split.rows;
    }
    const kept = x.shape.slice(split.reduced);
    const shape = keepDims ? [...new Array<number>(split.reduced).fill(1), ...kept] : kept;
    return { dataId: pooled.dataId, shape, dtype: 'float32' };
  }) as unknown as KernelFunc;
  return wrappedKernelConfig(original, kernelFunc);
}

export const wrapSum = (original: KernelConfig): KernelConfig => wrapReduction(original, true);
export const wrapMean = (original: KernelConfig): KernelConfig => wrapReduction(original, false);
