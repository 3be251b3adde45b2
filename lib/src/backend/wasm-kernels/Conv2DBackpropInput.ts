/**
 * Gradient of conv2d with respect to its input (also the forward pass of conv2dTranspose), for
 * the WebAssembly backend. tfjs-backend-wasm 4.22 has this kernel but runs it at ~2 GFLOP/s,
 * a fifth of its forward conv, which made transposed-conv generators (DCGAN) crawl.
 *
 *   dx[b, ih, iw, ci] = Σ dy[b, oh, ow, co] · W[fh, fw, ci, co]  over ih = oh·sh + fh − padTop, iw = …
 *
 * Two ways:
 * - `viaConvolution` (the default): split dx by phase (ih + padTop) mod sh, (iw + padLeft) mod sw.
 *   Each phase is a stride-1 correlation of dy with every sh-th, sw-th filter tap, so all phases
 *   together are ONE stride-1 conv2d of dy whose output channels are (phase, ci), run by XNNPACK;
 *   a JS copy then interleaves the phases into dx (depth-to-space). No scatter-add, and for
 *   stride 1 it is the plain full correlation with the flipped filter. 1.4–1.9× faster than
 *   matmul + col2im on the DCGAN's layers; the copy is cheap next to the adds col2im did in JS.
 *   Phases short of taps (a 5-tap filter at stride 2 has phases of 3 and 2) get zero taps, so
 *   at stride 2 that conv does up to ~1.9× the useful work.
 * - `viaPhaseConvolutions` (a filter size that is not a multiple of the stride, and at least
 *   `minPhaseChannels` input channels): the same split, one stride-1 conv per phase
 *   with exactly its own taps and rows, so no multiply by a zero tap: a 5×5 filter at stride 2 on
 *   [128,7,7,32] → [128,14,14,16] takes 3.8 ms this way against 5.7 ms as one conv with zero taps,
 *   3×3 on [128,11,11,64] → [128,22,22,32] 15 against 21 ms. For 4×4 at stride 2 no tap is zero
 *   and the single conv is as fast or faster.
 *   With fewer channels each phase's conv would be too narrow for XNNPACK's tiles.
 * - `viaMatMul`, when that conv would have fewer than `minConvChannels` output
 *   channels (sh·sw·inChannels; XNNPACK wastes most of its 8-wide tiles there):
 *   dcols[(b, oh, ow), (fh, fw, ci)] = dy · Wᵀ (one BatchMatMul), then col2im adds dcols into dx.
 */
import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchChunk, batchRows, type ConvInfo, f32, nhwcConvInfo, release, runWasmKernel, stride1Conv2D, zeros } from './kernel-utils';

/**
 * Below `minConvChannels` output channels of the phase convolution, `viaMatMul` is used; strided
 * gradients with at least `minPhaseChannels` input channels take `viaPhaseConvolutions`.
 */
export interface InputGradThresholds {
  minConvChannels: number;
  minPhaseChannels: number;
}

export const DEFAULT_INPUT_GRAD_THRESHOLDS: Readonly<InputGradThresholds> = Object.freeze({ minConvChannels: 2, minPhaseChannels: 8 });

interface Conv2DBackpropInputArgs {
  inputs: Conv2DBackpropInputInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}

/** The kernel with the given choice of path; tests force each path by its thresholds. */
export function conv2DBackpropInputKernel(thresholds: Readonly<InputGradThresholds> = DEFAULT_INPUT_GRAD_THRESHOLDS): KernelFunc {
  const kernel = (args: Conv2DBackpropInputArgs): TensorInfo => conv2DBackpropInput(args, thresholds);
  return kernel as unknown as KernelFunc;
}

function conv2DBackpropInput(args: Conv2DBackpropInputArgs, thresholds: Readonly<InputGradThresholds>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const info = nhwcConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape as [number, number, number, number], attrs);
  if (info.outHeight * info.outWidth * info.batchSize * info.outChannels === 0) return zeros(backend, [...attrs.inputShape]);
  // Only a filter whose size is not a multiple of the stride gives phases short of taps; otherwise
  // the single phase convolution wastes nothing and one wide conv beats four narrow ones.
  const unevenTaps = info.filterHeight % info.strideHeight !== 0 || info.filterWidth % info.strideWidth !== 0;
  if (unevenTaps && info.inChannels >= thresholds.minPhaseChannels) {
    const dx = viaPhaseConvolutions(backend, dy, filter, info);
    if (dx) return dx;
  }
  const convChannels = info.strideHeight * info.strideWidth * info.inChannels;
  return convChannels >= thresholds.minConvChannels ? viaConvolution(backend, dy, filter, info) : viaMatMul(backend, dy, filter, info);
}

