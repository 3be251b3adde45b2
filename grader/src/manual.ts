/**
 * `tsdl grade manual`: a teacher's points and comments, for written answers (nbgrader's manually
 * graded cells) and as an override of any autograded score. They are kept in manual.json beside
 * each result.json, so re-running autograde keeps them, and every output that shows a score
 * (results.json, gradebook.csv, feedback.html) is rewritten from the same merged result at once.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFeedback } from './feedback';
import { syncNbgrader } from './nbgraderGradebook';
import { answersDigest, loadResults, MANUAL_FILE, MANUAL_FORMAT, readManual, readResults, writeFileAtomic, writeGradebook, type ManualGrades, type SubmissionResult } from './results';

export class ManualGradeError extends Error {}

export interface ManualGrade {
  submission: string;
  gradeId?: string;
  /** Points for the cell; null takes a score given before away (back to the autograder's). */
  score?: number | null;
  /** A comment to the learner; on the whole submission when gradeId is not given. "" removes it. */
  comment?: string;
}

/**
 * Record one grade and rewrite results.json, gradebook.csv and any feedback.html in `dir`.
 * Throws {@link ManualGradeError} naming what is wrong (an unknown submission or cell, points out of range).
 */
export async function setManualGrade(dir: string, grade: ManualGrade): Promise<SubmissionResult> {
  const { results } = await readResults(dir);
  const result = results.find((r) => r.submission === grade.submission);
  if (!result) throw new ManualGradeError(`no submission "${grade.submission}" in ${dir}; it has ${results.map((r) => r.submission).join(', ') || 'none'}`);
  const manual: ManualGrades = (await readManual(dir, grade.submission)) ?? { format: MANUAL_FORMAT, cells: {} };
  const now = new Date().toISOString();
  if (grade.gradeId === undefined) {
    if (grade.score !== undefined) throw new ManualGradeError('points need a cell: give its grade_id');
    if (grade.comment === '') delete manual.comment;
    else if (grade.comment !== undefined) manual.comment = grade.comment;
  } else {
    const cell = result.cells.find((c) => c.gradeId === grade.gradeId);
    if (!cell) throw new ManualGradeError(`submission "${grade.submission}" has no graded cell "${grade.gradeId}"; its graded cells are ${result.cells.map((c) => c.gradeId).join(', ')}`);
    if (typeof grade.score === 'number' && !(grade.score >= 0 && grade.score <= cell.maxScore)) {
      throw new ManualGradeError(`"${grade.gradeId}" is worth 0 to ${cell.maxScore} points; got ${grade.score}`);
    }
    const entry = { ...manual.cells[grade.gradeId], gradedAt: now };
    if (grade.score === null) {
      delete entry.score;
      delete entry.answers;
    } else if (grade.score !== undefined) {
      entry.score = grade.score;
      const answers = answersDigest(result, grade.gradeId);
      if (answers !== undefined) entry.answers = answers;
    }
    if (grade.comment === '') delete entry.comment;
    else if (grade.comment !== undefined) entry.comment = grade.comment;
    if (entry.score === undefined && entry.comment === undefined) delete manual.cells[grade.gradeId];
    else manual.cells[grade.gradeId] = entry;
  }
  await writeFileAtomic(path.join(dir, grade.submission, MANUAL_FILE), JSON.stringify(manual, null, 2) + '\n');
  await refresh(dir, [grade.submission]);
  return (await loadResults(dir)).results.find((r) => r.submission === grade.submission)!;
}

/** Rewrite everything that shows scores: results.json, gradebook.csv, and feedback pages already written. */
export async function refresh(dir: string, submissions?: string[]): Promise<void> {
  await writeGradebook(dir);
  const { results } = await readResults(dir);
  const withFeedback: string[] = [];
  for (const r of results) {
    if (submissions && !submissions.includes(r.submission)) continue;
    if (await fs.stat(path.join(dir, r.submission, 'feedback.html')).then(() => true, () => false)) withFeedback.push(r.submission);
  }
  if (withFeedback.length) await writeFeedback(dir, dir, withFeedback);
}

