/**
 * `tsdl grade feedback`: one self-contained HTML page per graded submission, for the learner.
 * The score (the teacher's grades and any late penalty included, from the same results as the
 * gradebook), then each exercise under its title: the learner's answer with the first error that
 * came from it marked at its own line, each test's outcome and the check's message, the teacher's
 * points and comments, and advice that a learner can follow in the cells they can edit.
 * Hidden tests are never shown: neither their code nor their messages.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Exercise, ExerciseAnswer, ExerciseTest } from './exercises';
import { loadResults, writeFileAtomic, type CellResult, type SubmissionResult } from './results';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STATUS_LABEL: Record<CellResult['status'], string> = {
  passed: 'passed',
  partial: 'partial credit',
  failed: 'failed',
  'no-response': 'no answer',
  'needs-manual-grade': 'to be graded by your teacher',
  'graded-by-teacher': 'graded by your teacher',
  deleted: 'cell deleted',
  'not-run': 'not run',
};

/**
 * What a learner can do about a test's failure, in the cells they can edit (answers), never in
 * the locked test cell itself.
 */
export function advice(cell: CellResult, test?: ExerciseTest, answerError?: ExerciseAnswer['error']): string | undefined {
  const e = cell.error;
  if (cell.status === 'deleted') return 'Download the released notebook again, copy your answers into it, and resubmit.';
  if (cell.status === 'no-response') return 'Write your answer in this cell.';
  const placeholder = 'Your answer still has the placeholder: replace the `throw new Error("Not implemented yet…")` line with your solution.';
  if (answerError && /not implemented yet/i.test(answerError.message)) return placeholder;
  if (answerError) {
    return answerError.ename === 'TypeScriptError'
      ? `Your answer did not compile, so nothing in it existed when the test ran. Fix the error marked in your answer${answerError.line ? ` (line ${answerError.line})` : ''}, run the cell, then run the test again.`
      : `Your answer cell stopped with an error, so the test ran without it. Fix the error marked in your answer${answerError.line ? ` (line ${answerError.line})` : ''}.`;
  }
  if (test?.hidden) return 'Your answer passes the tests you can see but not a hidden one. Try your code on other inputs than the visible tests use: zero, negative numbers, empty or one-element inputs, larger sizes.';
  if (!e) return cell.stderr ? 'Remove whatever writes warnings or progress to stderr in the code this test runs (console.error, console.warn).' : undefined;
  if (/not implemented yet/i.test(e.evalue)) return placeholder;
  if (test?.cause?.line) return `The error happened in your answer, at line ${test.cause.line} (marked above). Check what that line does with the test's input.`;
  switch (e.ename) {
    case 'CheckError':
      return 'Your code ran, but gave a different result from the expected one. Run your function on the input named in the message and compare.';
    case 'TypeScriptError':
      return 'The test could not be compiled against your answer. Check that your answer defines what the exercise asks for, with the names, parameters and return type it gives.';
    case 'CellTimeoutError':
      return 'Check for a loop that never ends, or for work that could be done on fewer examples.';
    case 'TotalTimeLimitExceeded':
      return 'The notebook as a whole took too long. Look for a slow or endless cell earlier on.';
    case 'KernelDied':
    case 'KernelRestarted':
      return 'The kernel ran out of memory or crashed. Check for very large tensors or arrays, and dispose of tensors you no longer need (tf.tidy).';
    case 'ReferenceError':
      return 'Something this test uses is not defined. Did an earlier cell fail, or was a function renamed?';
    case 'TypeError':
      return 'A value has the wrong type or shape. Compare what your function returns with what the exercise asks for.';
    case 'GraderError':
      return 'This is a problem with the grader, not with your work; your teacher will grade it again.';
    default:
      return undefined;
  }
}

const points = (c: { score: number | null; maxScore: number }) => `${c.score === null ? '–' : c.score} / ${c.maxScore}`;

/** The learner's code with line numbers; the line at fault marked, with the message under it. */
function codeBlock(source: string, mark?: { line?: number; column?: number; message?: string }): string {
  const lines = source.split('\n');
  const width = String(lines.length).length;
  const out = lines.map((text, i) => {
    const n = i + 1;
    const row = `${String(n).padStart(width)} | ${escapeHtml(text)}`;
    if (mark?.line !== n) return row;
    const caret = mark.column ? `\n${' '.repeat(width)} | ${' '.repeat(Math.max(0, mark.column - 1))}^` : '';
    const message = mark.message ? ` <span class="msg">${escapeHtml(mark.message)}</span>` : '';
    return `<mark>${row}</mark>${caret}${message}`;
  });
  return `<pre class="code">${out.join('\n')}</pre>`;
}

