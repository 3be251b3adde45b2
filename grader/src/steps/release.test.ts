/**
 * Each release step alone, on a few cells, as nbgrader tests its preprocessors: what the student
 * version shows (stubs, no hidden tests, locks, no outputs) and what a badly marked source is told.
 * The whole release pipeline on the ps1 fixture is in ../release.test.ts.
 */
import { computeChecksum } from '../nbgrader';
import type { Notebook } from '../notebook';
import type { Step } from '../pipeline';
import { answer, cellOf, code, markdown, notebook, readOnly, test, written } from '../__fixtures__/steps/cells';
import {
  assignCellIds,
  checkCellMetadata,
  clearHiddenTests,
  clearOutputs,
  clearSolutions,
  computeChecksums,
  defaultReleaseContext,
  lockCells,
  TYPESCRIPT_STUB,
  type ReleaseContext,
} from './release';

const apply = async (s: Step<ReleaseContext>, nb: Notebook) => s.apply(nb, defaultReleaseContext());
const STUB = TYPESCRIPT_STUB.split('\n');

describe('clearSolutions', () => {
  it('replaces a solution region by the stub, indented like the region, and keeps the code around it', async () => {
    const nb = notebook(answer('sq', 'function sq(x: number): number {\n    // BEGIN SOLUTION\n    return x * x;\n    // END SOLUTION\n}'));
    const out = await apply(clearSolutions, nb);
    expect(cellOf(out, 'sq').source).toBe(['function sq(x: number): number {', ...STUB.map((l) => `    ${l}`), '}'].join('\n'));
    expect(cellOf(out, 'sq').source).not.toContain('x * x');
    expect(cellOf(nb, 'sq').source).toContain('x * x'); // the teacher's notebook is not touched
  });

  it('replaces every region of a cell, and a solution cell without markers whole', async () => {
    const out = await apply(clearSolutions, notebook(
      answer('two', '// BEGIN SOLUTION\nconst a = 1;\n// END SOLUTION\nconst between = 0;\n// BEGIN SOLUTION\nconst b = 2;\n// END SOLUTION'),
      answer('whole', 'const secret = 42;'),
    ));
    expect(cellOf(out, 'two').source).toBe([...STUB, 'const between = 0;', ...STUB].join('\n'));
    expect(cellOf(out, 'whole').source).toBe(TYPESCRIPT_STUB);
  });

  it('gives a written answer the text stub, and leaves cells that are not answers alone', async () => {
    const out = await apply(clearSolutions, notebook(written('essay', 'Because gradients do not vanish.'), markdown('Read this.'), code('const x = 1;'), test('t', 'check.true(true);')));
    expect(cellOf(out, 'essay').source).toBe('YOUR ANSWER HERE');
    expect(out.cells.slice(1).map((c) => c.source)).toEqual(['Read this.', 'const x = 1;', 'check.true(true);']);
  });

  it('refuses a solution region outside an answer cell, an unclosed region and a nested one, naming the cell', async () => {
    await expect(apply(clearSolutions, notebook(markdown('intro'), code('// BEGIN SOLUTION\nx\n// END SOLUTION')))).rejects.toThrow(/cell 2 has a "BEGIN SOLUTION" region but is not a solution cell; mark it/);
    await expect(apply(clearSolutions, notebook(answer('a', '// BEGIN SOLUTION\nx')))).rejects.toThrow(/"BEGIN SOLUTION" line has no matching "END SOLUTION"/);
    await expect(apply(clearSolutions, notebook(answer('a', '// BEGIN SOLUTION\n// BEGIN SOLUTION\nx\n// END SOLUTION')))).rejects.toThrow(/nested "BEGIN SOLUTION"/);
  });

  it('refuses a notebook whose kernel language has no stub, and drops the Create Assignment toolbar', async () => {
    const r = notebook(answer('a', 'x'));
    r.metadata.kernelspec = { name: 'ir', display_name: 'R', language: 'R' };
    await expect(apply(clearSolutions, r)).rejects.toThrow(/no solution stub for kernelspec language 'R'/);
    const withToolbar = notebook(answer('a', 'x'));
    withToolbar.metadata.celltoolbar = 'Create Assignment';
    expect((await apply(clearSolutions, withToolbar)).metadata.celltoolbar).toBeUndefined();
  });
});

