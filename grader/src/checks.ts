/**
 * Checks for exercise tests, with messages a learner can act on: what was checked, what was
 * expected, what came instead. Each throws a {@link CheckError} on failure, so a test cell fails
 * as nbgrader counts it; none writes to stderr (any stderr fails a test cell).
 *
 * Tensors are recognised by their shape, dtype and dataSync(), so this module needs no
 * TensorFlow.js import and works with any backend.
 *
 * @example
 * import { check } from "tsdl/grading";
 * check.close(sigmoid(0), 0.5);
 * check.shape(dense.apply(x), [32, 10], "the output of your layer");
 * check.equal(tokenize("a b"), ["a", "b"]);
 */

/** A failed check; its message says what was expected and what came instead. */
export class CheckError extends Error {
  override name = 'CheckError';
}

/** What this module treats as a tensor: TensorFlow.js tensors, or anything shaped like one. */
export interface TensorLike {
  shape: readonly number[];
  dtype: string;
  dataSync(): ArrayLike<number | string | boolean>;
}

export const isTensorLike = (v: unknown): v is TensorLike =>
  typeof v === 'object' && v !== null && Array.isArray((v as TensorLike).shape) && typeof (v as TensorLike).dtype === 'string' && typeof (v as TensorLike).dataSync === 'function';

export interface CloseOptions {
  /** Absolute tolerance (default 1e-6). */
  tol?: number;
  /** Relative tolerance, times |expected| (default 1e-6). A value passes within tol + rtol·|expected|. */
  rtol?: number;
}

const MAX_SHOWN = 8;

/** A short, readable form of a value for messages. */
export function describe(value: unknown): string {
  if (isTensorLike(value)) {
    const data = Array.from(value.dataSync());
    const shown = data.slice(0, MAX_SHOWN).map((x) => describe(x)).join(', ');
    return `tensor of shape [${value.shape.join(', ')}] (${value.dtype}) [${shown}${data.length > MAX_SHOWN ? ', …' : ''}]`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined (did the function forget to return?)';
  if (typeof value === 'function') return `a function (did you mean to call ${value.name || 'it'}?)`;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const arr = Array.from(value as ArrayLike<unknown>);
    return `[${arr.slice(0, MAX_SHOWN).map(describe).join(', ')}${arr.length > MAX_SHOWN ? `, … (${arr.length} items)` : ''}]`;
  }
  if (value instanceof Map) return `Map(${value.size}) {${[...value].slice(0, MAX_SHOWN).map(([k, v]) => `${describe(k)} => ${describe(v)}`).join(', ')}}`;
  if (value instanceof Set) return `Set(${value.size}) {${[...value].slice(0, MAX_SHOWN).map(describe).join(', ')}}`;
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      return json.length > 200 ? json.slice(0, 200) + '…' : json;
    } catch {
      return String(value);
    }
  }
  return String(value);
}

const label = (what: string | undefined) => (what ? `${what}: ` : '');

function fail(what: string | undefined, message: string): never {
  throw new CheckError(label(what) + message);
}

/** Flatten numbers, nested arrays, typed arrays and tensors into [shape, values]. */
function numeric(value: unknown, what: string | undefined, role: 'got' | 'expected'): { shape: number[]; values: number[] } {
  if (typeof value === 'number') return { shape: [], values: [value] };
  if (typeof value === 'bigint') return { shape: [], values: [Number(value)] };
  if (isTensorLike(value)) {
    return { shape: [...value.shape], values: Array.from(value.dataSync(), Number) };
  }
  if (ArrayBuffer.isView(value)) return { shape: [(value as unknown as ArrayLike<number>).length], values: Array.from(value as unknown as ArrayLike<number>, Number) };
  if (Array.isArray(value)) {
    if (value.length === 0) return { shape: [0], values: [] };
    const parts = value.map((v) => numeric(v, what, role));
    const inner = parts[0].shape;
    if (parts.some((p) => p.shape.join() !== inner.join())) fail(what, `${role === 'got' ? 'the value' : 'the expected value'} is a ragged array; each row needs the same length: ${describe(value)}`);
    return { shape: [value.length, ...inner], values: parts.flatMap((p) => p.values) };
  }
  if (role === 'got') fail(what, `expected a number, an array of numbers or a tensor, got ${describe(value)}`);
  throw new TypeError(`expectClose: the expected value must be numeric, got ${describe(value)}`);
}

