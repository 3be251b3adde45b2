/**
 * What autograde records: one result per submission (JSON, the input of feedback), and a CSV
 * gradebook over all of them. Files are replaced atomically, so an interrupted run never leaves a
 * half-written result and never loses one already written.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Cell, Notebook, Output } from './notebook';
import { determineGrade, gradeId, isGrade, isSolution } from './nbgrader';
import type { SubmissionNote } from './steps/sanitize';
import { stripAnsi } from './text';
import type { Exercise } from './exercises';
import { gradebookCsv, latePenalty, readSettings, type AssignmentSettings, type LateSubmission, type Learner } from './gradebook';

export const RESULT_FORMAT = 'tsdl-grade-result/1';

export type CellStatus = 'passed' | 'partial' | 'failed' | 'no-response' | 'needs-manual-grade' | 'graded-by-teacher' | 'deleted' | 'not-run';

export interface CellResult {
  gradeId: string;
  /** "test": an autograded test cell; "answer": a manually graded answer. */
  kind: 'test' | 'answer';
  score: number | null;
  maxScore: number;
  status: CellStatus;
  /** Why the cell lost points, for the learner. */
  reason?: string;
  /** The error the cell raised, tracebacks cleaned of terminal colours and capped. */
  error?: { ename: string; evalue: string; traceback: string[] };
  /** The start of anything the cell wrote to stderr. */
  stderr?: string;
  /**
   * For a person to look at (see grader/src/sandbox/harness.ts): "tampered" when the grading
   * helpers were changed before or while the test ran, or its report did not come back signed
   * (its points are then withheld); "no-check" when it passed without calling any check.
   */
  flag?: 'tampered' | 'no-check';
  /** Set when a teacher gave this cell's score: what the autograder gave (null: nothing). */
  autoScore?: number | null;
  /** The teacher's comment to the learner on this cell. */
  comment?: string;
}

export interface SubmissionResult {
  format: typeof RESULT_FORMAT;
  submission: string;
  /** The submitted file, as given. It is read, never written. */
  file: string;
  notebook: string;
  /** graded: ran; invalid: could not be read (scores 0); missing: no notebook where it should be (scores 0); error: the grader failed (regrade). */
  status: 'graded' | 'invalid' | 'missing' | 'error';
  score: number;
  maxScore: number;
  needsManualGrade: boolean;
  notes: SubmissionNote[];
  cells: CellResult[];
  /** For invalid and error results: what went wrong. */
  problem?: string;
  gradedAt: string;
  durationMs: number;
  /** The assignment's name: its settings' name, or the source notebook's file name without .ipynb. */
  assignment?: string;
  /** When the learner submitted: nbgrader's timestamp.txt beside the notebook, else the file's time. */
  submittedAt?: string;
  /** The notebook's exercises with the learner's answers (see exercises.ts). */
  exercises?: Exercise[];
  /** Set when the assignment has a due date (assignment.json). */
  dueAt?: string;
  /** The score before any late penalty; `score` is after it. */
  rawScore?: number;
  late?: LateSubmission;
  /** The teacher's comment on the whole submission. */
  comment?: string;
  /** From the course's roster (assignment.json), when it names this learner. */
  learner?: Learner;
}

export { stripAnsi };

const firstError = (outputs: Output[]) => outputs.find((o) => o.output_type === 'error');
const stderrText = (outputs: Output[]) =>
  outputs.flatMap((o) => (o.output_type === 'stream' && o.name === 'stderr' ? [o.text] : [])).join('');

