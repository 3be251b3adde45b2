/**
 * LeakyRelu for the WebAssembly backend, as XNNPACK's PReLU with the same slope in every channel.
 *
 * tfjs-backend-wasm 4.22's own LeakyRelu takes ~2.5 ms for 400k floats, 35× its Relu: in the
 * chapter-09 DCGAN (five leaky layers, each run several times a step) that was ~25 ms a step.
 * Its Prelu kernel is XNNPACK's, threaded, and takes a slope per channel, so a [channels] tensor
 * filled with α makes it LeakyRelu in one call (0.15 ms for 400k floats on 2 threads here, where
 * relu(x) − relu(−α·x) from three of wasm's kernels takes ~1 ms). It computes
 * x < 0 ? α·x : x as cpu does, so it is exact, ±Infinity and NaN included, for any α.
 * Non-float32 inputs go to the kernel it wraps.
 */
import { type KernelConfig, type KernelFunc, type LeakyReluAttrs, type LeakyReluInputs, Prelu, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, release, runWasmKernel, wrappedKernelConfig } from './kernel-utils';

export function leakyReluAsPrelu(backend: BackendWasm, x: TensorInfo, alpha: number): TensorInfo {
  const channels = x.shape.length > 0 ? x.shape[x.shape.length - 1] : 1;
  const slopes = backend.makeOutput([channels], 'float32');
  f32(backend, slopes).fill(alpha);
  const out = runWasmKernel(backend, Prelu, { x, alpha: slopes });
  release(backend, slopes);
  return out;
}

/** A LeakyRelu config: float32 through `leakyReluAsPrelu`, the rest through `original`. */
export function wrapLeakyRelu(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: { inputs: LeakyReluInputs; backend: BackendWasm; attrs: LeakyReluAttrs }) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype !== 'float32' || x.shape.some((d) => d === 0)) return original.kernelFunc(args as never);
    return leakyReluAsPrelu(args.backend, x, args.attrs.alpha);
  }) as unknown as KernelFunc;
  return wrappedKernelConfig(original, kernelFunc);
}
