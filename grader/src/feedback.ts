/**
 * `tsdl grade feedback`: one self-contained HTML page per graded submission, from its
 * result.json: the score, then each exercise with its points and, when it lost points, what
 * failed and what to try.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readResults, writeFileAtomic, type CellResult, type SubmissionResult } from './results';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STATUS_LABEL: Record<CellResult['status'], string> = {
  passed: 'passed',
  partial: 'partial credit',
  failed: 'failed',
  'no-response': 'no answer',
  'needs-manual-grade': 'to be graded by your teacher',
  deleted: 'cell deleted',
  'not-run': 'not run',
};

/** What a learner can do about a failure, by the error it raised. */
export function advice(cell: CellResult): string | undefined {
  const e = cell.error;
  if (cell.status === 'deleted') return 'Download the released notebook again, copy your answers into it, and resubmit.';
  if (cell.status === 'no-response') return 'Write your answer in this cell.';
  if (!e) return cell.stderr ? 'Remove whatever writes warnings or progress to stderr in the code this test runs (console.error, console.warn).' : undefined;
  if (/not implemented yet/i.test(e.evalue)) return 'An exercise above this test still has its placeholder: replace the `throw new Error("Not implemented yet…")` line with your solution.';
  switch (e.ename) {
    case 'CellTimeoutError':
      return 'Check for a loop that never ends, or for work that could be done on fewer examples.';
    case 'TotalTimeLimitExceeded':
      return 'The notebook as a whole took too long. Look for a slow or endless cell earlier on.';
    case 'KernelDied':
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

function cellSection(c: CellResult): string {
  const tip = advice(c);
  const details = [
    c.reason ? `<p class="reason">${escapeHtml(c.reason)}</p>` : '',
    tip ? `<p class="advice">${escapeHtml(tip)}</p>` : '',
    c.error && c.error.traceback.length > 1 ? `<details><summary>Error details</summary><pre>${escapeHtml(c.error.traceback.join('\n'))}</pre></details>` : '',
    c.stderr ? `<details><summary>What the cell wrote to stderr</summary><pre>${escapeHtml(c.stderr)}</pre></details>` : '',
  ].join('');
  return `<section class="cell ${c.status}">
<h2><span class="id">${escapeHtml(c.gradeId)}</span> <span class="points">${points(c)}</span> <span class="status">${STATUS_LABEL[c.status]}</span></h2>
${details}</section>`;
}

export function feedbackHtml(r: SubmissionResult): string {
  const title = `Feedback on ${r.notebook} (${r.submission})`;
  const problem = r.problem ? `<p class="problem">${escapeHtml(r.problem)}</p>` : '';
  const notes = r.notes.length ? `<h2>About your submission</h2><ul>${r.notes.map((n) => `<li>${escapeHtml(n.message)}</li>`).join('')}</ul>` : '';
  const manual = r.needsManualGrade ? '<p>Some answers are still to be graded by your teacher; the score will change.</p>' : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
.score{font-size:1.6rem} .cell{border-left:4px solid #999;padding:.2rem .8rem;margin:1rem 0}
.passed{border-color:#2a2} .partial{border-color:#d90} .failed,.deleted,.not-run,.no-response{border-color:#c33}
h2{font-size:1.05rem} .points{font-weight:normal;margin-left:.6rem} .status{color:#666;font-weight:normal;margin-left:.6rem}
.problem{background:#fee;padding:.6rem} .advice{color:#145} pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.85rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="score">${r.score} / ${r.maxScore} points</p>
${manual}${problem}${notes}
${r.cells.map(cellSection).join('\n')}
<p><small>Graded ${escapeHtml(r.gradedAt)} by tsdl grade.</small></p>
</body></html>
`;
}

/** Write feedback.html beside each result.json under `resultsDir` (or under `outDir/<id>/`). */
export async function writeFeedback(resultsDir: string, outDir = resultsDir): Promise<string[]> {
  const { results } = await readResults(resultsDir);
  const written: string[] = [];
  for (const r of results) {
    const file = path.join(outDir, r.submission, 'feedback.html');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, feedbackHtml(r));
    written.push(file);
  }
  return written;
}
