/**
 * The compiler thread's idle training: its cells must exercise the checker and emitter (so they
 * must compile) and must leave nothing behind in the notebook (they are never committed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CellCompiler } from './cell-compiler';
import { trainingCells } from './jit-training';

const repoRoot = path.resolve(__dirname, '../../..');
let compiler: CellCompiler;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-training-'));
  compiler = new CellCompiler({
    notebookDir: dir, kernelRoot: repoRoot,
    globalDeclarationFiles: [path.join(repoRoot, 'kernel/src/runtime/notebook-globals.ts')],
  });
});

test('every training cell type-checks and emits JavaScript', () => {
  for (const cell of trainingCells()) {
    const compiled = compiler.compile(cell, 0);
    expect({ cell: cell.slice(0, 40), errors: compiled.diagnostics.map((d) => d.message) }).toEqual({ cell: cell.slice(0, 40), errors: [] });
    expect(compiled.ok).toBe(true);
    expect(compiled.js).toMatch(/^\(async \(\) => \{/);
  }
});

test("the training's names never reach the notebook, and the notebook's stay", () => {
  const mine = compiler.compile('const mine = 41;', 0);
  compiler.commit(mine, 0);
  for (const cell of trainingCells()) compiler.warmUp(cell);
  expect(compiler.compile('mine + 1', 1).ok).toBe(true);
  const leaked = compiler.compile('values_0.length + total_0', 2);
  expect(leaked.ok).toBe(false);
  expect(leaked.diagnostics.map((d) => d.message).join('\n')).toMatch(/Cannot find name 'values_0'/);
});
