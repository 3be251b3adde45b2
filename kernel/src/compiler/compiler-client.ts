/**
 * The kernel's handle on the compiler thread: the same operations as {@link CellCompiler}, as
 * promises.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompleteReply, InspectReply, IsCompleteReply } from './assist';
import type { CompiledCell, CompilerConfig } from './cell-compiler';

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
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(config: CompilerConfig) {
    this.worker = new Worker(path.join(__dirname, 'compiler-worker.js'), { workerData: config });
    this.worker.on('message', (res: CompilerResponse) => {
      const w = this.waiting.get(res.id);
      this.waiting.delete(res.id);
      if (res.error !== undefined) w?.reject(new Error(`TypeScript compiler failed: ${res.error}`));
      else w?.resolve(res.result);
    });
    this.worker.on('error', (e) => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    });
  }

  private call<T>(req: DistributiveOmit<CompilerRequest, 'id'>): Promise<T> {
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
    await this.worker.terminate();
  }
}
