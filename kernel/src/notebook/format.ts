/**
 * The notebook file format, nbformat v4, in one place: the kernel's `tsdl run`, its Jupyter
 * client's outputs, the grader and the curriculum tools all read and write notebooks through
 * this. Sources and text outputs are plain strings in memory, as nbformat's own reader holds
 * them; they are split back into lines when written, as nbformat writes them (sorted keys,
 * one-space indent), so a notebook tsdl writes diffs cleanly against one Jupyter wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type CellType = 'code' | 'markdown' | 'raw';

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export interface DataOutput {
  output_type: 'execute_result' | 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  /** A live display's id (display_data's `transient`): what a client sees, never written to a file. */
  transient?: Record<string, unknown>;
}
export type Output = StreamOutput | ErrorOutput | DataOutput;

export type CellMetadata = Record<string, unknown>;

export interface Cell {
  id?: string;
  cell_type: CellType;
  source: string;
  metadata: CellMetadata;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: unknown;
}

export interface KernelspecMetadata {
  name: string;
  display_name: string;
  language?: string;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: { kernelspec?: KernelspecMetadata; [key: string]: unknown };
  cells: Cell[];
}

/** Thrown for a file that is not a notebook tsdl can read; the message says why. */
export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** nbformat stores long strings as lists of lines; join them as nbformat's reader does. */
function joinMultiline(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((line) => typeof line === 'string')) return value.join('');
  throw new NotebookFormatError(`${what} must be a string or a list of strings`);
}

function readOutput(raw: unknown, where: string): Output {
  if (!isObject(raw)) throw new NotebookFormatError(`${where} is not an object`);
  switch (raw.output_type) {
    case 'stream':
      return { output_type: 'stream', name: raw.name === 'stderr' ? 'stderr' : 'stdout', text: joinMultiline(raw.text ?? '', `${where}.text`) };
    case 'error':
      return {
        output_type: 'error',
        ename: String(raw.ename ?? ''),
        evalue: String(raw.evalue ?? ''),
        traceback: Array.isArray(raw.traceback) ? raw.traceback.map(String) : [],
      };
    case 'execute_result':
    case 'display_data': {
      const data: Record<string, unknown> = {};
      for (const [mime, value] of Object.entries(isObject(raw.data) ? raw.data : {})) {
        // Only text-like bundles are multiline lists; JSON bundles stay as they are.
        data[mime] = mime.endsWith('json') || mime.includes('+json') ? value : joinMultiline(value, `${where}.data["${mime}"]`);
      }
      const out: DataOutput = { output_type: raw.output_type, data, metadata: isObject(raw.metadata) ? raw.metadata : {} };
      if (raw.output_type === 'execute_result') out.execution_count = typeof raw.execution_count === 'number' ? raw.execution_count : null;
      return out;
    }
    default:
      throw new NotebookFormatError(`${where} has an unknown output_type ${JSON.stringify(raw.output_type)}`);
  }
}

function readCell(raw: unknown, index: number): Cell {
  const where = `cell ${index + 1}`;
  if (!isObject(raw)) throw new NotebookFormatError(`${where} is not an object`);
  const type = raw.cell_type;
  if (type !== 'code' && type !== 'markdown' && type !== 'raw') {
    throw new NotebookFormatError(`${where} has cell_type ${JSON.stringify(type)}; expected "code", "markdown" or "raw"`);
  }
  const metadata = raw.metadata === undefined ? {} : raw.metadata;
  if (!isObject(metadata)) throw new NotebookFormatError(`${where} has metadata that is not an object`);
  const cell: Cell = { cell_type: type, source: joinMultiline(raw.source ?? '', `${where} source`), metadata: { ...metadata } };
  if (typeof raw.id === 'string') cell.id = raw.id;
  if (raw.attachments !== undefined) cell.attachments = raw.attachments;
  if (type === 'code') {
    const outputs = raw.outputs ?? [];
    if (!Array.isArray(outputs)) throw new NotebookFormatError(`${where} has outputs that are not a list`);
    cell.outputs = outputs.map((o, j) => readOutput(o, `${where} output ${j + 1}`));
    cell.execution_count = typeof raw.execution_count === 'number' ? raw.execution_count : null;
  }
  return cell;
}

/**
 * Parse a notebook file's text. Throws {@link NotebookFormatError} naming what is wrong, for
 * text that is not JSON or not an nbformat 4 notebook.
 */
export function parseNotebook(text: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`the file is not valid JSON (${(e as Error).message}); it may have been cut short or edited outside Jupyter`);
  }
  if (!isObject(raw)) throw new NotebookFormatError('the file is JSON but not a notebook (expected an object with "cells")');
  if (raw.nbformat !== 4) throw new NotebookFormatError(`the notebook has nbformat ${JSON.stringify(raw.nbformat)}; only nbformat 4 is supported`);
  if (!Array.isArray(raw.cells)) throw new NotebookFormatError('the notebook has no "cells" list');
  return {
    nbformat: 4,
    nbformat_minor: typeof raw.nbformat_minor === 'number' ? raw.nbformat_minor : 5,
    metadata: isObject(raw.metadata) ? { ...raw.metadata } : {},
    cells: raw.cells.map(readCell),
  };
}

/** Split as Python's `str.splitlines(keepends=True)` does for "\n" — nbformat's on-disk form. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
};

function cellToJson(cell: Cell): unknown {
  const out: Record<string, unknown> = { cell_type: cell.cell_type, metadata: cell.metadata, source: splitLines(cell.source) };
  if (cell.id !== undefined) out.id = cell.id;
  if (cell.attachments !== undefined) out.attachments = cell.attachments;
  if (cell.cell_type === 'code') {
    out.execution_count = cell.execution_count ?? null;
    out.outputs = (cell.outputs ?? []).map((o) => {
      if (o.output_type === 'stream') return { ...o, text: splitLines(o.text) };
      if (o.output_type === 'error') return o;
      const { transient: _live, ...stored } = o;
      const data: Record<string, unknown> = {};
      for (const [mime, v] of Object.entries(o.data)) data[mime] = typeof v === 'string' ? splitLines(v) : v;
      return { ...stored, data };
    });
  }
  return out;
}

/** Serialize as nbformat writes notebooks: sorted keys, one-space indent, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  const json = { cells: nb.cells.map(cellToJson), metadata: nb.metadata, nbformat: nb.nbformat, nbformat_minor: nb.nbformat_minor };
  return JSON.stringify(sortKeys(json), null, 1) + '\n';
}

/** A deep copy, so that each step can return a new notebook without touching its input. */
export function cloneNotebook(nb: Notebook): Notebook {
  return structuredClone(nb);
}

/** Reads a notebook file; the error names the file and what is wrong with it. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseNotebook(text);
  } catch (e) {
    if (e instanceof NotebookFormatError) throw new NotebookFormatError(`${file}: ${e.message}`);
    throw e;
  }
}

/** Writes a notebook atomically (temp file + rename): a crash never leaves half a file. */
export function writeNotebook(file: string, nb: Notebook): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, serializeNotebook(nb));
  fs.renameSync(tmp, file);
}
