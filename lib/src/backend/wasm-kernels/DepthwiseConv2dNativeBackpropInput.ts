/**
 * Gradient of depthwiseConv2d with respect to its input, for the WebAssembly backend
 * (tfjs-backend-wasm 4.22 has none).
 *
 * dx[b, ih, iw, ci] = Σ_{fh, fw, m} dy[b, oh, ow, ci·M + m] · W[fh, fw, ci, m]
 * over the (oh, ow) whose window covers (ih, iw); computed as a scatter from each output pixel.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, forEachDepthwiseTap, zeros } from './kernel-utils';

export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true,
  );
  const { inChannels, outChannels } = info;
  const M = outChannels / inChannels;

  const dx = zeros(backend, [...attrs.inputShape]);
  const dyv = f32(backend, dy);
  const w = f32(backend, filter);
  const out = f32(backend, dx);
  forEachDepthwiseTap(info, (xBase, dyBase, wBase) => {
    if (M === 1) {
      for (let c = 0; c < inChannels; c++) out[xBase + c] += dyv[dyBase + c] * w[wBase + c];
      return;
    }
    for (let c = 0; c < inChannels; c++) {
      const o = c * M;
      let s = 0;
      for (let m = 0; m < M; m++) s += dyv[dyBase + o + m] * w[wBase + o + m];
      out[xBase + c] += s;
    }
  });
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
