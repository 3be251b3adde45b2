/**
 * Tensor kernels that an interrupt must not cut in half.
 *
 * The tsdl kernel stops a busy cell by terminating its JavaScript, which can land inside a
 * WebAssembly kernel. With threads that kernel waits for XNNPACK's thread pool under the pool's
 * lock, and a termination there left the pool stuck: the next tensor operation never returned. (Without
 * threads it could still leave the wasm heap's allocator half-updated.) The kernel's runtime
 * offers `globalThis[Symbol.for('tsdl.uninterruptible')](fn)`, which makes a termination wait
 * until `fn` has returned; this wraps every kernel of a backend in it. Outside the tsdl kernel
 * (a plain Node script) the function is absent and nothing is wrapped.
 */
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';

type Uninterruptible = <T>(fn: () => T) => T;

/** The runtime's `uninterruptible`, when this process is a tsdl kernel's runtime. */
export function runtimeUninterruptible(): Uninterruptible | undefined {
  const fn = (globalThis as Record<symbol, unknown>)[Symbol.for('tsdl.uninterruptible')];
  return typeof fn === 'function' ? (fn as Uninterruptible) : undefined;
}

const WRAPPED = Symbol('tsdl.uninterruptibleKernel');

/**
 * Re-registers every kernel of `backendName` so that it runs inside `section`. Idempotent.
 * Returns how many kernels were wrapped now.
 */
export function makeKernelsUninterruptible(backendName: string, section: Uninterruptible): number {
  let wrapped = 0;
  for (const config of getKernelsForBackend(backendName)) {
    const original = config.kernelFunc as KernelConfig['kernelFunc'] & { [WRAPPED]?: true };
    if (original[WRAPPED]) continue;
    const kernelFunc = Object.assign((args: Parameters<typeof original>[0]) => section(() => original(args)), { [WRAPPED]: true as const });
    unregisterKernel(config.kernelName, backendName);
    registerKernel({ ...config, kernelFunc });
    wrapped++;
  }
  return wrapped;
}
