/**
 * `tsdl run notebook.ipynb`: execute a notebook headless on the tsdl kernel and write its outputs,
 * as `jupyter nbconvert --execute` would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelClient, NbOutput, StartOptions } from '../client';

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Reads and checks a notebook file; the error names the file and what is wrong with it. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read ${file}: ${(e as Error).message}`);
  }
  let nb: Partial<Notebook>;
  try {
    nb = JSON.parse(text) as Partial<Notebook>;
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); is it a notebook? Open it in a text editor to repair it.`);
  }
  if (typeof nb !== 'object' || nb === null || !Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new Error(`${file} is not an nbformat 4 notebook (no "cells" list or nbformat ≠ 4).`);
  }
  return nb as Notebook;
}

/** nbformat stores text as a list of lines; JupyterLab writes it that way too. */
function splitLines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function toStored(output: NbOutput): Record<string, unknown> {
  if (output.output_type === 'stream') return { ...output, text: splitLines(output.text) };
  if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
    const { transient: _t, ...rest } = output as typeof output & { transient?: unknown };
    const data = Object.fromEntries(Object.entries(output.data).map(([k, v]) =>
      [k, typeof v === 'string' && (k.startsWith('text/') || k === 'image/svg+xml') ? splitLines(v) : v]));
    return { ...rest, data };
  }
  return output;
}

/** Consecutive prints to the same stream become one output, as in a notebook frontend. */
function mergeStreams(outputs: NbOutput[]): NbOutput[] {
  const merged: NbOutput[] = [];
  for (const o of outputs) {
    const last = merged[merged.length - 1];
    if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) {
      merged[merged.length - 1] = { ...last, text: last.text + o.text };
    } else merged.push({ ...o });
  }
  return merged;
}

/** The kernelspec and language_info a notebook on the tsdl kernel carries. */
export const TSDL_NOTEBOOK_METADATA = {
  kernelspec: { name: 'tsdl', display_name: 'TypeScript (tsdl)', language: 'typescript' },
  language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
} as const;

const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

/**
 * Every widget model's last state, as JupyterLab saves it under `metadata.widgets`, so nbconvert
 * and nbviewer draw the widgets with their last values. Asked of the runtime by a cell that is not
 * stored (tsdl/widgets' `savedState`); undefined if the kernel cannot say.
 */
async function widgetState(client: KernelClient): Promise<unknown> {
  const result = await client.execute('import { savedState } from "tsdl/widgets";\nsavedState()', { storeHistory: false, timeoutMs: 30_000 })
    .catch(() => undefined);
  const data = result?.outputs.find((o) => o.output_type === 'execute_result');
  return data && 'data' in data ? data.data[WIDGET_STATE_MIME] : undefined;
}

export interface RunOptions extends StartOptions {
  /** Per-cell time limit; a cell over it is interrupted and counts as an error. */
  cellTimeoutMs?: number;
  /** Keep going after a cell fails (default: stop, like nbconvert). */
  allowErrors?: boolean;
  onCell?: (index: number, total: number, cell: NotebookCell) => void;
}

export interface RunResult {
  notebook: Notebook;
  /** Index and error of each failed cell. */
  errors: Array<{ cell: number; ename: string; evalue: string }>;
}

export async function runNotebook(nb: Notebook, options: RunOptions): Promise<RunResult> {
  const client = await KernelClient.start(options);
  const errors: RunResult['errors'] = [];
  const out: Notebook = JSON.parse(JSON.stringify(nb)) as Notebook;
  const codeCells = out.cells.filter((c) => c.cell_type === 'code');
  try {
    for (const [i, cell] of codeCells.entries()) {
      options.onCell?.(i, codeCells.length, cell);
      const result = await client.execute(cellSource(cell), { timeoutMs: options.cellTimeoutMs, stopOnError: false });
      cell.outputs = mergeStreams(result.outputs).map(toStored);
      cell.execution_count = result.executionCount;
      if (result.status === 'error') {
        const index = out.cells.indexOf(cell);
        const evalue = result.timedOut ? `timed out after ${options.cellTimeoutMs} ms (${result.error?.evalue})` : result.error?.evalue ?? '';
        errors.push({ cell: index, ename: result.error?.ename ?? 'Error', evalue });
        if (!options.allowErrors) break;
      }
    }
    if (codeCells.some((c) => JSON.stringify(c.outputs ?? []).includes(WIDGET_VIEW_MIME))) {
      const widgets = await widgetState(client);
      if (widgets) out.metadata.widgets = { [WIDGET_STATE_MIME]: widgets };
    }
  } finally {
    await client.shutdown();
  }
  out.metadata.kernelspec = { ...TSDL_NOTEBOOK_METADATA.kernelspec };
  out.metadata.language_info = { ...TSDL_NOTEBOOK_METADATA.language_info };
  return { notebook: out, errors };
}

/** Writes a notebook atomically (temp file + rename): a crash never leaves half a file. */
export function writeNotebook(file: string, nb: Notebook): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(nb, null, 1) + '\n');
  fs.renameSync(tmp, file);
}
