/**
 * From a chapter source to a notebook and back to what a benchmark wants to know: the notebook
 * a source builds into, and the numbers (`tsdl.report`) and outputs an executed notebook holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Notebook, TSDL_NOTEBOOK_METADATA } from '../../kernel/src/notebook/run';
import { METRICS_MIME } from '../../lib/src/report';
import { hashSource, parseChapterSource } from './source-format';

export const NOTEBOOKS_DIR = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []), 'notebooks');
export const SOURCE_DIR = path.join(NOTEBOOKS_DIR, 'source');

/** Chapter sources (`NN-slug.md`), sorted; `only` keeps those whose name starts with one of them. */
export function chapterSources(only: string[] = []): string[] {
  return fs.readdirSync(SOURCE_DIR)
    .filter((f) => /^\d\d-.*\.md$/.test(f))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort()
    .map((f) => path.join(SOURCE_DIR, f));
}

/** The notebook a chapter source builds into: notebooks/NN-slug.ipynb. */
export function notebookPathFor(source: string): string {
  return path.join(NOTEBOOKS_DIR, path.basename(source, '.md') + '.ipynb');
}

/** The unexecuted notebook for a source text. */
export function buildNotebook(text: string, file: string): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { ...TSDL_NOTEBOOK_METADATA.kernelspec },
      language_info: { ...TSDL_NOTEBOOK_METADATA.language_info },
      tsdl: { source: `source/${path.basename(file)}`, source_sha256: hashSource(text) },
    },
    cells: parseChapterSource(text, path.basename(file)).map((c) => ({
      ...c,
      ...(c.cell_type === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
  };
}

/** Every `tsdl.report(...)` in an executed notebook, merged in order. */
export function collectMetrics(nb: Notebook): Record<string, number | string> {
  const metrics: Record<string, number | string> = {};
  for (const cell of nb.cells) {
    for (const o of (cell.outputs ?? []) as Array<{ data?: Record<string, unknown> }>) {
      const m = o.data?.[METRICS_MIME];
      if (m && typeof m === 'object') Object.assign(metrics, m);
    }
  }
  return metrics;
}
