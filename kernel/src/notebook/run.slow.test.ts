/**
 * `tsdl run`: a notebook executed headless gets its outputs written, atomically; a broken
 * notebook gets an error that names the file and the problem.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Notebook, readNotebook } from './run';

jest.setTimeout(120_000);

const repoRoot = path.resolve(__dirname, '../../..');
const tsdl = path.join(repoRoot, 'bin/tsdl.js');

function notebook(cells: string[]): Notebook {
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tsdl', display_name: 'TypeScript (tsdl)', language: 'typescript' } },
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
  };
}

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-run-')); });

test('tsdl run writes every cell\'s outputs, rich results included', () => {
  const file = path.join(dir, 'ok.ipynb');
  fs.writeFileSync(file, JSON.stringify(notebook([
    'const xs = [1, 2, 3];\nconsole.log("sum", xs.reduce((a, b) => a + b));',
    'display.html("<b>bold</b>");\nxs.length',
  ])));
  execFileSync(process.execPath, [tsdl, 'run', file, '--in-place'], { stdio: 'pipe' });
  // On disk as nbformat writes it: text as lists of lines.
  const out = JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
  expect(out.cells[0].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['sum 6\n'] }]);
  expect(out.cells[0].execution_count).toBe(1);
  expect(out.cells[1].outputs).toEqual([
    { output_type: 'display_data', data: { 'text/html': ['<b>bold</b>'] }, metadata: {} },
    { output_type: 'execute_result', data: { 'text/plain': ['3'] }, metadata: {}, execution_count: 2 },
  ]);
});

test('a failing cell stops the run, is reported, and the outputs so far are written', () => {
  const file = path.join(dir, 'fails.ipynb');
  const target = path.join(dir, 'fails.out.ipynb');
  fs.writeFileSync(file, JSON.stringify(notebook(['throw new Error("broken on purpose")', '"never runs"'])));
  const r = spawnSync(process.execPath, [tsdl, 'run', file, '--output', target], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/cell 0: Error: broken on purpose/);
  const out = readNotebook(target);
  expect(out.cells[0].outputs?.[0]).toMatchObject({ output_type: 'error', ename: 'Error', evalue: 'broken on purpose' });
  expect(out.cells[1].outputs).toEqual([]);
});

test('a notebook that is not valid JSON gets an error naming the file', () => {
  const file = path.join(dir, 'broken.ipynb');
  fs.writeFileSync(file, '{"cells": [');
  const r = spawnSync(process.execPath, [tsdl, 'run', file], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${file}: the file is not valid JSON`);
  expect(fs.readFileSync(file, 'utf8')).toBe('{"cells": [');
});
