/**
 * Plumbing shared by tsdl's WebAssembly kernels: typed views on the wasm heap and a way to run
 * the backend's own kernels (BatchMatMul, Reshape, …) without going through the engine, the way
 * tfjs backends compose their kernels. Intermediates made with `runWasmKernel` must be released
 * with `release`, or they leak wasm memory that `tf.memory()` does not see.
 */
import { backend_util, getKernel, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Runs a kernel registered for `wasm` on `backend` and returns its (single) output. */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel == null) throw new Error(`tsdl: the wasm backend has no ${kernelName} kernel to build on`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`tsdl: expected one output from ${kernelName}`);
  return out as TensorInfo;
}

/** Frees an intermediate made inside a kernel. */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A Float32Array over a float32 tensor's bytes on the wasm heap. Views go stale when the heap
 * grows, which any allocation may do: take them after the last `makeOutput`/`runWasmKernel`.
 */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A new float32 tensor on the wasm heap, zero-filled. */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

/** Upper bound on the im2col scratch matrices; tests lower it to exercise the chunked path. */
export const scratch = { budgetBytes: 64 * 2 ** 20 };

/** How many batch items to process at once so a scratch buffer of `bytesPerItem` stays small. */
export function batchChunk(batch: number, bytesPerItem: number): number {
  return Math.max(1, Math.min(batch, Math.floor(scratch.budgetBytes / Math.max(1, bytesPerItem))));
}

/** What `nhwcConvInfo` returns: tfjs's conv geometry plus the top and left padding. */
export type ConvInfo = backend_util.Conv2DInfo & { padTop: number; padLeft: number };

/** conv2d geometry for the backprop kernels, NHWC only (the layout tfjs layers use). */
export function nhwcConvInfo(
  kernelName: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'dataFormat'>,
): ConvInfo {
  const info = backend_util.computeConv2DInfo(
    inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`tsdl wasm ${kernelName} supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  }
  return { ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}

/**
 * Rows [b0·rows, (b0+nb)·rows) of `t` seen as a [nb·rows, cols] matrix: a view of `t` itself when
 * the chunk is the whole batch, else a copy that the caller releases (`copied`).
 */
export function batchRows(backend: BackendWasm, t: TensorInfo, b0: number, nb: number, batch: number, rows: number, cols: number): { rows: TensorInfo; copied: boolean } {
  if (nb === batch) return { rows: { dataId: t.dataId, shape: [nb * rows, cols], dtype: 'float32' }, copied: false };
  const part = backend.makeOutput([nb * rows, cols], 'float32');
  f32(backend, part).set(f32(backend, t).subarray(b0 * rows * cols, (b0 + nb) * rows * cols));
  return { rows: part, copied: true };
}

/**
 * Visits every (input pixel, output pixel, filter tap) triple of a depthwise convolution that
 * lies inside the image, giving the flat offsets of x/dx, dy and the filter's tap. Both depthwise
 * gradients are this walk with a different accumulation.
 */
export function forEachDepthwiseTap(info: backend_util.Conv2DInfo, visit: (xBase: number, dyBase: number, wBase: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let fh = 0; fh < filterHeight; fh++) {
        const ih = oh * strideHeight + fh * dilationHeight - padTop;
        if (ih < 0 || ih >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth + fw * dilationWidth - padLeft;
            if (iw < 0 || iw >= inWidth) continue;
            visit(((b * inHeight + ih) * inWidth + iw) * inChannels, dyBase, (fh * filterWidth + fw) * outChannels);
          }
        }
      }
    }
  }
}

/**
 * The config of a kernel that speeds up common cases and hands the rest to `original`: same
 * name, and the original's setup and dispose, which own the backend's per-kernel state.
 */
export function wrappedKernelConfig(original: KernelConfig, kernelFunc: KernelFunc): KernelConfig {
  return { kernelName: original.kernelName, backendName: 'wasm', kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}

/**
 * The wasm backend's own stride-1 Conv2D (XNNPACK) on NHWC tensors with explicit padding
 * [[top, bottom], [left, right]]: what the gradient kernels reduce their work to.
 */
export function stride1Conv2D(
  backend: BackendWasm, x: TensorInfo, filter: TensorInfo,
  pad: [[number, number], [number, number]], dilations: [number, number] | 1 = 1,
): TensorInfo {
  return runWasmKernel(backend, 'Conv2D', { x, filter }, {
    strides: 1, pad: [[0, 0], ...pad, [0, 0]], dataFormat: 'NHWC', dilations,
  } as unknown as NamedAttrMap);
}
