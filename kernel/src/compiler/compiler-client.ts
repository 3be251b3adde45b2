/**
 * The kernel's handle on the compiler thread: the same operations as {@link CellCompiler}, as
 * promises.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompleteReply, InspectReply, IsCompleteReply } from './assist';
import type { CompiledCell, CompilerConfig } from './cell-types';

type Without<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type CompileResult = Without<CompiledCell, 'declarations'>;

export type CompilerRequest = { id: number } & (
  | { method: 'compile'; source: string; cellIndex: number }
  | { method: 'commit'; cellIndex: number }
  | { method: 'reset' }
  | { method: 'complete'; code: string; cursorPos: number }
  | { method: 'inspect'; code: string; cursorPos: number; detailLevel: number }
  | { method: 'isComplete'; code: string }
  | { method: 'info' }
  | { method: 'warmup' });

export interface CompilerResponse {
  id: number;
  result?: unknown;
  error?: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class CompilerClient {
  private worker!: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private closing = false;
  /** Set when a compiler thread stopped before it answered anything: starting another would fail the same way. */
  private broken: Error | undefined;

  constructor(private readonly config: CompilerConfig) {
    this.startWorker();
  }

  /**
   * Starts the compiler thread. Should it stop (an error it did not catch, out of memory), every
   * request waiting on it fails with the reason instead of waiting forever, and a new thread
   * takes the next ones.
   */
  private startWorker(): void {
    const worker = new Worker(path.join(__dirname, 'compiler-worker.js'), { workerData: this.config });
    this.worker = worker;
    let answered = false;
    worker.on('message', (res: CompilerResponse) => {
      answered = true;
      const w = this.waiting.get(res.id);
      this.waiting.delete(res.id);
      if (res.error !== undefined) w?.reject(new Error(`TypeScript compiler failed: ${res.error}`));
      else w?.resolve(res.result);
    });
    let failure: Error | undefined;
    worker.on('error', (e) => { failure = e; });
    worker.on('exit', (code) => {
      if (this.closing) return;
      const why = failure ? failure.message : `exit code ${code}`;
      const error = new Error(`The TypeScript compiler thread stopped (${why}). A new one was started without the earlier cells' ` +
        'declarations: restart the kernel and run the cells again.');
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
      if (answered) this.startWorker();
      else this.broken = new Error(`The TypeScript compiler thread could not start (${why}): reinstall tsdl (npm install), then restart the kernel.`);
    });
  }

  private call<T>(req: DistributiveOmit<CompilerRequest, 'id'>): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  compile(source: string, cellIndex: number): Promise<CompileResult> { return this.call({ method: 'compile', source, cellIndex }); }
  commit(cellIndex: number): Promise<void> { return this.call({ method: 'commit', cellIndex }); }
  reset(): Promise<void> { return this.call({ method: 'reset' }); }
  complete(code: string, cursorPos: number): Promise<CompleteReply> { return this.call({ method: 'complete', code, cursorPos }); }
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectReply> {
    return this.call({ method: 'inspect', code, cursorPos, detailLevel });
  }
  isComplete(code: string): Promise<IsCompleteReply> { return this.call({ method: 'isComplete', code }); }
  info(): Promise<{ configPath?: string; warnings: string[] }> { return this.call({ method: 'info' }); }
  warmup(): Promise<void> { return this.call({ method: 'warmup' }); }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
