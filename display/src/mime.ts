/**
 * Turning any value into a Jupyter MIME bundle.
 *
 * Shared by the kernel (for a cell's last expression and `display(x)`) and by the library (plots,
 * tables). A value shows itself the way Deno's kernel lets it: by carrying a method under
 * `Symbol.for("Jupyter.display")` that returns a bundle. Tensors and danfo DataFrames are
 * recognised by shape (duck typing), so this module never has to import TensorFlow.js or danfo.
 */
import { inspect } from 'node:util';

/** MIME type → data. Text types carry strings; `application/json` and friends carry JSON values. */
export type MimeBundle = Record<string, unknown>;

/** The well-known symbol a value uses to display itself (same as Deno's kernel). */
export const DISPLAY_SYMBOL: unique symbol = Symbol.for('Jupyter.display') as never;

/** A value that knows its own rich representation. */
export interface Displayable {
  [DISPLAY_SYMBOL](): MimeBundle;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (typeof value === 'object' || typeof value === 'function') && value !== null &&
    typeof (value as Record<symbol, unknown>)[DISPLAY_SYMBOL] === 'function';
}

/** The parts of a tfjs Tensor we read; matched by shape so any tfjs copy works. */
interface TensorLike {
  shape: number[];
  dtype: string;
  size: number;
  isDisposed: boolean;
  arraySync(): unknown;
}

export function isTensorLike(value: unknown): value is TensorLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<TensorLike>;
  return Array.isArray(v.shape) && typeof v.dtype === 'string' && typeof v.arraySync === 'function' &&
    typeof v.size === 'number' && 'isDisposed' in v;
}

/** The parts of a danfo DataFrame we read. */
interface DataFrameLike {
  columns: string[];
  index: Array<string | number>;
  values: unknown[][];
  shape: number[];
}

export function isDataFrameLike(value: unknown): value is DataFrameLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<DataFrameLike> & { constructor?: { name?: string } };
  return v.constructor?.name === 'DataFrame' && Array.isArray(v.columns) && Array.isArray(v.values) &&
    Array.isArray(v.index);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Most rows a table shows before eliding the middle, like pandas' default. */
const MAX_TABLE_ROWS = 20;

/** An HTML table; rows beyond MAX_TABLE_ROWS are elided in the middle with a "…" row. */
export function htmlTable(columns: string[], rows: unknown[][], index?: Array<string | number>): string {
  const shown = rows.length > MAX_TABLE_ROWS
    ? [...rows.slice(0, MAX_TABLE_ROWS / 2).map((r, i) => [i, r] as const), null,
      ...rows.slice(-MAX_TABLE_ROWS / 2).map((r, i) => [rows.length - MAX_TABLE_ROWS / 2 + i, r] as const)]
    : rows.map((r, i) => [i, r] as const);
  const head = `<tr>${index ? '<th></th>' : ''}${columns.map((c) => `<th>${escapeHtml(String(c))}</th>`).join('')}</tr>`;
  const body = shown.map((entry) => {
    if (entry === null) return `<tr>${index ? '<th>…</th>' : ''}${columns.map(() => '<td>…</td>').join('')}</tr>`;
    const [i, row] = entry;
    const label = index ? `<th>${escapeHtml(String(index[i]))}</th>` : '';
    return `<tr>${label}${row.map((cell) => `<td>${escapeHtml(formatCell(cell))}</td>`).join('')}</tr>`;
  }).join('');
  return `<table class="tsdl-table"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function formatCell(cell: unknown): string {
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : cell.toPrecision(6).replace(/\.?0+$/, '');
  return typeof cell === 'string' ? cell : inspect(cell, { breakLength: Infinity });
}

function tensorBundle(t: TensorLike): MimeBundle {
  if (t.isDisposed) return { 'text/plain': `Tensor (disposed) shape=[${t.shape.join(',')}] dtype=${t.dtype}` };
  const header = `Tensor shape=[${t.shape.join(', ')}] dtype=${t.dtype}`;
  const values = t.size > 10_000 ? '(too many values to show: use .slice() to look at a part)' :
    inspect(t.arraySync(), { depth: Infinity, maxArrayLength: 100, breakLength: 100 });
  const bundle: MimeBundle = { 'text/plain': `${header}\n${values}` };
  if (t.shape.length === 2 && t.size <= 10_000) {
    const rows = t.arraySync() as unknown[][];
    const columns = Array.from({ length: t.shape[1] }, (_, i) => String(i));
    bundle['text/html'] = `<div><code>${escapeHtml(header)}</code>${htmlTable(columns, rows)}</div>`;
  }
  return bundle;
}

function dataFrameBundle(df: DataFrameLike): MimeBundle {
  const text = `DataFrame ${df.shape.join('×')}\n` + inspect(df.values.slice(0, 10), { breakLength: 120 });
  return { 'text/plain': text, 'text/html': htmlTable(df.columns, df.values, df.index) };
}

/**
 * The MIME bundle for any value: its own `Jupyter.display` bundle when it has one, a table for
 * tensors and DataFrames, and `util.inspect` text for everything else.
 */
export function toMimeBundle(value: unknown): MimeBundle {
  if (isDisplayable(value)) {
    const bundle = value[DISPLAY_SYMBOL]();
    return 'text/plain' in bundle ? bundle : { ...bundle, 'text/plain': plainText(value) };
  }
  if (isTensorLike(value)) return tensorBundle(value);
  if (isDataFrameLike(value)) return dataFrameBundle(value);
  return { 'text/plain': plainText(value) };
}

function plainText(value: unknown): string {
  return typeof value === 'string' ? inspect(value) : inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}