function failureReason(outputs: Output[]): Pick<CellResult, 'reason' | 'error' | 'stderr'> {
  // nbgrader scores at the first error or stderr output; explain that one.
  for (const o of outputs) {
    if (o.output_type === 'error') {
      const traceback = o.traceback.map(stripAnsi).slice(0, 40);
      return { reason: `${o.ename}: ${stripAnsi(o.evalue)}`, error: { ename: o.ename, evalue: stripAnsi(o.evalue), traceback } };
    }
    if (o.output_type === 'stream' && o.name === 'stderr') {
      const stderr = stripAnsi(stderrText(outputs)).slice(0, 2000);
      const error = firstError(outputs);
      return {
        reason: `The cell wrote to stderr, which counts as a failure: ${stderr.trim().split('\n')[0]}`,
        stderr,
        ...(error?.output_type === 'error' ? { error: { ename: error.ename, evalue: stripAnsi(error.evalue), traceback: error.traceback.map(stripAnsi).slice(0, 40) } } : {}),
      };
    }
  }
  return {};
}

/** The "✗ ..." lines partialCredit prints for each check that failed. */
const failedChecks = (outputs: Output[]) =>
  outputs.flatMap((o) => (o.output_type === 'stream' && o.name === 'stdout' ? o.text.split('\n') : []))
    .filter((l) => l.startsWith('✗ ')).map((l) => stripAnsi(l.slice(2)).trim()).slice(0, 10);

/** nbgrader's SaveAutoGrades over an executed notebook, with reasons. */
export function gradeCells(nb: Notebook): CellResult[] {
  return nb.cells.filter(isGrade).map((cell: Cell): CellResult => {
    const id = gradeId(cell)!;
    const { score, max, warning } = determineGrade(cell);
    if (isSolution(cell) || cell.cell_type !== 'code') {
      return score === 0
        ? { gradeId: id, kind: 'answer', score, maxScore: max, status: 'no-response', reason: 'No response: the answer is still the one from the released notebook.' }
        : { gradeId: id, kind: 'answer', score, maxScore: max, status: 'needs-manual-grade' };
    }
    const outputs = cell.outputs ?? [];
    if (score === max) return { gradeId: id, kind: 'test', score, maxScore: max, status: 'passed', ...(warning ? { reason: warning } : {}) };
    if (score !== null && score > 0) {
      const failed = failedChecks(outputs);
      return { gradeId: id, kind: 'test', score, maxScore: max, status: 'partial', reason: `Partial credit: ${score} of ${max} points.${failed.length ? ` Failed: ${failed.join('; ')}` : ''}` };
    }
    const failed = failedChecks(outputs);
    const why = { ...(failed.length ? { reason: `0 of ${max} points. Failed: ${failed.join('; ')}` } : {}), ...failureReason(outputs) };
    const notRun = why.error?.ename === 'TotalTimeLimitExceeded' && why.error.evalue.startsWith('not run');
    return { gradeId: id, kind: 'test', score: 0, maxScore: max, status: notRun ? 'not-run' : 'failed', ...why, ...(warning && !why.reason ? { reason: warning } : {}) };
  });
}

/** Totals over graded cells; cells awaiting a person count 0 until graded. */
export function totals(cells: CellResult[]) {
  return {
    score: round(cells.reduce((n, c) => n + (c.score ?? 0), 0)),
    maxScore: round(cells.reduce((n, c) => n + c.maxScore, 0)),
    needsManualGrade: cells.some((c) => c.status === 'needs-manual-grade'),
  };
}
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Write via a temporary file and rename: readers see the old file or the new one, never a part. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(tmp, data, 'utf8');
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export const RESULT_FILE = 'result.json';

/** Every result.json one level below `dir`, in submission order. Unreadable files are skipped with a note. */
export async function readResults(dir: string): Promise<{ results: SubmissionResult[]; unreadable: string[] }> {
  const results: SubmissionResult[] = [];
  const unreadable: string[] = [];
  let entries: string[] = [];
  try {
    entries = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return { results, unreadable };
  }
  for (const name of entries) {
    const file = path.join(dir, name, RESULT_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const r = JSON.parse(text) as SubmissionResult;
      if (r.format === RESULT_FORMAT) results.push(r);
      else unreadable.push(file);
    } catch {
      unreadable.push(file);
    }
  }
  return { results, unreadable };
}

