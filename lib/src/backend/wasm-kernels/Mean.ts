/**
 * Mean over leading axes for the WebAssembly backend as one BatchMatMul (see leading-axes.ts):
 * batch normalisation's moments. Other reductions go to the kernel it wraps.
 */
import type { KernelConfig, KernelFunc, MeanAttrs, MeanInputs, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrappedKernelConfig } from './kernel-utils';
import { leadingAxesSplit, reduceLeadingAxes } from './leading-axes';

export function wrapMean(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: { inputs: MeanInputs; backend: BackendWasm; attrs: MeanAttrs }) => {
    const x = args.inputs.x as TensorInfo;
    const split = x.dtype === 'float32' ? leadingAxesSplit(x.shape, args.attrs.axis) : null;
    if (split == null) return original.kernelFunc(args as never);
    return reduceLeadingAxes(args.backend, x, split, 1 / split.rows, args.attrs.keepDims);
  }) as unknown as KernelFunc;
  return wrappedKernelConfig(original, kernelFunc);
}