/** What a test cell's failure was, without anything of a hidden test. */
function testMessage(cell: CellResult, test: ExerciseTest | undefined): string | undefined {
  if (cell.status === 'passed' || cell.status === 'needs-manual-grade') return undefined;
  if (test?.hidden) return 'A hidden test failed.';
  if (cell.error) {
    // The kernel's "In[5]:1:13: " points into the locked test cell, which the learner cannot change.
    const message = cell.error.evalue.replace(/^In\[\d+\]:\d+(?::\d+)?:\s*/, '');
    return cell.error.ename === 'CheckError' ? message : `${cell.error.ename}: ${message}`;
  }
  return cell.reason;
}

function comment(text: string | undefined): string {
  return text ? `<p class="comment"><strong>Your teacher:</strong> ${escapeHtml(text)}</p>` : '';
}

function exerciseSection(ex: Exercise, r: SubmissionResult, index: number): string {
  const cells = r.cells.filter((c) => ex.gradeIds.includes(c.gradeId));
  const score = cells.some((c) => c.score === null) ? null : Math.round(cells.reduce((n, c) => n + (c.score ?? 0), 0) * 1e6) / 1e6;
  const max = cells.reduce((n, c) => n + c.maxScore, 0);
  const state = cells.some((c) => c.status === 'needs-manual-grade') ? 'pending' : score === max ? 'passed' : score !== null && score > 0 ? 'partial' : 'failed';
  const parts: string[] = [];
  // The line of each answer to mark: the answer's own error first, else where a test's error came from it.
  const marks = new Map<string, { line?: number; column?: number; message?: string }>();
  for (const a of ex.answers) if (a.error) marks.set(a.gradeId, { line: a.error.line, column: a.error.column, message: a.error.message });
  for (const t of ex.tests) {
    const c = r.cells.find((x) => x.gradeId === t.gradeId);
    if (t.cause?.line && c && c.status !== 'passed' && !t.hidden && !marks.has(t.cause.answer)) {
      marks.set(t.cause.answer, { line: t.cause.line, column: t.cause.column, message: c.error ? `${c.error.ename}: ${c.error.evalue}` : undefined });
    }
  }
  for (const a of ex.answers) {
    const graded = r.cells.find((c) => c.gradeId === a.gradeId);
    if (a.cellType === 'markdown') {
      parts.push(`<h3>Your answer${graded ? ` <span class="points">${points(graded)}</span> <span class="status">${STATUS_LABEL[graded.status]}</span>` : ''}</h3>`);
      parts.push(`<blockquote>${escapeHtml(a.source)}</blockquote>`);
      if (graded?.status === 'no-response') parts.push(`<p class="advice">${escapeHtml(advice(graded) ?? '')}</p>`);
      parts.push(comment(graded?.comment));
    } else {
      parts.push('<h3>Your answer</h3>', codeBlock(a.source, marks.get(a.gradeId)));
      if (a.error) parts.push(`<p class="error">${a.error.line ? `Line ${a.error.line}: ` : ''}${escapeHtml(a.error.ename === 'TypeScriptError' ? a.error.message : `${a.error.ename}: ${a.error.message}`)}</p>`);
    }
  }
  const tests = ex.tests.map((t) => ({ t, c: r.cells.find((x) => x.gradeId === t.gradeId) })).filter((x): x is { t: ExerciseTest; c: CellResult } => x.c !== undefined);
  tests.forEach(({ t, c }, i) => {
    const name = tests.length > 1 ? `Test ${i + 1}` : 'Test';
    const message = testMessage(c, t);
    const answerError = t.cause ? ex.answers.find((a) => a.gradeId === t.cause!.answer && a.error)?.error : undefined;
    const tip = c.status === 'passed' ? undefined : advice(c, t, answerError);
    parts.push(`<h3>${name} <span class="points">${points(c)}</span> <span class="status">${STATUS_LABEL[c.status]}${c.autoScore !== undefined ? ` (changed by your teacher from ${c.autoScore ?? '–'})` : ''}</span></h3>`);
    if (message) parts.push(`<p class="reason">${escapeHtml(message)}</p>`);
    if (tip) parts.push(`<p class="advice">${escapeHtml(tip)}</p>`);
    if (c.stderr && !t.hidden) parts.push(`<details><summary>What your code wrote to stderr</summary><pre>${escapeHtml(c.stderr)}</pre></details>`);
    parts.push(comment(c.comment));
  });
  return `<section class="exercise ${state}">
<h2><span class="n">${index + 1}.</span> ${escapeHtml(ex.title.replace(/^\d+\.\s*/, ''))} <span class="points">${score === null ? `– / ${max}` : `${score} / ${max}`}</span></h2>
${parts.filter(Boolean).join('\n')}
</section>`;
}

