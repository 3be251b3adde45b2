/**
 * Graded notebooks as the tsdl kernel leaves them, for fast tests of what is read from errors: the
 * error outputs below are the kernel's own (copied from a run of `KernelClient.execute`), with
 * their ANSI colours, "In[n]:line:column" locations and the kernel's advice line.
 */
import type { ErrorOutput, Notebook } from '../notebook';
import { gradeId } from '../nbgrader';
import { fillIn } from './submissions';

const red = (s: string) => `\u001b[0;31m${s}\u001b[0m`;

export const kernelErrors = {
  syntax: (count: number, line: number, column: number, message: string, code: string[]): ErrorOutput => ({
    output_type: 'error',
    ename: 'TypeScriptError',
    evalue: `In[${count}]:${line}:${column}: ${message}`,
    traceback: [
      `${red('error TS1005')} In[${count}]:${line}:${column}: ${message}`,
      ...code.map((l, i) => `${i + 1 === line ? '>' : ' '} ${i + 1} | ${l}`),
      '1 type error: the cell did not run. Fix them, or add `// @ts-ignore` above a line (`// @ts-nocheck` at the top of the cell) to run it anyway.',
    ],
  }),
  runtime: (ename: string, evalue: string, frames: string[]): ErrorOutput => ({
    output_type: 'error',
    ename,
    evalue,
    traceback: [`${red(ename)}: ${evalue}`, ...frames.map((f) => `    at ${f}`)],
  }),
};

/** The reference with answers filled in, each code cell numbered in order and given `outputs` by grade_id. */
export function ranNotebook(reference: Notebook, answers: Record<string, string>, outputs: Record<string, ErrorOutput[]>): Notebook {
  const nb = fillIn(reference, answers);
  let count = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.execution_count = ++count;
    cell.outputs = outputs[gradeId(cell) ?? ''] ?? [];
  }
  return nb;
}