/** What is left for a person to grade: each written answer without the teacher's points. */
export async function pendingAnswers(dir: string): Promise<{ submission: string; gradeId: string; maxScore: number; answer?: string }[]> {
  const { results } = await loadResults(dir);
  return results.flatMap((r) =>
    r.cells.filter((c) => c.status === 'needs-manual-grade').map((c) => ({
      submission: r.submission,
      gradeId: c.gradeId,
      maxScore: c.maxScore,
      answer: r.exercises?.flatMap((e) => e.answers).find((a) => a.gradeId === c.gradeId)?.source,
    })),
  );
}

export const MANUAL_HELP = `  manual <autograded-dir>
      List the written answers still to be graded, with each learner's text.
  manual <autograded-dir> <submission> <grade_id> [<points>] [--comment TEXT] [--clear]
      Give points (and a comment to the learner) to a written answer, or override the score of
      any graded cell; --clear goes back to the autograder's score. Without <grade_id>, --comment
      comments on the whole submission. Stored in <autograded-dir>/<submission>/manual.json (kept
      when autograde runs again); results.json, gradebook.csv and feedback pages are rewritten.
  manual <autograded-dir> --export-nbgrader <gradebook.db> [--assignment NAME] [--python PY]
  manual <autograded-dir> --import-nbgrader <gradebook.db> [--assignment NAME] [--python PY]
      Copy the teacher's points and comments to nbgrader's gradebook (formgrader's manual scores),
      or from it, for a course that grades with both. The submissions must be in the database
      (nbgrader autograde ran), with the same learner names.
`;

interface Io {
  stdout: (t: string) => void;
  stderr: (t: string) => void;
}

export async function manualCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      comment: { type: 'string', short: 'm' },
      clear: { type: 'boolean' },
      'export-nbgrader': { type: 'string' },
      'import-nbgrader': { type: 'string' },
      assignment: { type: 'string' },
      python: { type: 'string' },
    },
  });
  const [dir, submission, gradeId, pointsText, ...extra] = positionals;
  if (dir === undefined) throw new ManualGradeError('manual needs the autograded folder: tsdl grade manual autograded/ [submission grade_id points]');
  if (extra.length) throw new ManualGradeError(`unexpected arguments: ${extra.join(' ')} (quote a comment: --comment "...")`);
  const db = values['export-nbgrader'] ?? values['import-nbgrader'];
  if (db !== undefined) {
    const direction = values['export-nbgrader'] !== undefined ? 'export' : 'import';
    const summary = await syncNbgrader(dir, db, direction, { assignment: values.assignment, python: values.python });
    if (direction === 'import') await refresh(dir);
    io.stdout(`${direction === 'export' ? 'exported' : 'imported'} ${summary.cells} grades of ${summary.submissions} submissions ${direction === 'export' ? 'to' : 'from'} ${db}\n`);
    return 0;
  }
  if (submission === undefined) {
    const pending = await pendingAnswers(dir);
    if (pending.length === 0) io.stdout('Nothing left to grade by hand.\n');
    for (const p of pending) io.stdout(`${p.submission} ${p.gradeId} (0-${p.maxScore} points):\n${(p.answer ?? '(answer not recorded)').replace(/^/gm, '    ')}\n\n`);
    if (pending.length) io.stdout(`Grade one with: tsdl grade manual ${dir} <submission> <grade_id> <points> --comment "..."\n`);
    return 0;
  }
  let score: number | null | undefined;
  if (values.clear) score = null;
  else if (pointsText !== undefined) {
    score = Number(pointsText);
    if (pointsText.trim() === '' || !Number.isFinite(score)) throw new ManualGradeError(`points must be a number, got "${pointsText}"`);
  }
  if (score === undefined && values.comment === undefined) throw new ManualGradeError('give points, --comment TEXT, or --clear');
  const r = await setManualGrade(dir, { submission, gradeId, score, comment: values.comment });
  io.stdout(`${r.submission}\t${r.score}/${r.maxScore}${r.needsManualGrade ? ' (answers still to grade)' : ''}\n`);
  return 0;
}
