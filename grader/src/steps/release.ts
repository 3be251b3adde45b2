/**
 * The steps that turn a teacher's source notebook into the student version, each a port of the
 * nbgrader preprocessor of the same name (nbgrader/preprocessors/*.py).
 */
import { createHash } from 'node:crypto';
import { step } from '../pipeline';
import { computeChecksum, gradeId, isGrade, isLocked, isSolution, validateNbgraderMetadata } from '../nbgrader';

export interface ReleaseContext {
  /** Replaces a solution region in code cells; keyed by kernelspec language. */
  codeStubs: Record<string, string>;
  /** Replaces a written (markdown) solution. */
  textStub: string;
}

/**
 * The stub a learner sees where a solution was. It throws, so the tests below it fail with a
 * message saying what to do rather than a confusing ReferenceError. Keep it in step with
 * grader/nbgrader/nbgrader_config.py, so both tools release the same notebook.
 */
export const TYPESCRIPT_STUB = '// YOUR CODE HERE\nthrow new Error("Not implemented yet: replace this line with your solution.");';

export const defaultReleaseContext = (): ReleaseContext => ({
  codeStubs: { typescript: TYPESCRIPT_STUB, javascript: TYPESCRIPT_STUB },
  textStub: 'YOUR ANSWER HERE',
});

export const BEGIN_SOLUTION = 'BEGIN SOLUTION';
export const END_SOLUTION = 'END SOLUTION';
export const BEGIN_HIDDEN_TESTS = 'BEGIN HIDDEN TESTS';
export const END_HIDDEN_TESTS = 'END HIDDEN TESTS';

/** nbgrader's CheckCellMetadata: refuse notebooks whose nbgrader metadata is inconsistent. */
export const checkCellMetadata = step<unknown>('checkCellMetadata', (nb) => validateNbgraderMetadata(nb));

/** nbgrader's LockCells: Jupyter's own deletable/editable flags, with nbgrader's defaults. */
export const lockCells = step<unknown>('lockCells', (nb) => {
  for (const cell of nb.cells) {
    if (isSolution(cell)) {
      cell.metadata.deletable = false;
    } else if (isGrade(cell) || isLocked(cell)) {
      cell.metadata.deletable = false;
      cell.metadata.editable = false;
    }
  }
});

/**
 * Replace each line range from a line containing `begin` to one containing `end` by `stub` lines
 * indented like the begin line. Returns null when the source has no such region.
 */
export function replaceRegions(source: string, begin: string, end: string, stub: string[] | null, what: string): string | null {
  const out: string[] = [];
  let inside = false;
  let found = false;
  for (const line of source.split('\n')) {
    if (line.includes(begin)) {
      if (inside) throw new Error(`nested "${begin}" lines in a cell; close each ${what} with "${end}" before starting another`);
      inside = true;
      found = true;
      const indent = /^\s*/.exec(line)![0];
      for (const s of stub ?? []) out.push(indent + s);
    } else if (line.includes(end)) {
      inside = false;
    } else if (!inside) {
      out.push(line);
    }
  }
  if (inside) throw new Error(`a "${begin}" line has no matching "${end}" line`);
  return found ? out.join('\n') : null;
}

/** nbgrader's ClearSolutions: solution regions, or whole solution cells, become the stub. */
export const clearSolutions = step<ReleaseContext>('clearSolutions', (nb, ctx) => {
  const language = nb.metadata.kernelspec?.language ?? 'python';
  const codeStub = ctx.codeStubs[language];
  if (codeStub === undefined) {
    throw new Error(`no solution stub for kernelspec language '${language}'; is this notebook's kernel tsdl (TypeScript)?`);
  }
  nb.cells.forEach((cell, i) => {
    const stub = (cell.cell_type === 'code' ? codeStub : ctx.textStub).split('\n');
    const replaced = replaceRegions(cell.source, BEGIN_SOLUTION, END_SOLUTION, stub, 'solution');
    if (replaced !== null) {
      if (!isSolution(cell)) {
        throw new Error(`cell ${i + 1} has a "${BEGIN_SOLUTION}" region but is not a solution cell; mark it "Autograded answer" or "Manually graded answer"`);
      }
      cell.source = replaced;
    } else if (isSolution(cell)) {
      cell.source = stub.join('\n');
    }
  });
  delete nb.metadata.celltoolbar;
});

/** nbconvert's ClearOutputPreprocessor, as nbgrader uses it. */
export const clearOutputs = step<unknown>('clearOutputs', (nb) => {
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata.collapsed;
    delete cell.metadata.scrolled;
  }
});

/** nbgrader's ComputeChecksums: what lets autograde tell a changed cell from an untouched one. */
export const computeChecksums = step<unknown>('computeChecksums', (nb) => {
  for (const cell of nb.cells) {
    if (!(isGrade(cell) || isSolution(cell) || isLocked(cell))) continue;
    cell.metadata.nbgrader!.checksum = computeChecksum(cell);
    cell.metadata.nbgrader!.cell_type = cell.cell_type;
  }
});

/** nbgrader's ClearHiddenTests: hidden test regions leave the student version entirely. */
export const clearHiddenTests = step<unknown>('clearHiddenTests', (nb) => {
  nb.cells.forEach((cell, i) => {
    const replaced = replaceRegions(cell.source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS, null, 'hidden test region');
    if (replaced === null) return;
    if (!isGrade(cell)) {
      throw new Error(`cell ${i + 1} has a "${BEGIN_HIDDEN_TESTS}" region but is not a grade cell; mark it "Autograder tests"`);
    }
    cell.source = replaced;
  });
  delete nb.metadata.celltoolbar;
});

/** nbformat's cell id rule (nbformat 4.5, `nbformat.v4.nbformat.schema.json`). */
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * nbformat 4.5 requires every cell to have an id; without one nbformat warns
 * (MissingIDFieldWarning) and will one day refuse the notebook. nbgrader's generate_assignment
 * fills missing ids with random ones as nbformat reads the source; here they are stable, so that
 * releasing the same source twice writes the same file: a graded cell takes its grade_id, any
 * other cell a hash of its position and text. Existing unique ids are kept, duplicates replaced.
 * Notebooks older than 4.5 have no ids in their schema and are left as they are, as nbgrader does.
 */
export const assignCellIds = step<unknown>('assignCellIds', (nb) => {
  if (nb.nbformat < 4 || (nb.nbformat === 4 && nb.nbformat_minor < 5)) return;
  const used = new Set<string>();
  const needs: number[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.id !== undefined && CELL_ID.test(cell.id) && !used.has(cell.id)) used.add(cell.id);
    else needs.push(i);
  });
  for (const i of needs) {
    const cell = nb.cells[i];
    const id = gradeId(cell);
    let candidate = id !== undefined && CELL_ID.test(id) ? id : createHash('md5').update(`${i}\n${cell.cell_type}\n${cell.source}`).digest('hex').slice(0, 8);
    for (let n = 2; used.has(candidate); n++) candidate = `${candidate.slice(0, 60)}-${n}`;
    used.add(candidate);
    cell.id = candidate;
  }
});
