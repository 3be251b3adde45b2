/**
 * UnsortedSegmentSum for the WebAssembly backend: the gradient of `tf.gather`, so of every
 * Embedding layer (tfjs-backend-wasm 4.22 has none; the plain-JS kernel loops once per segment,
 * O(vocabulary × size)). One pass over x: out[segmentIds[i], …] += x[i, …]. Ids outside
 * [0, numSegments) are dropped, as in TensorFlow.
 */
import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  type UnsortedSegmentSumInputs,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export function unsortedSegmentSum(args: {
  inputs: UnsortedSegmentSumInputs;
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const { numSegments } = attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`tsdl wasm UnsortedSegmentSum: x must be float32 or int32, got ${x.dtype}`);
  }
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = util.sizeFromShape(rest);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  dst.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const d = s * inner;
    const o = i * inner;
    for (let j = 0; j < inner; j++) dst[d + j] += src[o + j];
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
