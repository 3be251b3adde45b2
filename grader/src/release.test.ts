import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { releaseNotebook } from './release';
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
