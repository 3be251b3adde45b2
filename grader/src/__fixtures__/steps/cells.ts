/**
 * Small notebooks built cell by cell, for tests of one grader step at a time (as nbgrader's
 * preprocessor tests build theirs with create_grade_cell and friends): each test states the few
 * cells it needs, so what a step does to them is visible in the test itself.
 */
import type { Cell, Notebook, Output } from '../../notebook';
import { gradeId, NBGRADER_SCHEMA_VERSION } from '../../nbgrader';

interface Flags {
  grade?: boolean;
  solution?: boolean;
  locked?: boolean;
  points?: number;
}

const nbgrader = (id: string, f: Flags) => ({
  schema_version: NBGRADER_SCHEMA_VERSION,
  grade: f.grade ?? false,
  solution: f.solution ?? false,
  locked: f.locked ?? false,
  grade_id: id,
  ...(f.points === undefined ? {} : { points: f.points }),
});

/** A plain code cell. */
export const code = (source: string, outputs: Output[] = []): Cell => ({ cell_type: 'code', source, metadata: {}, outputs, execution_count: null });
/** A plain markdown cell. */
export const markdown = (source: string): Cell => ({ cell_type: 'markdown', source, metadata: {} });
/** An autograded answer: the learner's code goes here. */
export const answer = (id: string, source: string): Cell => ({ ...code(source), metadata: { nbgrader: nbgrader(id, { solution: true }) } });
/** An autograded test cell ("Autograder tests"). */
export const test = (id: string, source: string, points = 1): Cell => ({ ...code(source), metadata: { nbgrader: nbgrader(id, { grade: true, points }) } });
/** A written answer, graded by a person ("Manually graded answer"). */
export const written = (id: string, source: string, points = 1): Cell => ({ ...markdown(source), metadata: { nbgrader: nbgrader(id, { grade: true, solution: true, points }) } });
/** A read-only code cell. */
export const readOnly = (id: string, source: string): Cell => ({ ...code(source), metadata: { nbgrader: nbgrader(id, { locked: true }) } });

export const TSDL_KERNELSPEC = { name: 'tsdl', display_name: 'TypeScript (tsdl)', language: 'typescript' };

/** An nbformat 4.5 notebook for the tsdl kernel holding `cells`. */
export const notebook = (...cells: Cell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { ...TSDL_KERNELSPEC } }, cells });

/** The cell with this grade_id; throws when there is none, so a test cannot pass by looking at nothing. */
export function cellOf(nb: Notebook, id: string): Cell {
  const cell = nb.cells.find((c) => gradeId(c) === id);
  if (cell === undefined) throw new Error(`no cell with grade_id '${id}' in the notebook (it has ${nb.cells.map((c) => gradeId(c) ?? c.cell_type).join(', ')})`);
  return cell;
}