const indexOf = (flat: number, shape: number[]) => {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
};

/**
 * Pass when `got` equals `expected` within tolerance, elementwise: numbers, (nested) arrays,
 * typed arrays or tensors, in any mix. Shapes must match.
 *
 * @example expectClose(softmax([1, 1]), [0.5, 0.5], { tol: 1e-4 }, "softmax([1, 1])");
 */
export function expectClose(got: unknown, expected: unknown, opts: CloseOptions = {}, what?: string): void {
  const tol = opts.tol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-6;
  const g = numeric(got, what, 'got');
  const e = numeric(expected, what, 'expected');
  if (g.shape.join() !== e.shape.join()) {
    fail(what, `expected shape [${e.shape.join(', ')}], got shape [${g.shape.join(', ')}]${shapeHint(g.shape, e.shape)}. Got ${describe(got)}`);
  }
  const bad: number[] = [];
  g.values.forEach((x, i) => {
    const y = e.values[i];
    const ok = Number.isNaN(y) ? Number.isNaN(x) : x === y || Math.abs(x - y) <= tol + rtol * Math.abs(y);
    if (!ok) bad.push(i);
  });
  if (bad.length === 0) return;
  const tolText = `within ${tol}${rtol ? ` + ${rtol}·|expected|` : ''}`;
  if (e.shape.length === 0) fail(what, `expected ${describe(e.values[0])} (${tolText}), got ${describe(g.values[0])}${nanHint(g.values[0])}`);
  const i = bad[0];
  fail(
    what,
    `${bad.length} of ${g.values.length} values differ; the first at index [${indexOf(i, e.shape).join(', ')}]: expected ${describe(e.values[i])} (${tolText}), got ${describe(g.values[i])}${nanHint(g.values[i])}`,
  );
}

const nanHint = (x: number) => (Number.isNaN(x) ? ' — NaN usually means a division by zero, log of 0, or a learning rate that is too large' : '');

function shapeHint(got: readonly number[], expected: readonly number[]): string {
  if (got.length === expected.length && got.length > 1 && [...got].sort().join() === [...expected].sort().join()) return ' (the same sizes in another order: a transpose or a mixed-up axis?)';
  if (got.length === expected.length + 1 && got[0] === 1) return ' (an extra leading axis of size 1: squeeze it?)';
  if (got.length + 1 === expected.length) return ' (one axis short: a missing batch axis, or a reduction over the wrong axis?)';
  return '';
}

/**
 * Pass when `tensor` has `shape`; null in `shape` matches any size (a batch axis, say).
 *
 * @example expectShape(model.predict(x), [null, 10], "the model's output");
 */
export function expectShape(tensor: unknown, shape: readonly (number | null)[], what?: string): void {
  const actual = isTensorLike(tensor) ? tensor.shape : Array.isArray(tensor) || ArrayBuffer.isView(tensor) ? numeric(tensor, what, 'got').shape : undefined;
  if (actual === undefined) fail(what, `expected a tensor of shape [${shape.map((s) => s ?? 'any').join(', ')}], got ${describe(tensor)}`);
  const ok = actual.length === shape.length && shape.every((s, i) => s === null || s === actual[i]);
  if (!ok) {
    const concrete = shape.map((s, i) => s ?? actual[i] ?? -1);
    fail(what, `expected shape [${shape.map((s) => s ?? 'any').join(', ')}], got [${actual.join(', ')}]${shapeHint(actual, concrete)}`);
  }
}

/** Pass when `tensor.dtype` is `dtype` ("float32", "int32", "bool", ...). */
export function expectDtype(tensor: unknown, dtype: string, what?: string): void {
  if (!isTensorLike(tensor)) fail(what, `expected a ${dtype} tensor, got ${describe(tensor)}`);
  if (tensor.dtype !== dtype) {
    const hint = dtype === 'float32' && tensor.dtype === 'int32' ? ' (create it from floats, or use .toFloat() / tf.cast(t, "float32"))' : dtype === 'int32' && tensor.dtype === 'float32' ? ' (use tf.cast(t, "int32"))' : '';
    fail(what, `expected dtype ${dtype}, got ${tensor.dtype}${hint}`);
  }
}

