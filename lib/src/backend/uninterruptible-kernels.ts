/**
 * Tensor work that an interrupt must not cut in half.
 *
 * The tsdl kernel stops a busy cell by terminating its JavaScript, which can land inside a
 * WebAssembly call. With threads a kernel waits for XNNPACK's thread pool under the pool's lock,
 * and a termination there left the pool stuck: the next tensor operation never returned. The
 * threaded build's allocator (malloc/free, called when the engine makes and disposes tensors
 * outside any kernel) takes a lock too, which a termination would leave held the same way — not
 * seen in a test, guarded all the same. (Without threads a termination could still leave the
 * allocator half-updated.) The kernel's
 * runtime offers `globalThis[Symbol.for('tsdl.uninterruptible')](fn)`, which makes a termination
 * wait until `fn` has returned; this wraps every kernel of a backend, and every method of the
 * backend object (through which the engine writes, reads and disposes tensors), in it. Outside the
 * tsdl kernel (a plain Node script) the function is absent and nothing is wrapped.
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

/**
 * Makes every method of `backend` (its class's own methods: write, move, makeOutput,
 * disposeData, …) run inside `section`, as an own property of this instance. Idempotent.
 */
export function makeBackendUninterruptible(backend: object, section: Uninterruptible): void {
  const methods = backend as Record<string, unknown>;
  const proto = Object.getPrototypeOf(backend) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = proto[name];
    if (name === 'constructor' || typeof method !== 'function' || Object.prototype.hasOwnProperty.call(backend, name)) continue;
    const original = method as (...args: unknown[]) => unknown;
    methods[name] = (...args: unknown[]) => section(() => original.apply(backend, args));
  }
}
