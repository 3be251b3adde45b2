/**
 * `tsdl grade release`: the student version of a source notebook, by the steps nbgrader's
 * generate_assignment runs (its header/footer, AUTOTEST and mark-scheme steps are not ported).
 */
import { runPipeline, type Step } from './pipeline';
import type { Notebook } from './notebook';
import {
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
export const referencePipeline: Step<ReleaseContext>[] = [checkCellMetadata, lockCells, clearSolutions, clearOutputs, checkCellMetadata, computeChecksums];

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
