/**
 * Kernels tsdl adds to TensorFlow.js's WebAssembly backend so that every curriculum model trains
 * on `wasm` (tfjs 4.22 lacks Conv2DBackpropFilter, both DepthwiseConv2dNative gradients and
 * UnsortedSegmentSum), trains right (its MaxPoolGrad is wrong for some shapes) and trains fast
 * (its Conv2DBackpropInput, Tile, LeakyRelu and transposed BatchMatMul are 5–50× slower than they
 * need be; its Greater and Identity cost a GAN step ~25 ms, its Sum and Mean over the batch ~30 ms).
 * One kernel a file, as in tfjs-backend-wasm/src/kernels; each has a test beside it comparing it
 * with the plain-JS `cpu` backend.
 */
import { getKernel, getKernelsForBackend, type KernelBackend, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import { wrapBatchMatMul } from './BatchMatMul';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { cpuFallbackKernels } from './cpu-fallback';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { wrapGreater } from './Greater';
import { wrapIdentity } from './Identity';
import { wrapLeakyRelu } from './LeakyRelu';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { wrapMean, wrapSum } from './SumMean';
import { tileConfig } from './Tile';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum';

/** Kernels tsdl writes for `wasm`, registered over any the backend already has. */
export const wasmKernelConfigs: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  maxPoolGradConfig,
  tileConfig,
  unsortedSegmentSumConfig,
];

export interface WasmKernelRegistration {
  /** Kernel names tsdl registered with a native implementation. */
  kernels: string[];
  /** Kernel names that run on the plain-JS backend through a copy (see cpu-fallback.ts). */
  cpuFallbacks: string[];
}

let registered: WasmKernelRegistration | null = null;

/**
 * Registers tsdl's kernels for `wasm` (idempotent). `cpu` gives the plain-JS backend used for
 * the fallbacks; the kernels themselves never touch it.
 */
export function registerWasmKernels(cpu: () => KernelBackend): WasmKernelRegistration {
  if (registered) return registered;
  const replace = (config: KernelConfig) => {
    if (getKernel(config.kernelName, 'wasm') != null) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  };
  for (const config of wasmKernelConfigs) replace(config);
  // Kernels tsdl speeds up for common cases, handing the rest to the backend's own.
  const wrappers: [string, (original: KernelConfig) => KernelConfig][] = [
    ['BatchMatMul', wrapBatchMatMul],
    ['LeakyRelu', wrapLeakyRelu],
    ['Identity', wrapIdentity],
    ['Greater', wrapGreater],
    ['Sum', wrapSum],
    ['Mean', wrapMean],
  ];
  const wrapped: string[] = [];
  for (const [name, wrap] of wrappers) {
    const original = getKernel(name, 'wasm');
    if (original == null) continue;
    replace(wrap(original));
    wrapped.push(name);
  }
  const fallbacks = cpuFallbackKernels(getKernelsForBackend('cpu'), cpu);
  for (const config of fallbacks) registerKernel(config);
  registered = {
    kernels: [...wasmKernelConfigs.map((k) => k.kernelName), ...wrapped],
    cpuFallbacks: fallbacks.map((k) => k.kernelName),
  };
  return registered;
}
