/**
 * nbgrader's Execute step for the tsdl kernel: run every code cell in order, errors and all, with
 * a time limit per cell and one for the whole submission. Whatever goes wrong becomes an error
 * output on the cell where it happened, worded for the learner; nothing is thrown.
 */
import { step } from '../pipeline';
import type { Cell, ErrorOutput } from '../notebook';
import type { CellRun, CellRunner } from '../runner';

export interface ExecuteContext {
  runner: CellRunner;
  cellTimeoutMs: number;
  /** Wall-clock time by which the whole submission must be done (Date.now() scale). */
  deadline: number;
  totalTimeoutMs: number;
  now?: () => number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

export const errorOutput = (ename: string, evalue: string): ErrorOutput => ({
  output_type: 'error',
  ename,
  evalue,
  traceback: [`${ename}: ${evalue}`],
});

async function runCell(cell: Cell, ctx: ExecuteContext): Promise<void> {
  const now = ctx.now ?? Date.now;
  const left = ctx.deadline - now();
  if (left <= 0) {
    cell.outputs = [errorOutput('TotalTimeLimitExceeded', `not run: the notebook used up its total time limit of ${seconds(ctx.totalTimeoutMs)} before reaching this cell`)];
    return;
  }
  const limitedByTotal = left < ctx.cellTimeoutMs;
  const timeout = Math.min(ctx.cellTimeoutMs, left);
  let run: CellRun;
  try {
    run = await ctx.runner.run(cell.source, timeout);
  } catch (e) {
    cell.outputs = [errorOutput('GraderError', `the grader could not run this cell: ${(e as Error).message}`)];
    return;
  }
  cell.outputs = [...run.outputs];
  cell.execution_count = run.executionCount;
  if (run.timedOut) {
    // Before any error the interrupted kernel reported, so that the reason given is the time limit.
    const at = cell.outputs.findIndex((o) => o.output_type === 'error');
    cell.outputs.splice(at === -1 ? cell.outputs.length : at, 0, limitedByTotal
      ? errorOutput('TotalTimeLimitExceeded', `stopped: the notebook reached its total time limit of ${seconds(ctx.totalTimeoutMs)} while running this cell`)
      : errorOutput('CellTimeoutError', `stopped after ${seconds(timeout)}, the time limit for one cell. Look for a loop that never ends, or make the cell faster.`));
    if (run.kernelDied) {
      cell.outputs.push(errorOutput('KernelRestarted', 'the kernel did not stop when interrupted and was restarted; later cells ran without what earlier cells defined.'));
    }
  } else if (run.kernelDied) {
    cell.outputs.push(errorOutput('KernelDied', 'the kernel stopped while running this cell (out of memory, or a crash). Later cells ran in a fresh kernel, without what earlier cells defined.'));
  } else if (run.status !== 'ok') {
    // As nbgrader does: make sure a failed cell shows an error even if the kernel sent none.
    const recorded = cell.outputs.some((o) => o.output_type === 'error' && (run.error === undefined || o.ename === run.error.ename));
    if (!recorded) {
      cell.outputs.push(run.error
        ? { output_type: 'error', ...run.error }
        : errorOutput('ExecutionError', run.status === 'aborted' ? 'the kernel aborted this cell' : 'the cell failed without an error message'));
    }
  }
}

export const execute = step<ExecuteContext>('execute', async (nb, ctx) => {
  for (const cell of nb.cells) {
    // nbclient skips blank cells; so do we, so that execution counts agree.
    if (cell.cell_type === 'code' && cell.source.trim() !== '') await runCell(cell, ctx);
  }
});
