/**
 * A notebook's exercises as a learner sees them: the prompt above an answer, the answer cells, and
 * the tests that grade them. nbgrader has no notion of an exercise (it grades cells), so one is
 * read from the layout every assignment has: a markdown prompt, then answer and test cells, until
 * the next prompt. From a graded notebook, each exercise also records the learner's answer code and
 * the first error that came from it, located in the answer cell itself — the cause a learner can
 * act on, where the test cell shows only a consequence ("Cannot find name 'relu'").
 */
import type { Cell, Notebook, Output } from './notebook';
import { gradeId, isGrade, isSolution, isTracked } from './nbgrader';
import { BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS } from './steps/release';
import { stripAnsi } from './text';

/** An error as a learner should see it: where in their own cell, and what. */
export interface SourceError {
  ename: string;
  /** The message without the kernel's "In[4]:2:44: " prefix. */
  message: string;
  /** 1-based, in the cell the error is reported against. */
  line?: number;
  column?: number;
}

export interface ExerciseAnswer {
  gradeId: string;
  cellType: Cell['cell_type'];
  /** The learner's answer as submitted (a written answer's text, or code). */
  source: string;
  /** The first error this cell raised when it ran, at its own line. */
  error?: SourceError;
}

export interface ExerciseTest {
  gradeId: string;
  /** The failure was raised by a line of a hidden test: its code and message stay private. */
  hidden?: boolean;
  /** The failure came from the learner's code: the answer cell, and the line in it. */
  cause?: { answer: string; line?: number; column?: number };
}

export interface Exercise {
  title: string;
  /** Every graded cell of the exercise (answers graded by a person, and tests), in order. */
  gradeIds: string[];
  answers: ExerciseAnswer[];
  tests: ExerciseTest[];
}

/** "In[4]:2:44" in an error message or a stack frame. */
const LOCATION = /In\[(\d+)\]:(\d+)(?::(\d+))?/g;

function locations(text: string): { count: number; line: number; column?: number }[] {
  return [...stripAnsi(text).matchAll(LOCATION)].map((m) => ({ count: Number(m[1]), line: Number(m[2]), ...(m[3] ? { column: Number(m[3]) } : {}) }));
}

const firstError = (outputs: Output[] | undefined) => outputs?.find((o): o is Extract<Output, { output_type: 'error' }> => o.output_type === 'error');

/** The cell's own error, with the location prefix the kernel puts on compile errors taken off. */
function ownError(cell: Cell): SourceError | undefined {
  const e = firstError(cell.outputs);
  if (!e) return undefined;
  const count = cell.execution_count;
  const evalue = stripAnsi(e.evalue);
  const prefixed = /^In\[(\d+)\]:(\d+)(?::(\d+))?:\s*(.*)$/s.exec(evalue);
  if (prefixed && Number(prefixed[1]) === count) {
    return { ename: e.ename, message: prefixed[4], line: Number(prefixed[2]), ...(prefixed[3] ? { column: Number(prefixed[3]) } : {}) };
  }
  const at = e.traceback.flatMap(locations).find((l) => l.count === count);
  return { ename: e.ename, message: evalue, ...(at ? { line: at.line, ...(at.column ? { column: at.column } : {}) } : {}) };
}

/** 1-based line numbers inside hidden test regions (the marker lines included). */
export function hiddenLines(source: string): Set<number> {
  const hidden = new Set<number>();
  let inside = false;
  source.split('\n').forEach((line, i) => {
    if (line.includes(BEGIN_HIDDEN_TESTS)) inside = true;
    if (inside) hidden.add(i + 1);
    if (line.includes(END_HIDDEN_TESTS)) inside = false;
  });
  return hidden;
}

/** A prompt's first line as a title: markdown marks taken off, cut at a sentence or 100 characters. */
export function titleOf(markdown: string): string | undefined {
  const line = markdown.split('\n').map((l) => l.trim()).find((l) => l !== '');
  if (line === undefined) return undefined;
  const plain = line
    .replace(/^#+\s*/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)/g, '')
    .replace(/<[^>]+>/g, '')
    .trim();
  if (plain === '') return undefined;
  return plain.length <= 100 ? plain : plain.slice(0, 99).replace(/\s+\S*$/, '') + '…';
}

const isPrompt = (cell: Cell) => cell.cell_type === 'markdown' && !isTracked(cell);

/**
 * The exercises of `reference` (the teacher's notebook: titles and hidden tests come from it, as a
 * learner may edit prompts), with answers and errors from `graded` (the submission as run) when given.
 */
export function describeExercises(reference: Notebook, graded?: Notebook): Exercise[] {
  const ran = new Map<string, Cell>();
  for (const cell of graded?.cells ?? []) {
    const id = gradeId(cell);
    if (id !== undefined && cell.metadata.nbgrader) ran.set(id, cell);
  }
  const exercises: Exercise[] = [];
  let prompt: Cell | undefined;
  let promptUsed = true;
  let current: Exercise | undefined;
  for (const cell of reference.cells) {
    if (isPrompt(cell)) {
      prompt = cell;
      promptUsed = false;
      continue;
    }
    const id = gradeId(cell);
    if (id === undefined || !(isGrade(cell) || isSolution(cell))) continue;
    if (current === undefined || !promptUsed) {
      current = { title: (prompt && titleOf(prompt.source)) ?? id, gradeIds: [], answers: [], tests: [] };
      exercises.push(current);
      promptUsed = true;
    }
    if (isGrade(cell)) current.gradeIds.push(id);
    const submitted = ran.get(id);
    if (isSolution(cell)) {
      if (submitted) {
        const error = submitted.cell_type === 'code' ? ownError(submitted) : undefined;
        current.answers.push({ gradeId: id, cellType: submitted.cell_type, source: submitted.source, ...(error ? { error } : {}) });
      }
    } else if (cell.cell_type === 'code') {
      current.tests.push({ gradeId: id, ...(submitted ? testFailure(cell, submitted, current, graded!) : {}) });
    }
  }
  return exercises;
}

/** Where a test cell's failure came from: a hidden line of the test, and the learner's code it ran. */
function testFailure(reference: Cell, ran: Cell, exercise: Exercise, graded: Notebook): Omit<ExerciseTest, 'gradeId'> {
  const e = firstError(ran.outputs);
  if (!e) return {};
  const frames = [...locations(e.evalue), ...e.traceback.flatMap(locations)];
  const own = frames.find((f) => f.count === ran.execution_count);
  const hidden = own !== undefined && hiddenLines(reference.source).has(own.line);
  // The learner's code: any answer cell of the notebook, this exercise's first.
  const answerCounts = new Map<number, string>();
  for (const cell of graded.cells) {
    const id = gradeId(cell);
    if (id !== undefined && isSolution(cell) && cell.cell_type === 'code' && typeof cell.execution_count === 'number') answerCounts.set(cell.execution_count, id);
  }
  const inAnswer = frames.find((f) => answerCounts.has(f.count));
  if (inAnswer) {
    return { ...(hidden ? { hidden } : {}), cause: { answer: answerCounts.get(inAnswer.count)!, line: inAnswer.line, ...(inAnswer.column ? { column: inAnswer.column } : {}) } };
  }
  // A test that fails because its exercise's answer did not run at all: that error is the cause.
  const broken = exercise.answers.find((a) => a.error);
  return { ...(hidden ? { hidden } : {}), ...(broken ? { cause: { answer: broken.gradeId, ...(broken.error!.line ? { line: broken.error!.line } : {}), ...(broken.error!.column ? { column: broken.error!.column } : {}) } } : {}) };
}
