/**
 * Identity for the WebAssembly backend without a copy.
 *
 * tfjs-backend-wasm 4.22 copies the tensor; the engine calls Identity for every tensor it keeps
 * for a gradient (`saveTensorsForBackwardMode` clones them), about 330 times a step of the
 * chapter-09 DCGAN, ~15 ms of copies. Tensors are immutable and the wasm backend counts
 * references per buffer (its own Reshape shares the buffer the same way), so the output can be the
 * input's buffer with one more reference, as the plain-JS backend's Identity does.
 */
import type { IdentityInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrappedKernelConfig } from './kernel-utils';

export function wrapIdentity(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: { inputs: IdentityInputs; backend: BackendWasm }) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args as never);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }) as unknown as KernelFunc;
  return wrappedKernelConfig(original, kernelFunc);
}
