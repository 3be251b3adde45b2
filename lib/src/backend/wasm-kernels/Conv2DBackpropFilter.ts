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
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchChunk, f32, release, runWasmKernel, zeros } from './kernel-utils';

export function conv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`tsdl wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const K = filterHeight * filterWidth * inChannels;
  const P = outHeight * outWidth;
  const chunk = batchChunk(batchSize, K * P * 4);

  let result: TensorInfo | null = null;
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const N = nb * P;
    const colsT = backend.makeOutput([K, N], 'float32');
    const dyChunk: TensorInfo =
      nb === batchSize ? { dataId: dy.dataId, shape: [N, outChannels], dtype: 'float32' } : backend.makeOutput([N, outChannels], 'float32');
    if (nb !== batchSize) {
      f32(backend, dyChunk).set(f32(backend, dy).subarray(b0 * P * outChannels, (b0 + nb) * P * outChannels));
    }
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
    if (nb !== batchSize) release(backend, dyChunk);
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
