/**
 * A notebook transformation is one small named step; release, autograde and feedback are lists
 * of steps, in the manner of nbgrader's preprocessors. A step takes a notebook and returns a new
 * one, never changing its input, so every stage can be inspected and tested alone.
 */
import { cloneNotebook, type Notebook } from './notebook';

export interface Step<Context> {
  /** Shown in errors and traces: "clearSolutions failed: ...". */
  name: string;
  apply(nb: Notebook, ctx: Context): Notebook | Promise<Notebook>;
}

/** Define a step from a function that may change the copy of the notebook it is given. */
export function step<Context>(name: string, apply: (nb: Notebook, ctx: Context) => void | Promise<void>): Step<Context> {
  return {
    name,
    async apply(nb, ctx) {
      const copy = cloneNotebook(nb);
      await apply(copy, ctx);
      return copy;
    },
  };
}

/** Thrown when a step fails; carries the step's name so the message says where. */
export class StepError extends Error {
  override name = 'StepError';
  constructor(readonly step: string, override readonly cause: unknown) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export async function runPipeline<Context>(steps: readonly Step<Context>[], nb: Notebook, ctx: Context): Promise<Notebook> {
  let current = nb;
  for (const s of steps) {
    try {
      current = await s.apply(current, ctx);
    } catch (e) {
      throw e instanceof StepError ? e : new StepError(s.name, e);
    }
  }
  return current;
}