describe('clearHiddenTests', () => {
  it('removes hidden test regions from a test cell and keeps its visible checks', async () => {
    const nb = notebook(test('t', 'check.close(f(1), 1);\n// BEGIN HIDDEN TESTS\ncheck.close(f(7), 49);\n// END HIDDEN TESTS\ncheck.close(f(2), 4);'));
    const out = await apply(clearHiddenTests, nb);
    expect(cellOf(out, 't').source).toBe('check.close(f(1), 1);\ncheck.close(f(2), 4);');
    expect(cellOf(nb, 't').source).toContain('f(7)');
  });

  it('refuses hidden tests outside a test cell, where they would be shown', async () => {
    await expect(apply(clearHiddenTests, notebook(answer('a', '// BEGIN HIDDEN TESTS\nsecret();\n// END HIDDEN TESTS')))).rejects.toThrow(/cell 1 has a "BEGIN HIDDEN TESTS" region but is not a grade cell/);
  });
});

describe('lockCells', () => {
  it('locks test and read-only cells against edits and deletion; an answer can be edited but not deleted', async () => {
    const out = await apply(lockCells, notebook(answer('a', 'x'), test('t', 'y'), readOnly('setup', 'z'), code('free')));
    expect(cellOf(out, 't').metadata).toMatchObject({ editable: false, deletable: false });
    expect(cellOf(out, 'setup').metadata).toMatchObject({ editable: false, deletable: false });
    expect(cellOf(out, 'a').metadata).toMatchObject({ deletable: false });
    expect(cellOf(out, 'a').metadata.editable).toBeUndefined();
    expect(out.cells[3].metadata).toEqual({});
  });
});

describe('clearOutputs', () => {
  it("removes the teacher's outputs and execution counts, and how they were shown", async () => {
    const ran = code('console.log(answer)', [{ output_type: 'stream', name: 'stdout', text: '42\n' }]);
    ran.execution_count = 3;
    ran.metadata = { collapsed: true, scrolled: true, tags: ['keep'] };
    const out = await apply(clearOutputs, notebook(ran, markdown('text')));
    expect(out.cells[0]).toMatchObject({ outputs: [], execution_count: null, metadata: { tags: ['keep'] } });
    expect(out.cells[0].metadata).not.toHaveProperty('collapsed');
    expect(out.cells[0].metadata).not.toHaveProperty('scrolled');
    expect(out.cells[1]).toEqual(markdown('text'));
  });
});

describe('computeChecksums', () => {
  it('records the checksum of each graded, answer and read-only cell, so autograde can tell an edited one', async () => {
    const out = await apply(computeChecksums, notebook(answer('a', 'x'), test('t', 'y', 2), readOnly('r', 'z'), code('free')));
    for (const id of ['a', 't', 'r']) {
      const cell = cellOf(out, id);
      expect(cell.metadata.nbgrader?.checksum).toBe(computeChecksum(cell));
      expect(cell.metadata.nbgrader?.cell_type).toBe('code');
    }
    const edited = structuredClone(cellOf(out, 't'));
    edited.source = 'y; // changed';
    expect(computeChecksum(edited)).not.toBe(cellOf(out, 't').metadata.nbgrader?.checksum);
    expect(out.cells[3].metadata).toEqual({});
  });
});

describe('checkCellMetadata', () => {
  it('refuses inconsistent nbgrader metadata, naming the cell and the fix', async () => {
    await expect(apply(checkCellMetadata, notebook(test('t', 'a'), test('t', 'b')))).rejects.toThrow(/duplicate grade_id 't' \(cell 2 \('t'\)\)/);
    const noPoints = test('t', 'a');
    delete noPoints.metadata.nbgrader!.points;
    await expect(apply(checkCellMetadata, notebook(noPoints))).rejects.toThrow(/cell 1 \('t'\) is a grade cell and needs points/);
    const gradedText = written('w', 'text');
    gradedText.metadata.nbgrader!.solution = false;
    await expect(apply(checkCellMetadata, notebook(gradedText))).rejects.toThrow(/markdown grade cell but not marked as a solution/);
    await expect(apply(checkCellMetadata, notebook(answer('a', 'x'), test('t', 'y'), written('w', 'z')))).resolves.toBeDefined();
  });
});

describe('assignCellIds', () => {
  it('gives a graded cell its grade_id as id and every other cell a unique one, keeping ids already there', async () => {
    const kept = markdown('intro');
    kept.id = 'intro-1';
    const out = await apply(assignCellIds, notebook(kept, test('test_f', 'x'), code('a'), code('a')));
    expect(out.cells.map((c) => c.id).slice(0, 2)).toEqual(['intro-1', 'test_f']);
    expect(new Set(out.cells.map((c) => c.id)).size).toBe(4);
  });
});
