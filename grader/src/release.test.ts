import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { releaseNotebook, sourceWarnings } from './release';
import { computeChecksum, gradeId } from './nbgrader';
import { readFixtureSource } from './__fixtures__/submissions';
import type { Notebook } from './notebook';
import { TYPESCRIPT_STUB } from './steps/release';

const cellById = (nb: Notebook, id: string) => nb.cells.find((c) => gradeId(c) === id)!;

describe('releaseNotebook', () => {
  it('replaces solution regions by an indented stub that throws "not implemented yet"', async () => {
    const { released } = await releaseNotebook(readFixtureSource());
    expect(cellById(released, 'relu').source).toBe(
      'function relu(x: number): number {\n  // YOUR CODE HERE\n  throw new Error("Not implemented yet: replace this line with your solution.");\n}',
    );
    expect(cellById(released, 'why_relu').source).toBe('YOUR ANSWER HERE');
  });

  it('removes hidden tests from the student version but keeps them in the reference', async () => {
    const { released, reference } = await releaseNotebook(readFixtureSource());
    expect(cellById(released, 'test_relu').source).not.toMatch(/HIDDEN|0\.25/);
    expect(cellById(reference, 'test_relu').source).toMatch(/relu\(0\.25\)/);
  });

  it('locks cells, clears outputs and sets checksums of the released text', async () => {
    const source = readFixtureSource();
    source.cells[1].outputs = [{ output_type: 'stream', name: 'stdout', text: 'leftover' }];
    source.cells[1].execution_count = 7;
    const { released } = await releaseNotebook(source);
    const test = cellById(released, 'test_relu');
    expect(test.metadata).toMatchObject({ deletable: false, editable: false });
    expect(cellById(released, 'relu').metadata).toMatchObject({ deletable: false });
    expect(cellById(released, 'relu').metadata.editable).toBeUndefined();
    expect(test.metadata.nbgrader?.checksum).toBe(computeChecksum(test));
    expect(test.metadata.nbgrader?.cell_type).toBe('code');
    expect(released.cells[1]).toMatchObject({ outputs: [], execution_count: null });
    expect(source.cells[1].outputs).toHaveLength(1); // the input is left alone
  });

  it('says what is wrong with a badly marked source', async () => {
    const unmarked = readFixtureSource();
    delete unmarked.cells[3].metadata.nbgrader;
    await expect(releaseNotebook(unmarked)).rejects.toThrow(/clearSolutions: cell 4 has a "BEGIN SOLUTION" region but is not a solution cell/);

    const unclosed = readFixtureSource();
    unclosed.cells[3].source = '// BEGIN SOLUTION\nreturn 1;';
    await expect(releaseNotebook(unclosed)).rejects.toThrow(/no matching "END SOLUTION"/);

    const python = readFixtureSource();
    python.metadata.kernelspec = { name: 'python3', display_name: 'Python 3', language: 'R' };
    await expect(releaseNotebook(python)).rejects.toThrow(/no solution stub for kernelspec language 'R'/);

    const duplicate = readFixtureSource();
    duplicate.cells[6].metadata.nbgrader!.grade_id = 'relu';
    await expect(releaseNotebook(duplicate)).rejects.toThrow(/duplicate grade_id 'relu'/);
  });

  it('uses the same stub as the nbgrader config the project ships', () => {
    const config = readFileSync(path.join(__dirname, '..', 'nbgrader', 'nbgrader_config.py'), 'utf8');
    const literal = /^TYPESCRIPT_STUB = (".*")$/m.exec(config)?.[1];
    expect(literal && JSON.parse(literal)).toBe(TYPESCRIPT_STUB);
  });
});

describe('cell ids', () => {
  const withoutIds = (minor: number) => {
    const nb = readFixtureSource();
    nb.nbformat_minor = minor;
    for (const c of nb.cells) delete c.id;
    return nb;
  };

  it('gives every cell of an nbformat 4.5 notebook a unique, stable id', async () => {
    const first = (await releaseNotebook(withoutIds(5))).released;
    const ids = first.cells.map((c) => c.id);
    expect(ids.every((id) => typeof id === 'string' && /^[a-zA-Z0-9-_]{1,64}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(cellById(first, 'test_relu').id).toBe('test_relu');
    expect((await releaseNotebook(withoutIds(5))).released.cells.map((c) => c.id)).toEqual(ids);
  });

  it('keeps existing ids, replaces duplicates, and leaves nbformat 4.4 (no ids in its schema) alone', async () => {
    const source = readFixtureSource();
    const kept = source.cells.map((c) => c.id);
    source.cells[2].id = source.cells[1].id;
    const released = (await releaseNotebook(source)).released;
    expect(released.cells[0].id).toBe(kept[0]);
    expect(released.cells[2].id).not.toBe(released.cells[1].id);
    expect((await releaseNotebook(withoutIds(4))).released.cells.some((c) => c.id !== undefined)).toBe(false);
  });
});

describe('sourceWarnings', () => {
  it('is silent for a source with solutions', () => {
    expect(sourceWarnings(readFixtureSource())).toEqual([]);
  });

  it('names the mix-up when the student version is passed as the source', async () => {
    const { released } = await releaseNotebook(readFixtureSource());
    const [warning] = sourceWarnings(released);
    expect(warning).toMatch(/looks like the student version: none of its answer cells holds a solution.*checksums.*no hidden tests either.*source\/ folder\) as --source/);
  });
});
