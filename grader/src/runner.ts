/**
 * How the autograder runs code: a small interface it owns, so its pipeline can be tested with a
 * scripted fake, plus the adapter to the tsdl kernel's client (kernel/src/client), sandboxed or not.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { KernelClient } from '../../kernel/src/client';
import { findKernelRoot } from '../../kernel/src/server/environment';
import type { ErrorOutput, Output } from './notebook';
import { createCgroup, type Cgroup } from './sandbox/cgroup';
import { sandboxedKernel, type Sandbox } from './sandbox/sandbox';

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

export interface RunOptions {
  /** A cell of the grader's own (the test harness): not counted in the notebook's execution counts. */
  hidden?: boolean;
}

export interface CellRunner {
  run(code: string, timeoutMs: number, opts?: RunOptions): Promise<CellRun>;
  stop(): Promise<void>;
}

export interface RunnerOptions {
  /** The working directory of the code: a scratch copy of the submission's folder. */
  cwd: string;
  /** The scratch folder around cwd, the code's to write in: a sandbox needs it, and makes it the only one. */
  root?: string;
  /** Environment for the kernel, besides what the runner sets itself (a sandbox passes only this on). */
  env: NodeJS.ProcessEnv;
  memoryLimitMb?: number;
  /** CPU seconds per process of the kernel, under a sandbox (the wall-clock limits are the grader's). */
  cpuSeconds?: number;
}

/** Starts one runner per submission, so no state leaks from one learner's notebook to the next. */
export type StartRunner = (opts: RunnerOptions) => Promise<CellRunner>;

/** The largest file a sandboxed submission may write. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** Processes and threads in one sandbox: a kernel uses about 60 (worker threads, wasm threads, TypeScript 7). */
const MAX_TASKS = 512;
/** What a kernel holds besides the runtime's heap: the server, its compiler thread and TypeScript 7's child. */
const KERNEL_OVERHEAD_MB = 1536;

function toCellRun(reply: Awaited<ReturnType<KernelClient['execute']>>): CellRun {
  return { status: reply.status, outputs: reply.outputs as Output[], executionCount: reply.executionCount, error: reply.error, timedOut: reply.timedOut, kernelDied: reply.kernelDied };
}

/**
 * Run cells on the tsdl kernel, one kernel process per submission; inside `sandbox` when given
 * (see sandbox/sandbox.ts), else as the grading user with the grader's environment.
 */
export function kernelRunner(sandbox: Sandbox | undefined): StartRunner {
  return async (opts) => {
    let cgroup: Cgroup | undefined;
    const start = async (): Promise<KernelClient> => {
      if (!sandbox) {
        return KernelClient.start({ cwd: opts.cwd, env: { ...process.env, ...opts.env }, memoryLimitMb: opts.memoryLimitMb, startupTimeoutMs: 60_000 });
      }
      const root = opts.root;
      if (root === undefined) throw new Error('a sandboxed kernel needs a scratch folder (RunnerOptions.root)');
      const ipc = await fs.mkdtemp(path.join(root, 'kernel-'));
      const memoryMb = (opts.memoryLimitMb ?? 2048) + KERNEL_OVERHEAD_MB;
      cgroup = await createCgroup(sandbox.cgroups, { memoryBytes: memoryMb * 1024 * 1024, maxTasks: MAX_TASKS }).catch(() => undefined);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
      if (opts.memoryLimitMb) env.TSDL_MEMORY_LIMIT_MB = String(opts.memoryLimitMb);
      const { argv } = sandboxedKernel(sandbox, {
        kernelRoot: findKernelRoot(),
        root,
        cwd: opts.cwd,
        env,
        limits: { cpuSeconds: opts.cpuSeconds ?? 3600, maxFileBytes: MAX_FILE_BYTES },
        procsFiles: cgroup?.procsFiles,
      });
      try {
        return await KernelClient.start({ argv, cwd: opts.cwd, ipcPath: path.join(ipc, 'k'), startupTimeoutMs: 60_000 });
      } catch (e) {
        await cgroup?.remove();
        cgroup = undefined;
        throw e;
      }
    };
    const stopClient = async (client: KernelClient) => {
      await client.shutdown().catch(() => undefined);
      await cgroup?.remove();
      cgroup = undefined;
    };
    let client = await start();
    let runtimeDied = false;
    return {
      async run(code, timeoutMs, runOpts = {}) {
        // A kernel whose whole process died (killed at a limit) is replaced; the cell that saw it
        // die said so. In a sandbox, so is one whose runtime died: the kernel would start a new
        // runtime, but processes the old one left would live on beside it (and could read the
        // harness's next key); a new sandbox ends them.
        if (client.hasExited || (sandbox && runtimeDied)) {
          await stopClient(client);
          client = await start();
        }
        const hidden = runOpts.hidden === true;
        const run = toCellRun(await client.execute(code, { timeoutMs, storeHistory: !hidden, stopOnError: false }));
        runtimeDied = run.kernelDied === true;
        return run;
      },
      stop: () => stopClient(client),
    };
  };
}

/** Run cells on the tsdl kernel without a sandbox (tests, trusted work: --no-sandbox). */
export const startKernelRunner: StartRunner = kernelRunner(undefined);
