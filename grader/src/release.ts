/**
 * `tsdl grade release`: the student version of a source notebook, by the steps nbgrader's
 * generate_assignment runs (its header/footer, AUTOTEST and mark-scheme steps are not ported).
 */
import { runPipeline, type Step } from './pipeline';
import type { Notebook } from './notebook';
import { isGrade, isSolution } from './nbgrader';
import {
  assignCellIds,
  BEGIN_HIDDEN_TESTS,
  BEGIN_SOLUTION,
  checkCellMetadata,
  clearHiddenTests,
  clearOutputs,
  clearSolutions,
  computeChecksums,
  defaultReleaseContext,
  lockCells,
  type ReleaseContext,
} from './steps/release';

/** The source as nbgrader records it (its SaveCells): solutions stubbed, hidden tests still in. */
export const referencePipeline: Step<ReleaseContext>[] = [checkCellMetadata, assignCellIds, lockCells, clearSolutions, clearOutputs, checkCellMetadata, computeChecksums];

/** The student version: the reference without hidden tests, checksummed again. */
export const releaseSteps: Step<ReleaseContext>[] = [clearHiddenTests, computeChecksums, checkCellMetadata];

export interface ReleasedAssignment {
  reference: Notebook;
  released: Notebook;
}

export async function releaseNotebook(source: Notebook, ctx: ReleaseContext = defaultReleaseContext()): Promise<ReleasedAssignment> {
  const reference = await runPipeline(referencePipeline, source, ctx);
  const released = await runPipeline(releaseSteps, reference, ctx);
  return { reference, released };
}

/**
 * What is wrong with a notebook given to autograde as the source, when it is probably the student
 * version (an easy mix-up: both have the same name). Grading against it gives every learner the
 * stub's failures and runs no hidden tests, without any error. Empty when it looks like a source.
 */
export function sourceWarnings(source: Notebook, ctx: ReleaseContext = defaultReleaseContext()): string[] {
  const stubLines = [...Object.values(ctx.codeStubs), ctx.textStub].flatMap((s) => s.split('\n')).map((l) => l.trim()).filter(Boolean);
  const solutions = source.cells.filter(isSolution);
  const stubbed = solutions.filter((cell) => !cell.source.includes(BEGIN_SOLUTION) && cell.source.split('\n').some((l) => stubLines.includes(l.trim())));
  const released = source.cells.some((c) => c.metadata.nbgrader?.checksum !== undefined);
  const hidden = source.cells.some((c) => isGrade(c) && c.source.includes(BEGIN_HIDDEN_TESTS));
  const clues: string[] = [];
  if (solutions.length > 0 && stubbed.length === solutions.length) clues.push('none of its answer cells holds a solution (each is still the released stub)');
  if (released) clues.push('its cells carry the checksums that release writes');
  if (clues.length === 0) return [];
  return [
    `the --source notebook looks like the student version: ${clues.join(', and ')}${hidden ? '' : '; it has no hidden tests either'}. ` +
      "Grading goes on against it, but pass the teacher's notebook with solutions (nbgrader's source/ folder) as --source to grade against the real tests.",
  ];
}
