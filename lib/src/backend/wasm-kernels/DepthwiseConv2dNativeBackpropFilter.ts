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
import { f32, forEachDepthwiseTap, zeros } from './kernel-utils';

export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true,
  );
  const { inChannels, outChannels } = info;
  const M = outChannels / inChannels;

  const dw = zeros(backend, [...attrs.filterShape]);
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const w = f32(backend, dw);
  forEachDepthwiseTap(info, (xBase, dyBase, wBase) => {
    if (M === 1) {
      for (let c = 0; c < inChannels; c++) w[wBase + c] += xv[xBase + c] * dyv[dyBase + c];
      return;
    }
    for (let c = 0; c < inChannels; c++) {
      const xc = xv[xBase + c];
      const o = c * M;
      for (let m = 0; m < M; m++) w[wBase + o + m] += xc * dyv[dyBase + o + m];
    }
  });
  return dw;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
