/**
 * Gradient of conv2d with respect to its filter, for the WebAssembly backend (tfjs-backend-wasm
 * 4.22 has none, so any conv net fails to train on `wasm`).
 *
 * dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + fh − padTop, ow·sw + fw − padLeft, ci] · dy[b, oh, ow, co]
 *
 * computed as one matrix product colsᵀ·dy, where colsᵀ[(fh, fw, ci), (b, oh, ow)] is the
 * transposed im2col of x, built here in JS and multiplied by the wasm backend's own BatchMatMul
 * (XNNPACK, ~15 GFLOP/s on two cores). The batch is processed in chunks so the scratch matrix
 * stays under 64 MiB.
 */
import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchChunk, batchRows, f32, nhwcConvInfo, release, runWasmKernel, zeros } from './kernel-utils';

export function conv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { filterShape } = attrs;
  const info = nhwcConvInfo('Conv2DBackpropFilter', x.shape as [number, number, number, number], filterShape, attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padTop, padLeft } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const K = filterHeight * filterWidth * inChannels;
  const P = outHeight * outWidth;
  const chunk = batchChunk(batchSize, K * P * 4);

  let result: TensorInfo | null = null;
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const N = nb * P;
    const colsT = backend.makeOutput([K, N], 'float32');
    const { rows: dyChunk, copied } = batchRows(backend, dy, b0, nb, batchSize, P, outChannels);
    const xv = f32(backend, x);
    const cv = f32(backend, colsT);
    for (let fh = 0; fh < filterHeight; fh++) {
      for (let fw = 0; fw < filterWidth; fw++) {
        const iwOffset = fw * dilationWidth - padLeft;
        // ow range whose input column lies inside the image: skip the per-element bounds check.
        const owLo = Math.min(outWidth, Math.max(0, Math.ceil(-iwOffset / strideWidth)));
        const owHi = Math.max(owLo, Math.min(outWidth, Math.ceil((inWidth - iwOffset) / strideWidth)));
        for (let ci = 0; ci < inChannels; ci++) {
          let o = ((fh * filterWidth + fw) * inChannels + ci) * N;
          for (let b = b0; b < b0 + nb; b++) {
            for (let oh = 0; oh < outHeight; oh++) {
              const ih = oh * strideHeight + fh * dilationHeight - padTop;
              if (ih < 0 || ih >= inHeight) {
                cv.fill(0, o, o + outWidth);
                o += outWidth;
                continue;
              }
              const row = (b * inHeight + ih) * inWidth;
              if (owLo > 0) cv.fill(0, o, o + owLo);
              let src = (row + owLo * strideWidth + iwOffset) * inChannels + ci;
              const step = strideWidth * inChannels;
              for (let ow = owLo; ow < owHi; ow++, src += step) cv[o + ow] = xv[src];
              if (owHi < outWidth) cv.fill(0, o + owHi, o + outWidth);
              o += outWidth;
            }
          }
        }
      }
    }
    const part = runWasmKernel(backend, 'BatchMatMul', { a: colsT, b: dyChunk }, { transposeA: false, transposeB: false });
    release(backend, colsT);
    if (copied) release(backend, dyChunk);
    if (result == null) {
      result = part;
    } else {
      const acc = f32(backend, result);
      const add = f32(backend, part);
      for (let i = 0; i < acc.length; i++) acc[i] += add[i];
      release(backend, part);
    }
  }
  if (result == null) result = zeros(backend, filterShape);
  return { dataId: result.dataId, shape: [...filterShape], dtype: 'float32' };
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
