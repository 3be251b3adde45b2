/**
 * Greater for the WebAssembly backend, for float32 against a scalar or a same-shaped tensor.
 *
 * tfjs-backend-wasm 4.22 compares through its general broadcasting loop, ~2.8 ms for 400k floats
 * against a scalar. LeakyRelu's gradient is `where(x > 0, dy, α·dy)`, so the chapter-09 DCGAN
 * does eight of those a step (~20 ms). A loop over the heap takes half that, written without a
 * branch (`+(a > b)`): on random signs a branch mispredicts half the time and the loop is then
 * slower than the original. Other shapes and dtypes go to the kernel it wraps.
 */
import type { BinaryInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, wrappedKernelConfig } from './kernel-utils';

export function wrapGreater(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: { inputs: BinaryInputs; backend: BackendWasm }) => {
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const n = util.sizeFromShape(a.shape);
    const bSize = util.sizeFromShape(b.shape);
    const sameShape = util.arraysEqual(a.shape, b.shape);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameShape || (bSize === 1 && b.shape.length <= a.shape.length))) {
      return original.kernelFunc(args as never);
    }
    const { backend } = args;
    const out = backend.makeOutput([...a.shape], 'bool');
    const result = backend.typedArrayFromHeap(out) as Uint8Array;
    const x = f32(backend, a);
    const y = f32(backend, b);
    if (sameShape) {
      for (let i = 0; i < n; i++) result[i] = +(x[i] > y[i]);
    } else {
      const threshold = y[0];
      for (let i = 0; i < n; i++) result[i] = +(x[i] > threshold);
    }
    return out;
  }) as unknown as KernelFunc;
  return wrappedKernelConfig(original, kernelFunc);
}
