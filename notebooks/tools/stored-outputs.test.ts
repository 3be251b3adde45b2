/**
 * The notebooks in notebooks/ are built from notebooks/source/*.md and stored with the outputs of
 * a `default`-budget run (`npm run notebooks`). This keeps the two in step: a source edited
 * without re-running, or outputs edited by hand into a notebook whose code differs, fails here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Notebook, parseNotebook } from '../../kernel/src/notebook/format';
import { buildNotebook, chapterSources, notebookPathFor } from './chapter-notebook';

const sources = chapterSources();

/**
 * The course's notebooks: those git tracks, so that a learner's own notebook saved in notebooks/
 * (an Untitled.ipynb, a copy of a chapter) does not fail the tests. Learners work in learn/ (see
 * cli/src/workspace.ts); without git (an unpacked archive) every notebook in the folder counts.
 */
function courseNotebooks(dir: string): string[] {
  const all = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'));
  const tracked = spawnSync('git', ['ls-files', '-z', '--', '.'], { cwd: dir, encoding: 'utf8' });
  if (tracked.status !== 0 || tracked.error) return all;
  const inGit = new Set(tracked.stdout.split('\0').filter(Boolean).map((f) => path.basename(f)));
  // A chapter built from a new source but not committed yet still counts.
  const fromSource = new Set(sources.map((s) => path.basename(notebookPathFor(s))));
  return all.filter((f) => inGit.has(f) || fromSource.has(f));
}

test('every chapter has a source, and every source a stored notebook', () => {
  expect(sources.length).toBeGreaterThan(0);
  const notebooks = courseNotebooks(path.dirname(notebookPathFor(sources[0])));
  expect(notebooks.map((f) => f.replace(/\.ipynb$/, '.md')).sort()).toEqual(sources.map((s) => path.basename(s)).sort());
});

describe.each(sources.map((s) => [path.basename(s), s]))('%s', (_name, source) => {
  const expected = buildNotebook(fs.readFileSync(source, 'utf8'), source);
  const stored = parseNotebook(fs.readFileSync(notebookPathFor(source), 'utf8'));
  const tsdlMeta = stored.metadata.tsdl as { source_sha256?: string; budget?: string } | undefined;

  test('was executed from the current source under the default budget (run `npm run notebooks -- NN`)', () => {
    expect(tsdlMeta?.source_sha256).toBe((expected.metadata.tsdl as { source_sha256: string }).source_sha256);
    expect(tsdlMeta?.budget).toBe('default');
  });

  // Fails too for a chapter edited in JupyterLab (in learn/teacher/): `git diff notebooks/` shows it.
  test('holds the source cells unchanged', () => {
    const shape = (nb: Notebook) => nb.cells.map((c) => ({ type: c.cell_type, id: c.id, source: c.source, metadata: c.metadata }));
    expect(shape(stored)).toEqual(shape(expected));
  });

  test('has every code cell executed, in order, without errors', () => {
    const code = stored.cells.filter((c) => c.cell_type === 'code');
    expect(code.map((c) => c.execution_count)).toEqual(code.map((_, i) => i + 1));
    const errors = code.flatMap((c) => (c.outputs ?? []) as Array<{ output_type: string; ename?: string }>).filter((o) => o.output_type === 'error');
    expect(errors).toEqual([]);
  });
});
