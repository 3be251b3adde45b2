/**
 * Plumbing shared by tsdl's WebAssembly kernels: typed views on the wasm heap and a way to run
 * the backend's own kernels (BatchMatMul, Reshape, …) without going through the engine, the way
 * tfjs backends compose their kernels. Intermediates made with `runWasmKernel` must be released
 * with `release`, or they leak wasm memory that `tf.memory()` does not see.
 */
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
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