/**
 * Phase r of one axis, exactly: dx positions first, first + stride, … (`count` of them) are
 * Σ_j dy[q0 + q − j]·W[r + stride·j] over the phase's `taps` j, a stride-1 correlation of dy
 * (padded by `padBefore`, `padAfter`) with those taps flipped. Undefined when the padding would
 * have to be negative (padding wider than the filter), which the single phase conv handles.
 */
function exactPhase(r: number, filterSize: number, stride: number, pad: number, dySize: number, dxSize: number) {
  const taps = Math.ceil((filterSize - r) / stride);
  const first = (((r - pad) % stride) + stride) % stride;
  const count = first < dxSize ? Math.ceil((dxSize - first) / stride) : 0;
  const q0 = (first + pad - r) / stride;
  const padBefore = taps - 1 - q0;
  if (padBefore < 0) return undefined;
  return { taps, first, count, padBefore, padAfter: Math.max(0, count + q0 - dySize) };
}

const allDefined = <T>(xs: (T | undefined)[]): xs is T[] => xs.every((x) => x !== undefined);

function viaPhaseConvolutions(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo | undefined {
  const { strideHeight: sh, strideWidth: sw } = info;
  const rowPhases = Array.from({ length: sh }, (_, r) => exactPhase(r, info.filterHeight, sh, info.padTop, info.outHeight, info.inHeight));
  const colPhases = Array.from({ length: sw }, (_, r) => exactPhase(r, info.filterWidth, sw, info.padLeft, info.outWidth, info.inWidth));
  if (!allDefined(rowPhases) || !allDefined(colPhases)) return undefined;
  // Phases with no taps (stride above the filter size) or no rows leave their dx entries zero.
  const dx = zeros(backend, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  rowPhases.forEach((rows, rh) => colPhases.forEach((cols, rw) => {
    if (rows.taps <= 0 || cols.taps <= 0 || rows.count === 0 || cols.count === 0) return;
    const taps = tapsOfPhase(backend, filter, info, rh, rw, rows.taps, cols.taps);
    const phase = stride1Conv2D(backend, dy, taps, [[rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter]]);
    release(backend, taps);
    scatterPhase(f32(backend, phase), phase.shape, f32(backend, dx), info, rows, cols);
    release(backend, phase);
  }));
  return dx;
}

/** Phase (rh, rw)'s filter [tapsH, tapsW, outChannels, inChannels]: W[rh + sh·(tapsH − 1 − th), rw + sw·(tapsW − 1 − tw)]ᵀ. */
function tapsOfPhase(backend: BackendWasm, filter: TensorInfo, info: ConvInfo, rh: number, rw: number, tapsH: number, tapsW: number): TensorInfo {
  const { filterWidth, inChannels, outChannels, strideHeight: sh, strideWidth: sw } = info;
  const out = backend.makeOutput([tapsH, tapsW, outChannels, inChannels], 'float32');
  const w = f32(backend, filter);
  const f = f32(backend, out);
  for (let th = 0; th < tapsH; th++) {
    for (let tw = 0; tw < tapsW; tw++) {
      const src = ((rh + sh * (tapsH - 1 - th)) * filterWidth + rw + sw * (tapsW - 1 - tw)) * inChannels * outChannels;
      copyTapTransposed(w, src, f, (th * tapsW + tw) * outChannels * inChannels, inChannels, outChannels, inChannels);
    }
  }
  return out;
}

/**
 * One filter tap, W[fh, fw] as [inChannels, outChannels] at `src`, written transposed: row co of
 * the destination (`rowStride` floats apart, from `dst`) gets W[fh, fw, :, co]. conv2d's filter
 * is [.., in, out]; a gradient convolving dy needs dy's channels (out) as its input channels.
 */
function copyTapTransposed(w: Float32Array, src: number, f: Float32Array, dst: number, inChannels: number, outChannels: number, rowStride: number): void {
  for (let co = 0; co < outChannels; co++) {
    const row = dst + co * rowStride;
    for (let ci = 0; ci < inChannels; ci++) f[row + ci] = w[src + ci * outChannels + co];
  }
}

/** dx[b, rows.first + sh·q, cols.first + sw·p, :] = phase[b, q, p, :]: runs of inChannels floats. */
function scatterPhase(src: Float32Array, shape: number[], dst: Float32Array, info: ConvInfo,
  rows: { first: number; count: number }, cols: { first: number; count: number }): void {
  const { batchSize, inHeight, inWidth, inChannels: C, strideHeight: sh, strideWidth: sw } = info;
  const [, convHeight, convWidth] = shape;
  for (let b = 0; b < batchSize; b++) {
    for (let q = 0; q < rows.count; q++) {
      let s = ((b * convHeight + q) * convWidth) * C;
      let d = ((b * inHeight + rows.first + sh * q) * inWidth + cols.first) * C;
      for (let p = 0; p < cols.count; p++, d += (sw - 1) * C) {
        for (let k = 0; k < C; k++) dst[d++] = src[s++];
      }
    }
  }
}

/**
 * One axis of the phase split: conv output row q′ holds dx rows with (ih + pad) = stride·(qStart + q′) + r
 * for the `stride` phases r, so dx[ih] is row ih + offset of the interleaved output. `taps` is
 * ceil(filter / stride), the taps each phase uses (phases short of taps get zeros). Padding
 * cannot be negative, so when `pad` is large the conv starts later (qStart) and when it is small
 * the conv computes a few rows past the image that the interleave skips.
 */
function phaseAxis(filterSize: number, stride: number, pad: number, dySize: number, dxSize: number) {
  const taps = Math.ceil(filterSize / stride);
  const qStart = Math.min(taps - 1, Math.floor(pad / stride));
  const qEnd = Math.floor((dxSize - 1 + pad) / stride);
  const padBefore = taps - 1 - qStart;
  const padAfter = Math.max(0, qEnd - qStart + taps - dySize - padBefore);
  return { taps, padBefore, padAfter, offset: pad - stride * qStart };
}

function viaConvolution(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const rows = phaseAxis(info.filterHeight, info.strideHeight, info.padTop, info.outHeight, info.inHeight);
  const cols = phaseAxis(info.filterWidth, info.strideWidth, info.padLeft, info.outWidth, info.inWidth);
  const phaseFilter = phaseFilterOf(backend, filter, info, rows.taps, cols.taps);
  const phases = stride1Conv2D(backend, dy, phaseFilter, [[rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter]]);
  release(backend, phaseFilter);
  const dx = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  interleavePhases(f32(backend, phases), phases.shape, f32(backend, dx), info, rows.offset, cols.offset);
  release(backend, phases);
  return dx;
}

/**
 * The phase convolution's filter [tapsH, tapsW, outChannels, (rh, rw, ci)]: tap (th, tw) of phase
 * (rh, rw) is W[rh + sh·(tapsH − 1 − th), rw + sw·(tapsW − 1 − tw)] (flipped: conv2d correlates),
 * zero past the filter's edge.
 */
function phaseFilterOf(backend: BackendWasm, filter: TensorInfo, info: ConvInfo, tapsH: number, tapsW: number): TensorInfo {
  const { filterHeight, filterWidth, inChannels, outChannels, strideHeight: sh, strideWidth: sw } = info;
  const phaseChannels = sh * sw * inChannels;
  const out = zeros(backend, [tapsH, tapsW, outChannels, phaseChannels]);
  const w = f32(backend, filter);
  const f = f32(backend, out);
  for (let th = 0; th < tapsH; th++) {
    for (let tw = 0; tw < tapsW; tw++) {
      for (let rh = 0; rh < sh; rh++) {
        const fh = rh + sh * (tapsH - 1 - th);
        if (fh >= filterHeight) continue;
        for (let rw = 0; rw < sw; rw++) {
          const fw = rw + sw * (tapsW - 1 - tw);
          if (fw >= filterWidth) continue;
          const src = (fh * filterWidth + fw) * inChannels * outChannels;
          const dst = (th * tapsW + tw) * outChannels * phaseChannels + (rh * sw + rw) * inChannels;
          copyTapTransposed(w, src, f, dst, inChannels, outChannels, phaseChannels);
        }
      }
    }
  }
  return out;
}

/**
 * dx[b, ih, iw, :] = phases[b, zh / sh, zw / sw, ((zh mod sh)·sw + zw mod sw)·ci + :] with
 * zh = ih + offsetH, zw = iw + offsetW: depth-to-space plus a crop. Pixels of one conv column
 * with consecutive rw are one contiguous run of both arrays, copied together.
 */
function interleavePhases(src: Float32Array, shape: number[], dst: Float32Array, info: ConvInfo, offsetH: number, offsetW: number): void {
  const { batchSize, inHeight, inWidth, inChannels, strideHeight: sh, strideWidth: sw } = info;
  const [, convHeight, convWidth, phaseChannels] = shape;
  let d = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let ih = 0; ih < inHeight; ih++) {
      const zh = ih + offsetH;
      const rowBase = (b * convHeight + Math.floor(zh / sh)) * convWidth;
      const phaseBase = (zh % sh) * sw * inChannels;
      for (let iw = 0; iw < inWidth; ) {
        const zw = iw + offsetW;
        const rw = zw % sw;
        const run = Math.min(sw - rw, inWidth - iw);
        let s = (rowBase + Math.floor(zw / sw)) * phaseChannels + phaseBase + rw * inChannels;
        for (let k = run * inChannels; k > 0; k--) dst[d++] = src[s++];
        iw += run;
      }
    }
  }
}

