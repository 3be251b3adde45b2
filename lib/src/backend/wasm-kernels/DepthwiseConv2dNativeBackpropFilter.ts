/**
 * Gradient of depthwiseConv2d with respect to its filter, for the WebAssembly backend
 * (tfjs-backend-wasm 4.22 has none: SeparableConv2D and DepthwiseConv2D layers cannot train).
 *
 * dW[fh, fw, ci, m] = Σ_{b, oh, ow} x[b, ih, iw, ci] · dy[b, oh, ow, ci·M + m],
 * ih = oh·sh + fh·dh − padTop, iw = ow·sw + fw·dw − padLeft.
 *
 * A depthwise conv does C× fewer multiply-adds than a full conv of the same shape, so a direct
 * loop over the wasm heap (innermost loops contiguous in channels) is fast enough here.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, zeros } from './kernel-utils';

export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const M = outChannels / inChannels;

  const dw = zeros(backend, [...filterShape]);
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const w = f32(backend, dw);
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
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (fh * filterWidth + fw) * outChannels;
            if (M === 1) {
              for (let c = 0; c < inChannels; c++) w[wBase + c] += xv[xBase + c] * dyv[dyBase + c];
            } else {
              for (let c = 0; c < inChannels; c++) {
                const xc = xv[xBase + c];
                const o = c * M;
                for (let m = 0; m < M; m++) w[wBase + o + m] += xc * dyv[dyBase + o + m];
              }
            }
          }
        }
      }
    }
  }
  return dw;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
