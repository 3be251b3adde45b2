/** Build learners' submissions from the released fixture notebook, for fast and slow tests. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseNotebook, serializeNotebook, type Notebook } from '../notebook';
import { gradeId } from '../nbgrader';

export const FIXTURE_SOURCE = path.join(__dirname, 'ps1', 'ps1.ipynb');
export const readFixtureSource = (): Notebook => parseNotebook(readFileSync(FIXTURE_SOURCE, 'utf8'));

export const CORRECT: Record<string, string> = {
  relu: 'function relu(x: number): number {\n  return x > 0 ? x : 0;\n}',
  mean: 'function mean(xs: number[]): number {\n  let total = 0;\n  for (const x of xs) total += x;\n  return total / xs.length;\n}',
  why_relu: 'Its gradient is 1 for positive inputs, so it does not vanish.',
};
/** relu right; mean divides by 3 whatever the length, so two of its three checks pass: 4 of 6 points. */
export const PARTLY_CORRECT: Record<string, string> = {
  relu: CORRECT.relu,
  mean: 'function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / 3;\n}',
};

/** The released notebook with the learner's answers put in, by grade_id. */
export function fillIn(released: Notebook, answers: Record<string, string>, edit?: (nb: Notebook) => void): Notebook {
  const nb = structuredClone(released);
  for (const cell of nb.cells) {
    const id = gradeId(cell);
    if (id !== undefined && answers[id] !== undefined) cell.source = answers[id];
  }
  edit?.(nb);
  return nb;
}

export const toFile = (nb: Notebook) => serializeNotebook(nb);
