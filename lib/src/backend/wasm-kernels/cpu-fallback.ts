/**
 * A safety net for the kernels that neither tfjs-backend-wasm nor tsdl implements for `wasm`
 * (in tfjs 4.22: Einsum, the Ragged* and string kernels, …): run the plain-JS `cpu` kernel on a
 * copy of the inputs and copy the outputs back. Slower than a real kernel, but a notebook that
 * uses a rare op still runs instead of failing with "Kernel 'Einsum' not registered for backend
 * 'wasm'". Complex tensors cannot live on the wasm heap, so FFT and friends stay unsupported.
 */
import { getKernel, type KernelBackend, type KernelConfig, type KernelFunc, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A `wasm` kernel that runs `cpuKernel` on `cpu`, copying tensors across. */
export function cpuFallbackKernel(cpuKernel: KernelConfig, cpu: () => KernelBackend): KernelConfig {
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo | undefined> | TensorInfo[]; backend: BackendWasm; attrs: object }) => {
    const { inputs, backend, attrs } = args;
    const cpuBackend = cpu();
    const made: TensorInfo[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      if (t.dtype === 'complex64') throw new Error(`tsdl: ${cpuKernel.kernelName} on complex tensors needs TSDL_BACKEND=cpu`);
      const copy = { dataId: cpuBackend.write(backend.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      made.push(copy);
      return copy;
    };
    // Most kernels take named inputs; a few (Einsum, AddN, Concat…) take a list.
    const cpuInputs = Array.isArray(inputs)
      ? inputs.map(toCpu)
      : Object.fromEntries(Object.entries(inputs).flatMap(([name, t]) => (t == null ? [] : [[name, toCpu(t)]])));
    try {
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs as NamedTensorInfoMap, attrs: attrs as never, backend: cpuBackend });
      const outs = Array.isArray(result) ? result : [result];
      made.push(...outs);
      const back = outs.map((o) => backend.makeOutput(o.shape, o.dtype, undefined, cpuBackend.readSync(o.dataId)));
      return Array.isArray(result) ? back : back[0];
    } finally {
      for (const t of made) cpuBackend.disposeData(t.dataId, true);
    }
  }) as unknown as KernelFunc;
  return { kernelName: cpuKernel.kernelName, backendName: 'wasm', kernelFunc };
}

/** Fallback configs for every `cpu` kernel that has no `wasm` kernel registered yet. */
export function cpuFallbackKernels(cpuKernels: KernelConfig[], cpu: () => KernelBackend): KernelConfig[] {
  return cpuKernels
    .filter((k) => getKernel(k.kernelName, 'wasm') == null)
    .map((k) => cpuFallbackKernel(k, cpu));
}