/**
 * What a teacher gave by hand, stored beside the autograder's result.json so that a re-run of
 * autograde keeps it: points and a comment per cell (a written answer, or an override of any
 * autograded score), and a comment on the whole submission.
 */
export interface ManualGrades {
  format: typeof MANUAL_FORMAT;
  cells: Record<string, { score?: number; comment?: string; gradedAt: string; answers?: string }>;
  comment?: string;
}
export const MANUAL_FORMAT = 'tsdl-grade-manual/1';
export const MANUAL_FILE = 'manual.json';

/**
 * The one place scores are put together: the autograder's result, the teacher's grades over it,
 * the late penalty after. Gradebook, results.json, feedback and `tsdl grade manual` all read
 * results through this, so they cannot disagree.
 */
export function finalResult(raw: SubmissionResult, manual: ManualGrades | undefined, settings: AssignmentSettings | undefined): SubmissionResult {
  const r: SubmissionResult = structuredClone(raw);
  for (const cell of r.cells) {
    const given = manual?.cells[cell.gradeId];
    if (given === undefined) continue;
    if (given.comment !== undefined) cell.comment = given.comment;
    if (given.score === undefined) continue;
    cell.autoScore = cell.score;
    cell.score = given.score;
    const now = answersDigest(r, cell.gradeId);
    if (given.answers !== undefined && now !== undefined && now !== given.answers) {
      // Graded by hand, then submitted again with another answer: the old grade stands until looked at.
      cell.status = 'needs-manual-grade';
      r.notes = [...r.notes, { cell: cell.gradeId, message: `The answer graded by hand in '${cell.gradeId}' (${given.score} points) has changed since; it keeps those points until graded again.` }];
    } else if (cell.kind === 'answer') {
      cell.status = 'graded-by-teacher';
    }
  }
  if (manual?.comment !== undefined) r.comment = manual.comment;
  Object.assign(r, totals(r.cells));
  if (settings?.name !== undefined) r.assignment = settings.name;
  const learner = settings?.learners?.[r.submission];
  if (learner) r.learner = learner;
  delete r.late;
  r.rawScore = r.score;
  if (settings?.due !== undefined) {
    r.dueAt = settings.due;
    const late = r.submittedAt === undefined ? undefined : latePenalty(r.submittedAt, settings, r.score);
    if (late) {
      r.late = late;
      r.score = round(Math.max(0, r.score - late.penalty));
    }
  }
  return r;
}

/** A digest of the learner's answers in the exercise of `gradeId`: what a grade given by hand was given for. */
export function answersDigest(r: SubmissionResult, gradeId: string): string | undefined {
  const exercise = r.exercises?.find((e) => e.gradeIds.includes(gradeId));
  if (!exercise) return undefined;
  return createHash('md5').update(JSON.stringify(exercise.answers.map((a) => a.source))).digest('hex');
}

export async function readManual(dir: string, submission: string): Promise<ManualGrades | undefined> {
  const file = path.join(dir, submission, MANUAL_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = JSON.parse(text) as ManualGrades;
  if (m.format !== MANUAL_FORMAT) throw new Error(`${file} is not a file of tsdl grade manual (format ${JSON.stringify(m.format)}); move it away and grade again`);
  return m;
}

/** Every result in `dir` with the teacher's grades and the late penalty applied. */
export async function loadResults(dir: string): Promise<{ results: SubmissionResult[]; unreadable: string[] }> {
  const { results, unreadable } = await readResults(dir);
  const settings = await readSettings(dir);
  const final: SubmissionResult[] = [];
  for (const r of results) final.push(finalResult(r, await readManual(dir, r.submission), settings));
  return { results: final, unreadable };
}

/** Rewrite results.json and gradebook.csv in `dir` from every per-submission result there. */
export async function writeGradebook(dir: string): Promise<SubmissionResult[]> {
  const { results } = await loadResults(dir);
  await writeFileAtomic(path.join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFileAtomic(path.join(dir, 'gradebook.csv'), gradebookCsv(results));
  return results;
}
