/**
 * Each sanitize step alone, on a small released assignment: whatever a learner does to test cells,
 * read-only cells and grading settings, what is graded is the teacher's, and the note says so.
 * The same cases through the whole autograder are in ../autograde.test.ts.
 */
import { releaseNotebook } from '../release';
import type { Notebook } from '../notebook';
import type { Step } from '../pipeline';
import { gradeId } from '../nbgrader';
import { answer, cellOf, code, markdown, notebook, readOnly, test } from '../__fixtures__/steps/cells';
import { deduplicateIds, handleDeletedCells, overwriteKernelspec, restoreFromSource, type SanitizeContext } from './sanitize';

const source = notebook(
  readOnly('setup', 'import { check } from "tsdl/grading";'),
  markdown('Write `sq`.'),
  answer('sq', 'function sq(x: number) {\n  // BEGIN SOLUTION\n  return x * x;\n  // END SOLUTION\n}'),
  test('test_sq', 'check.close(sq(2), 4);\n// BEGIN HIDDEN TESTS\ncheck.close(sq(-3), 9);\n// END HIDDEN TESTS', 2),
  test('test_more', 'check.close(sq(0), 0);', 1),
);

let ctx: SanitizeContext;
beforeEach(async () => {
  const { reference, released } = await releaseNotebook(source);
  ctx = { reference, released, restoreDeletedCells: false, notes: [] };
});

/** The released notebook as a learner hands it in, after `edit`. */
const submitted = (edit: (nb: Notebook) => void = () => undefined) => {
  const nb = structuredClone(ctx.released);
  cellOf(nb, 'sq').source = 'function sq(x: number) {\n  return x ** 2;\n}';
  edit(nb);
  return nb;
};
const run = (s: Step<SanitizeContext>, nb: Notebook) => s.apply(nb, ctx);
const notes = () => ctx.notes.map((n) => n.message);

describe('restoreFromSource', () => {
  it('runs the hidden tests of an untouched test cell, and says nothing', async () => {
    const out = await run(restoreFromSource, submitted());
    expect(cellOf(out, 'test_sq').source).toContain('sq(-3)');
    expect(cellOf(out, 'sq').source).toContain('x ** 2'); // the learner's answer is what is graded
    expect(notes()).toEqual([]);
  });

  it('puts back a test cell the learner edited, hidden tests and all, with a note', async () => {
    const out = await run(restoreFromSource, submitted((nb) => (cellOf(nb, 'test_sq').source = '// all good')));
    expect(cellOf(out, 'test_sq').source).toBe(cellOf(ctx.reference, 'test_sq').source);
    expect(notes()).toEqual(["The test cell 'test_sq' was edited; your edits were ignored and the original cell was run."]);
  });

  it('puts back an edited read-only cell', async () => {
    const out = await run(restoreFromSource, submitted((nb) => (cellOf(nb, 'setup').source = 'const check = { close() {} };')));
    expect(cellOf(out, 'setup').source).toBe('import { check } from "tsdl/grading";');
    expect(notes()).toEqual(["The read-only cell 'setup' was edited; your edits were ignored and the original cell was run."]);
  });

  it("takes points and flags from the source, and ungrades a cell the learner marked as graded", async () => {
    const out = await run(restoreFromSource, submitted((nb) => {
      cellOf(nb, 'test_more').metadata.nbgrader!.points = 100;
      nb.cells.push(test('bonus', '1', 50));
    }));
    expect(cellOf(out, 'test_more').metadata.nbgrader?.points).toBe(1);
    expect(out.cells.map(gradeId)).not.toContain('bonus');
    expect(out.cells[out.cells.length - 1].source).toBe('1'); // it still runs, ungraded
    expect(notes()).toEqual([
      "The grading settings of cell 'test_more' were changed; the teacher's settings were used.",
      "Cell 'bonus' is not part of the assignment; it ran but was not graded.",
    ]);
  });

  it('turns a test cell changed to markdown back into code', async () => {
    const out = await run(restoreFromSource, submitted((nb) => {
      const t = cellOf(nb, 'test_more');
      t.cell_type = 'markdown';
      delete t.outputs;
      delete t.execution_count;
    }));
    expect(cellOf(out, 'test_more')).toMatchObject({ cell_type: 'code', source: 'check.close(sq(0), 0);', outputs: [], execution_count: null });
    expect(notes()).toEqual(["Cell 'test_more' was changed from code to markdown; it was changed back."]);
  });
});

describe('deduplicateIds', () => {
  it('grades only the last copy of a copied cell', async () => {
    const out = await run(deduplicateIds, submitted((nb) => nb.cells.splice(3, 0, structuredClone(cellOf(nb, 'test_sq')))));
    const copies = out.cells.filter((c) => c.source.startsWith('check.close(sq(2), 4)'));
    expect(copies.map(gradeId)).toEqual([undefined, 'test_sq']);
    expect(notes()).toEqual(["Cell 'test_sq' appeared more than once (a copied cell?); only the last copy is graded."]);
  });
});

describe('overwriteKernelspec', () => {
  it("runs the submission on the source's kernel whatever kernel the learner chose", async () => {
    const out = await run(overwriteKernelspec, submitted((nb) => (nb.metadata.kernelspec = { name: 'python3', display_name: 'Python 3', language: 'python' })));
    expect(out.metadata.kernelspec).toEqual(source.metadata.kernelspec);
  });
});

describe('handleDeletedCells', () => {
  const withoutTest = () => submitted((nb) => nb.cells.splice(nb.cells.indexOf(cellOf(nb, 'test_sq')), 1));

  it('notes a deleted test cell (it scores 0) and a deleted read-only cell, and adds nothing', async () => {
    const out = await run(handleDeletedCells, submitted((nb) => {
      nb.cells = nb.cells.filter((c) => !['test_sq', 'setup'].includes(gradeId(c) ?? ''));
    }));
    expect(out.cells.map(gradeId)).toEqual([undefined, 'sq', 'test_more']);
    expect(notes()).toEqual([
      "The read-only cell 'setup' was deleted from the notebook; cells after it may fail without it.",
      "The test cell 'test_sq' was deleted from the notebook, so it scores 0. Restore it from the released notebook and submit again.",
    ]);
  });

  it('with restoreDeletedCells, puts a deleted test cell back after the cell before it in the source, hidden tests and all', async () => {
    ctx.restoreDeletedCells = true;
    const nb = withoutTest();
    nb.cells.push(code('console.log("my own cell")'));
    const out = await run(handleDeletedCells, nb);
    expect(out.cells.map(gradeId)).toEqual(['setup', undefined, 'sq', 'test_sq', 'test_more', undefined]);
    expect(cellOf(out, 'test_sq').source).toContain('sq(-3)');
    expect(notes()).toEqual(["Cell 'test_sq' was deleted from the notebook; it was put back from the assignment and graded."]);
  });
});
