/**
 * What autograde records: one result per submission (JSON, the input of feedback), and a CSV
 * gradebook over all of them. Files are replaced atomically, so an interrupted run never leaves a
 * half-written result and never loses one already written.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Cell, Notebook, Output } from './notebook';
import { determineGrade, gradeId, isGrade, isSolution } from './nbgrader';
import type { SubmissionNote } from './steps/sanitize';

export const RESULT_FORMAT = 'tsdl-grade-result/1';

export type CellStatus = 'passed' | 'partial' | 'failed' | 'no-response' | 'needs-manual-grade' | 'deleted' | 'not-run';

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
}

export interface SubmissionResult {
  format: typeof RESULT_FORMAT;
  submission: string;
  /** The submitted file, as given. It is read, never written. */
  file: string;
  notebook: string;
  /** graded: ran; invalid: could not be read (scores 0); error: the grader failed (regrade). */
  status: 'graded' | 'invalid' | 'error';
  score: number;
  maxScore: number;
  needsManualGrade: boolean;
  notes: SubmissionNote[];
  cells: CellResult[];
  /** For invalid and error results: what went wrong. */
  problem?: string;
  gradedAt: string;
  durationMs: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
export const stripAnsi = (s: string) => s.replace(ANSI, '');

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

const csvField = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per submission, one column per graded cell (in the order they first appear). */
export function gradebookCsv(results: SubmissionResult[]): string {
  const ids: string[] = [];
  for (const r of results) for (const c of r.cells) if (!ids.includes(c.gradeId)) ids.push(c.gradeId);
  const header = ['submission', 'notebook', 'status', 'score', 'max_score', 'needs_manual_grade', ...ids, 'notes'];
  const rows = results.map((r) => {
    const byId = new Map(r.cells.map((c) => [c.gradeId, c.score]));
    return [r.submission, r.notebook, r.status, r.score, r.maxScore, r.needsManualGrade, ...ids.map((id) => byId.get(id) ?? ''), [r.problem, ...r.notes.map((n) => n.message)].filter(Boolean).join(' | ')];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Rewrite results.json and gradebook.csv in `dir` from every per-submission result there. */
export async function writeGradebook(dir: string): Promise<SubmissionResult[]> {
  const { results } = await readResults(dir);
  await writeFileAtomic(path.join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFileAtomic(path.join(dir, 'gradebook.csv'), gradebookCsv(results));
  return results;
}
