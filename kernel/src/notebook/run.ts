/**
 * `tsdl run notebook.ipynb`: execute a notebook headless on the tsdl kernel and write its outputs,
 * as `jupyter nbconvert --execute` would.
 */
import { KernelClient, NbOutput, StartOptions } from '../client';
import type { Cell, Notebook } from './format';

export { readNotebook, writeNotebook, type Notebook } from './format';

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
  onCell?: (index: number, total: number, cell: Cell) => void;
}

export interface RunResult {
  notebook: Notebook;
  /** Index and error of each failed cell. */
  errors: Array<{ cell: number; ename: string; evalue: string }>;
}

export async function runNotebook(nb: Notebook, options: RunOptions): Promise<RunResult> {
  const client = await KernelClient.start(options);
  const errors: RunResult['errors'] = [];
  const out: Notebook = structuredClone(nb);
  const codeCells = out.cells.filter((c) => c.cell_type === 'code');
  try {
    for (const [i, cell] of codeCells.entries()) {
      options.onCell?.(i, codeCells.length, cell);
      const result = await client.execute(cell.source, { timeoutMs: options.cellTimeoutMs, stopOnError: false });
      cell.outputs = mergeStreams(result.outputs);
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