/** dx by dcols = dy·Wᵀ (BatchMatMul, the batch in scratch-sized chunks) and col2im. */
function viaMatMul(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const inputShape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  const { batchSize, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth } = info;
  const K = filterHeight * filterWidth * inChannels;
  const P = outHeight * outWidth;
  const chunk = batchChunk(batchSize, K * P * 4);

  // Wᵀ as [CO, K]: the wasm BatchMatMul is 5–50× slower with a transposed operand.
  const wT = backend.makeOutput([outChannels, K], 'float32');
  const dx = zeros(backend, inputShape);
  {
    const w = f32(backend, filter);
    const t = f32(backend, wT);
    for (let k = 0; k < K; k++) for (let co = 0; co < outChannels; co++) t[co * K + k] = w[k * outChannels + co];
  }
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const { rows: dyChunk, copied } = batchRows(backend, dy, b0, nb, batchSize, P, outChannels);
    const dcols = runWasmKernel(backend, 'BatchMatMul', { a: dyChunk, b: wT }, { transposeA: false, transposeB: false });
    if (copied) release(backend, dyChunk);
    col2im(f32(backend, dcols), f32(backend, dx), info, b0, nb);
    release(backend, dcols);
  }
  release(backend, wT);
  return dx;
}

/**
 * dx[b, oh·sh + fh − padTop, ow·sw + fw − padLeft, :] += dcols[(b, oh, ow), (fh, fw, :)] for batch
 * items [b0, b0 + nb). For one (b, oh, ow, fh) the taps fw that land inside the image are one
 * contiguous run of both dcols and dx, (fw range)·inChannels floats long, so the inner loop is a
 * plain vector add with the bounds checks hoisted out (2–3× faster than per-(fw, ci) checks).
 * Conv2DBackpropInput has no dilations attribute, so taps are adjacent.
 */
function col2im(c: Float32Array, out: Float32Array, info: ConvInfo, b0: number, nb: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, padTop, padLeft } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const K = filterHeight * filterWidth * inChannels;
  let n = 0;
  for (let b = b0; b < b0 + nb; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - padTop;
      const fhLo = Math.max(0, -ih0);
      const fhHi = Math.min(filterHeight, inHeight - ih0);
      for (let ow = 0; ow < outWidth; ow++, n++) {
        const iw0 = ow * strideWidth - padLeft;
        const fwLo = Math.max(0, -iw0);
        const fwHi = Math.min(filterWidth, inWidth - iw0);
        if (fwHi <= fwLo) continue;
        const len = (fwHi - fwLo) * inChannels;
        for (let fh = fhLo; fh < fhHi; fh++) {
          const d = ((b * inHeight + ih0 + fh) * inWidth + iw0 + fwLo) * inChannels;
          const s = n * K + (fh * filterWidth + fwLo) * inChannels;
          for (let j = 0; j < len; j++) out[d + j] += c[s + j];
        }
      }
    }
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputKernel(),
};
