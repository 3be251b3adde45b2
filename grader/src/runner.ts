/**
 * How the autograder runs code: a small interface it owns, so its pipeline can be tested with a
 * scripted fake, plus the adapter to the tsdl kernel's client (kernel/src/client).
 */
import * as path from 'node:path';
import type { ErrorOutput, Output } from './notebook';

export interface CellRun {
  status: 'ok' | 'error' | 'aborted';
  /** nbformat v4 output dicts, in order. */
  outputs: Output[];
  executionCount: number | null;
  error?: Omit<ErrorOutput, 'output_type'>;
  /** The cell ran past its time limit and was interrupted; the kernel lives on. */
  timedOut: boolean;
  /** The kernel's runtime died (out of memory, abort); it restarted with empty state. */
  kernelDied?: boolean;
}

export interface CellRunner {
  run(code: string, timeoutMs: number): Promise<CellRun>;
  stop(): Promise<void>;
}

export interface RunnerOptions {
  /** The working directory of the code: a scratch copy of the submission's folder. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  memoryLimitMb?: number;
}

/** Starts one runner per submission, so no state leaks from one learner's notebook to the next. */
export type StartRunner = (opts: RunnerOptions) => Promise<CellRunner>;

/** The shape of kernel/src/client that this adapter relies on. */
interface KernelClientLike {
  execute(code: string, opts?: { timeoutMs?: number; silent?: boolean; storeHistory?: boolean; stopOnError?: boolean }): Promise<{
    status: 'ok' | 'error' | 'aborted';
    executionCount: number | null;
    outputs: unknown[];
    error?: { ename: string; evalue: string; traceback: string[] };
    timedOut: boolean;
    kernelDied?: boolean;
  }>;
  shutdown(): Promise<void>;
}
interface KernelClientModule {
  KernelClient: { start(opts?: { cwd?: string; env?: NodeJS.ProcessEnv; memoryLimitMb?: number; startupTimeoutMs?: number }): Promise<KernelClientLike> };
}

/** Resolved at run time, so the grader builds and its fast tests run without the kernel. */
const KERNEL_CLIENT_MODULE = path.join(__dirname, '..', '..', 'kernel', 'src', 'client');

/** Run cells on the tsdl kernel, one kernel process per submission. */
export const startKernelRunner: StartRunner = async (opts) => {
  let mod: KernelClientModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(KERNEL_CLIENT_MODULE) as KernelClientModule;
  } catch (e) {
    throw new Error(`cannot load the tsdl kernel client from ${KERNEL_CLIENT_MODULE}: ${(e as Error).message}. Build tsdl (npm run build) and try again.`);
  }
  const client = await mod.KernelClient.start({ cwd: opts.cwd, env: opts.env, memoryLimitMb: opts.memoryLimitMb, startupTimeoutMs: 60_000 });
  return {
    async run(code, timeoutMs) {
      const reply = await client.execute(code, { timeoutMs, storeHistory: true, stopOnError: false });
      return { ...reply, outputs: reply.outputs as Output[] };
    },
    stop: () => client.shutdown(),
  };
};