function firstDifference(got: unknown, expected: unknown, at: string): string | undefined {
  if (Object.is(got, expected)) return undefined;
  if (typeof got !== typeof expected || got === null || expected === null || typeof got !== 'object') {
    return `${at ? `at ${at}: ` : ''}expected ${describe(expected)}, got ${describe(got)}`;
  }
  if (isTensorLike(got) || isTensorLike(expected)) {
    return `${at ? `at ${at}: ` : ''}use expectClose to compare tensors (expected ${describe(expected)}, got ${describe(got)})`;
  }
  if (Array.isArray(expected) || ArrayBuffer.isView(expected)) {
    if (!(Array.isArray(got) || ArrayBuffer.isView(got))) return `${at ? `at ${at}: ` : ''}expected an array, got ${describe(got)}`;
    const g = Array.from(got as ArrayLike<unknown>);
    const e = Array.from(expected as ArrayLike<unknown>);
    if (g.length !== e.length) return `${at ? `at ${at}: ` : ''}expected ${e.length} items, got ${g.length}: ${describe(got)}`;
    for (let i = 0; i < e.length; i++) {
      const d = firstDifference(g[i], e[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (expected instanceof Map || expected instanceof Set) {
    return firstDifference(got instanceof Map || got instanceof Set ? [...got] : got, [...expected], at);
  }
  const gk = Object.keys(got as object);
  const ek = Object.keys(expected as object);
  const missing = ek.filter((k) => !gk.includes(k));
  if (missing.length) return `${at ? `at ${at}: ` : ''}missing ${missing.map((k) => JSON.stringify(k)).join(', ')} in ${describe(got)}`;
  const extra = gk.filter((k) => !ek.includes(k));
  if (extra.length) return `${at ? `at ${at}: ` : ''}unexpected ${extra.map((k) => JSON.stringify(k)).join(', ')} in ${describe(got)}`;
  for (const k of ek) {
    const d = firstDifference((got as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/**
 * Pass when `got` deep-equals `expected` (arrays, plain objects, Maps, Sets; numbers exactly —
 * use expectClose for floats). The message points at the first difference.
 */
export function expectEqual<T>(got: unknown, expected: T, what?: string): void {
  const d = firstDifference(got, expected, '');
  if (d) fail(what, d);
}

/** Pass when `condition` holds; `message` says what should have been true. */
export function expectTrue(condition: unknown, message: string): void {
  if (!condition) throw new CheckError(message);
}

/**
 * Pass when `fn()` throws, and (if given) its message matches `pattern` — for exercises that must
 * reject bad input with a clear error.
 */
export function expectThrows(fn: () => unknown, pattern?: RegExp, what?: string): void {
  let message: string;
  try {
    fn();
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
    if (pattern && !pattern.test(message)) fail(what, `expected an error whose message matches ${pattern}, got ${JSON.stringify(message)}`);
    return;
  }
  fail(what, 'expected an error, but nothing was thrown');
}

/**
 * Partial credit as nbgrader reads it: run each check, print why any failed (to stdout), and
 * return the points earned — leave the call as the last line of the test cell.
 *
 * @example
 * partialCredit(2, [
 *   () => expectClose(relu(-1), 0, {}, "relu(-1)"),
 *   () => expectClose(relu(3), 3, {}, "relu(3)"),
 * ]); // 1 if one of the two passes
 */
export function partialCredit(points: number, checks: readonly (() => void)[]): number {
  let passed = 0;
  for (const c of checks) {
    try {
      c();
      passed++;
    } catch (e) {
      console.log(`✗ ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return Math.round((points * passed) / Math.max(1, checks.length) * 1000) / 1000;
}

/**
 * The checks under short names: `check.close(...)`, `check.shape(...)`, and so on. Frozen, as are
 * CheckError and this module's exports: an answer cell that assigns `check.close = () => {}`
 * changes nothing (the autograder also hands each test cell its own copy, see
 * grader/src/sandbox/harness.ts).
 */
export const check = Object.freeze({
  close: expectClose,
  equal: expectEqual,
  shape: expectShape,
  dtype: expectDtype,
  true: expectTrue,
  throws: expectThrows,
  partialCredit,
});

Object.freeze(CheckError);
Object.freeze(CheckError.prototype);
// CommonJS exports are a plain, writable object: without this, `require("tsdl/grading").check =
// fake` would reach every later import of the module.
if (typeof module === 'object' && module !== null && typeof module.exports === 'object') Object.freeze(module.exports);
