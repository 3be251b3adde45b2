/**
 * nbgrader's Execute step for the tsdl kernel: run every code cell in order, errors and all, with
 * a time limit per cell and one for the whole submission. Whatever goes wrong becomes an error
 * output on the cell where it happened, worded for the learner; nothing is thrown.
 */
import { step } from '../pipeline';
import type { Cell, ErrorOutput, Output } from '../notebook';
import { gradeId, isGrade, isSolution } from '../nbgrader';
import type { CellRun, CellRunner } from '../runner';
import { newNonce, type Harness, type TestCellVerdict } from '../sandbox/harness';

/** The test harness of one submission (sandbox/harness.ts) and what it found, by grade_id. */
export interface HarnessContext {
  harness: Harness;
  /** Writes the harness's key where its preamble reads it, before each preamble runs. */
  writeKey(key: { key: string; file: string }): Promise<void>;
  verdicts: Map<string, TestCellVerdict>;
}

export interface ExecuteContext {
  runner: CellRunner;
  /** Without it, test cells run as written (fast tests of other steps). */
  harness?: HarnessContext;
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

/** The time a hidden harness cell may take: it only loads or reads a few values. */
const HARNESS_TIMEOUT_MS = 30_000;

async function runCell(cell: Cell, ctx: ExecuteContext, code = cell.source): Promise<CellRun | undefined> {
  const now = ctx.now ?? Date.now;
  const left = ctx.deadline - now();
  if (left <= 0) {
    cell.outputs = [errorOutput('TotalTimeLimitExceeded', `not run: the notebook used up its total time limit of ${seconds(ctx.totalTimeoutMs)} before reaching this cell`)];
    return undefined;
  }
  const limitedByTotal = left < ctx.cellTimeoutMs;
  const timeout = Math.min(ctx.cellTimeoutMs, left);
  let run: CellRun;
  try {
    run = await ctx.runner.run(code, timeout);
  } catch (e) {
    cell.outputs = [errorOutput('GraderError', `the grader could not run this cell: ${(e as Error).message}`)];
    return undefined;
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
  return run;
}

const textPlain = (outputs: Output[]): string | undefined => {
  for (const o of outputs) if (o.output_type === 'execute_result' && typeof o.data['text/plain'] === 'string') return o.data['text/plain'];
  return undefined;
};

/** Loads the harness in a kernel before any learner code runs there; a failure is the grader's. */
async function runPreamble(h: HarnessContext, runner: CellRunner): Promise<void> {
  await h.writeKey(h.harness.newKey());
  const run = await runner.run(h.harness.preamble(), HARNESS_TIMEOUT_MS, { hidden: true });
  if (run.status !== 'ok') {
    const why = run.error ? `${run.error.ename}: ${run.error.evalue}` : run.timedOut ? 'it timed out' : run.status;
    throw new Error(`the test harness could not be loaded in the kernel (${why}); is tsdl built (npm run build)?`);
  }
}

export const execute = step<ExecuteContext>('execute', async (nb, ctx) => {
  const h = ctx.harness;
  let fresh = true;
  for (const cell of nb.cells) {
    // nbclient skips blank cells; so do we, so that execution counts agree.
    if (cell.cell_type !== 'code' || cell.source.trim() === '') continue;
    if (h && fresh) await runPreamble(h, ctx.runner);
    fresh = false;
    const id = gradeId(cell);
    if (!h || !isGrade(cell) || isSolution(cell) || id === undefined) {
      fresh = (await runCell(cell, ctx))?.kernelDied === true;
      continue;
    }
    const nonce = newNonce();
    const run = await runCell(cell, ctx, h.harness.wrapTestCell(cell.source, nonce));
    if (run === undefined) continue;
    if (run.kernelDied) {
      fresh = true;
      h.verdicts.set(id, { ok: false, why: 'the kernel stopped during the test' });
      continue;
    }
    const report = await ctx.runner.run(h.harness.reportCell(nonce), HARNESS_TIMEOUT_MS, { hidden: true }).catch(() => undefined);
    if (report?.kernelDied) fresh = true;
    h.verdicts.set(id, report ? h.harness.verify(textPlain(report.outputs), nonce) : { ok: false, why: 'the report of the test cell could not be read' });
  }
});
