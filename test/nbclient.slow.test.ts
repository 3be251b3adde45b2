/**
 * nbclient (what `jupyter execute`, nbconvert --execute, papermill and nbgrader's autograder use)
 * runs test/fixtures/nbclient-smoke.ipynb headless on the tsdl kernel; the outputs it writes are
 * what a user would see in the saved notebook.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, runCaptured, setUpJupyter, JupyterSetup } from './helpers/jupyter';

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: Output[];
}

const join = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join('') : (s ?? ''));

let jupyter: JupyterSetup;
let workDir: string;
beforeAll(async () => {
  jupyter = await setUpJupyter();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'tsdl-nbclient-'));
}, 15 * 60_000);
afterAll(() => {
  jupyter?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('jupyter execute runs a notebook on the tsdl kernel and saves its outputs', async () => {
  const input = path.join(root, 'test', 'fixtures', 'nbclient-smoke.ipynb');
  const output = path.join(workDir, 'executed.ipynb');
  const args = ['execute', `--kernel_name=${jupyter.kernelName}`, '--allow-errors', '--timeout=120', '--startup_timeout=120', `--output=${output}`, input];
  const run = await runCaptured(jupyter.jupyter, args, { cwd: workDir, env: jupyter.env, timeoutMs: 5 * 60_000 });
  if (run.code !== 0) throw new Error(`jupyter execute failed (exit ${run.code}):\n${run.output}`);

  const cells = (JSON.parse(readFileSync(output, 'utf8')) as { cells: Cell[] }).cells.filter((c) => c.cell_type === 'code');
  const [hello, sum, html, awaited, thrown, after] = cells.map((c) => c.outputs ?? []);
  try {
    expect(cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(hello.filter((o) => o.output_type === 'stream' && o.name === 'stdout').map((o) => join(o.text)).join('')).toContain('hello from tsdl');
    expect(join(sum.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'])).toBe('6');
    expect(join(html.find((o) => o.output_type === 'display_data')?.data?.['text/html'])).toContain('<b>total=6</b>');
    expect(join(awaited.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'])).toBe('2');
    expect(thrown.find((o) => o.output_type === 'error')).toMatchObject({ ename: 'Error', evalue: expect.stringContaining('expected failure') });
    // State survives a failed cell.
    expect(join(after.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'])).toBe('60');
  } catch (err) {
    (err as Error).message += `\n\nThe notebook as executed:\n${JSON.stringify(cells, null, 1)}`;
    throw err;
  }
}, 6 * 60_000);
