/**
 * Gradient of conv2d with respect to its input (also the forward pass of conv2dTranspose), for
 * the WebAssembly backend. tfjs-backend-wasm 4.22 has this kernel but runs it at ~2 GFLOP/s,
 * a fifth of its forward conv, which made transposed-conv generators (DCGAN) crawl.
 *
 * dcols[(b, oh, ow), (fh, fw, ci)] = Σ_co dy[b, oh, ow, co] · W[fh, fw, ci, co]   (one BatchMatMul)
 * dx[b, oh·sh + fh − padTop, ow·sw + fw − padLeft, ci] += dcols[…]               (col2im, in JS)
 */
import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchChunk, batchRows, f32, nhwcConvInfo, release, runWasmKernel, zeros } from './kernel-utils';

export function conv2DBackpropInput(args: {
  inputs: Conv2DBackpropInputInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { inputShape } = attrs;
  const info = nhwcConvInfo('Conv2DBackpropInput', inputShape, filter.shape as [number, number, number, number], attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padTop, padLeft } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const K = filterHeight * filterWidth * inChannels;
  const P = outHeight * outWidth;
  const chunk = batchChunk(batchSize, K * P * 4);

  // Wᵀ as [CO, K]: the wasm BatchMatMul is 5–50× slower with a transposed operand.
  const wT = backend.makeOutput([outChannels, K], 'float32');
  const dx = zeros(backend, [...inputShape]);
  {
    const w = f32(backend, filter);
    const t = f32(backend, wT);
    for (let k = 0; k < K; k++) for (let co = 0; co < outChannels; co++) t[co * K + k] = w[k * outChannels + co];
  }
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const { rows: dyChunk, copied } = batchRows(backend, dy, b0, nb, batchSize, P, outChannels);
    const dcols = runWasmKernel(backend, 'BatchMatMul', { a: dyChunk, b: wT }, { transposeA: false, transposeB: false });
    if (copied) release(backend, dyChunk);
    const c = f32(backend, dcols);
    const out = f32(backend, dx);
    let n = 0;
    for (let b = b0; b < b0 + nb; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++, n++) {
          for (let fh = 0; fh < filterHeight; fh++) {
            const ih = oh * strideHeight + fh * dilationHeight - padTop;
            if (ih < 0 || ih >= inHeight) continue;
            for (let fw = 0; fw < filterWidth; fw++) {
              const iw = ow * strideWidth + fw * dilationWidth - padLeft;
              if (iw < 0 || iw >= inWidth) continue;
              let d = ((b * inHeight + ih) * inWidth + iw) * inChannels;
              let s = n * K + (fh * filterWidth + fw) * inChannels;
              for (let ci = 0; ci < inChannels; ci++) out[d++] += c[s++];
            }
          }
        }
      }
    }
    release(backend, dcols);
  }
  release(backend, wT);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