/** For results without exercises (a submission that could not be run): one block per graded cell. */
function cellSection(c: CellResult): string {
  const tip = advice(c);
  return `<section class="exercise ${c.status}">
<h2>${escapeHtml(c.gradeId)} <span class="points">${points(c)}</span> <span class="status">${STATUS_LABEL[c.status]}</span></h2>
${c.reason && c.kind === 'answer' ? `<p class="reason">${escapeHtml(c.reason)}</p>` : ''}${tip ? `<p class="advice">${escapeHtml(tip)}</p>` : ''}${comment(c.comment)}</section>`;
}

function scoreLine(r: SubmissionResult): string {
  const lines = [`<p class="score">${r.score} / ${r.maxScore} points</p>`];
  if (r.late) {
    const hours = Math.round((r.late.minutesLate / 60) * 10) / 10;
    lines.push(`<p class="late">Submitted ${hours} hours after the due time (${escapeHtml(r.dueAt ?? '')}): ${r.late.percent}% late penalty, ${r.late.penalty} points off ${r.rawScore}.</p>`);
  }
  if (r.needsManualGrade) lines.push('<p class="pending">Some answers are still to be graded by your teacher; the score will change.</p>');
  return lines.join('\n');
}

export function feedbackHtml(r: SubmissionResult): string {
  const title = `Feedback on ${r.assignment ?? r.notebook} (${r.submission})`;
  const problem = r.problem ? `<p class="problem">${escapeHtml(r.problem)}</p>` : '';
  const notes = r.notes.length ? `<h2>About your submission</h2><ul>${r.notes.map((n) => `<li>${escapeHtml(n.message)}</li>`).join('')}</ul>` : '';
  const body = r.exercises && r.status === 'graded' ? r.exercises.map((ex, i) => exerciseSection(ex, r, i)).join('\n') : r.cells.map(cellSection).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
.score{font-size:1.6rem} .exercise{border-left:4px solid #999;padding:.2rem .8rem;margin:1.2rem 0}
.passed,.graded-by-teacher{border-color:#2a2} .partial,.pending{border-color:#d90} .failed,.deleted,.not-run,.no-response{border-color:#c33}
h2{font-size:1.1rem} h3{font-size:.95rem;margin:.8rem 0 .3rem} .points{font-weight:normal;margin-left:.6rem} .status{color:#666;font-weight:normal;margin-left:.6rem}
.problem{background:#fee;padding:.6rem} .advice{color:#145} .error,.msg{color:#b00} .comment{background:#eef6ff;padding:.4rem .6rem}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.85rem} mark{background:#fdd} blockquote{white-space:pre-wrap;border-left:3px solid #ccc;margin:0;padding:.2rem .8rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${scoreLine(r)}
${r.comment ? comment(r.comment) : ''}${problem}${notes}
${body}
<p><small>Graded ${escapeHtml(r.gradedAt)} by tsdl grade.</small></p>
</body></html>
`;
}

/** Write feedback.html for each submission in `resultsDir` (to `outDir/<id>/`, default beside its result). */
export async function writeFeedback(resultsDir: string, outDir = resultsDir, only?: string[]): Promise<string[]> {
  const { results } = await loadResults(resultsDir);
  const written: string[] = [];
  for (const r of results) {
    if (only && !only.includes(r.submission)) continue;
    const file = path.join(outDir, r.submission, 'feedback.html');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, feedbackHtml(r));
    written.push(file);
  }
  return written;
}

/**
 * Feedback laid out as nbgrader's generate_feedback leaves it, so that `nbgrader release_feedback`
 * (or formgrader's "release feedback") returns it to learners through the exchange:
 * `<course>/feedback/<learner>/<assignment>/<notebook>.html`, with the timestamp.txt and
 * submission_secret.txt that nbgrader's collect put beside the submission (release_feedback
 * names the returned file by a hash of that secret; fetch_feedback finds it by the same hash).
 */
export async function writeNbgraderFeedback(resultsDir: string, courseDir: string): Promise<string[]> {
  const { results } = await loadResults(resultsDir);
  const written: string[] = [];
  for (const r of results) {
    const assignment = r.assignment ?? path.basename(r.notebook, '.ipynb');
    const dir = path.join(courseDir, 'feedback', r.submission, assignment);
    const from = path.dirname(path.resolve(r.file));
    const secret = await fs.readFile(path.join(from, 'submission_secret.txt'), 'utf8').catch(() => undefined);
    if (secret === undefined) {
      throw new Error(`${from} has no submission_secret.txt, which nbgrader's release_feedback needs; grade the folders nbgrader collect wrote (<course>/submitted/<learner>/${assignment}/)`);
    }
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'submission_secret.txt'), secret);
    const stamp = await fs.readFile(path.join(from, 'timestamp.txt'), 'utf8').catch(() => undefined);
    if (stamp !== undefined) await fs.writeFile(path.join(dir, 'timestamp.txt'), stamp);
    const file = path.join(dir, `${path.basename(r.notebook, '.ipynb')}.html`);
    await writeFileAtomic(file, feedbackHtml(r));
    written.push(file);
  }
  return written;
}
