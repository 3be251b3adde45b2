/**
 * BatchMatMul for the WebAssembly backend, fast with transposed operands too.
 *
 * tfjs-backend-wasm 4.22 multiplies 1024² matrices at ~20 GFLOP/s, but at 0.4 GFLOP/s when
 * `transposeA` is set and 1.4 GFLOP/s with `transposeB` — and every Dense layer's backward pass
 * asks for exactly those (dW = xᵀ·dy, dx = dy·Wᵀ). Transposing the operand first (a blocked
 * copy, O(n²)) and then calling the backend's own kernel untransposed is 10–50× faster.
 *
 * This config wraps whatever BatchMatMul was registered before it (`wrapBatchMatMul`).
 */
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, release, wrappedKernelConfig } from './kernel-utils';

/** Copies `x` ([…batch, rows, cols]) into a new tensor [...batch, cols, rows]. */
export function transposeLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const outShape = [...x.shape.slice(0, -2), cols, rows];
  const out = backend.makeOutput(outShape, 'float32');
  const src = f32(backend, x);
  const dst = f32(backend, out);
  const batches = util.sizeFromShape(x.shape.slice(0, -2));
  const B = 32; // block edge: two 32×32 float tiles fit in L1
  for (let m = 0; m < batches; m++) {
    const base = m * rows * cols;
    for (let i0 = 0; i0 < rows; i0 += B) {
      const i1 = Math.min(rows, i0 + B);
      for (let j0 = 0; j0 < cols; j0 += B) {
        const j1 = Math.min(cols, j0 + B);
        for (let i = i0; i < i1; i++) {
          let s = base + i * cols + j0;
          let d = base + j0 * rows + i;
          for (let j = j0; j < j1; j++, s++, d += rows) dst[d] = src[s];
        }
      }
    }
  }
  return out;
}

/** A BatchMatMul config that transposes operands itself and then calls `original`. */
export function wrapBatchMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: {
    inputs: { a: TensorInfo; b: TensorInfo };
    backend: BackendWasm;
    attrs: { transposeA: boolean; transposeB: boolean };
  }) => {
    const { inputs, backend, attrs } = args;
    if ((!attrs.transposeA && !attrs.transposeB) || inputs.a.dtype !== 'float32' || inputs.b.dtype !== 'float32') {
      return original.kernelFunc(args as never);
    }
    const a = attrs.transposeA ? transposeLastTwo(backend, inputs.a) : inputs.a;
    const b = attrs.transposeB ? transposeLastTwo(backend, inputs.b) : inputs.b;
    try {
      return original.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } } as never);
    } finally {
      if (a !== inputs.a) release(backend, a);
      if (b !== inputs.b) release(backend, b);
    }
  }) as unknown as KernelFunc;
  return wrappedKernelConfig(original, kernelFunc);
}
