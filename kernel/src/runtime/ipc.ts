/**
 * Messages between the kernel process and its runtime process (the child that runs notebook
 * code). Plain data over Node's IPC channel; order is preserved, so a cell's prints, displays and
 * its final `done` arrive in the order they happened.
 */
import type { MimeBundle } from '../../../display/src/mime';
import type { ErrorContent } from '../protocol/messages';
import type { CommMsgType } from '../../../display/src/comm';

export interface ExecuteCommand {
  type: 'execute';
  id: number;
  /** `In[7]`: the name stack traces use for this cell. */
  cellName: string;
  /** The cell's TypeScript source, for code frames in tracebacks. */
  source: string;
  js: string;
  sourceMap: string;
  /** Whether input() may ask the frontend (the request's allow_stdin). */
  allowStdin: boolean;
}

export interface InputReplyCommand {
  type: 'input_reply';
  id: number;
  value: string;
}

/** A frontend's comm message, handled like a cell (see runtime/comms.ts); answered with `done`. */
export interface CommCommand {
  type: 'comm';
  id: number;
  msgType: CommMsgType;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  buffers: Uint8Array[];
}

export type ToRuntime = ExecuteCommand | InputReplyCommand | CommCommand | { type: 'shutdown' };

/**
 * `background`: sent while no cell runs (a timer, a server's handler, a callback that outlived its
 * cell), so the kernel publishes it under the last request instead of the running cell.
 */
export type FromRuntime =
  | { type: 'ready'; pid: number }
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string; background?: true }
  | { type: 'display'; data: MimeBundle; metadata: Record<string, unknown>; displayId?: string; update: boolean; background?: true }
  | { type: 'clear'; wait: boolean; background?: true }
  /** An exception no code caught (a throwing timer callback, an unhandled rejection) while no cell runs. */
  | { type: 'uncaught'; error: ErrorContent }
  | { type: 'input_request'; id: number; prompt: string; password: boolean }
  /** A comm the runtime opens, sends on or closes (widgets), for the kernel to publish. */
  | { type: 'comm'; msgType: CommMsgType; content: Record<string, unknown>; metadata: Record<string, unknown>; buffers: Uint8Array[] }
  | { type: 'done'; id: number; status: 'ok'; result?: MimeBundle }
  | { type: 'done'; id: number; status: 'error'; error: ErrorContent };

/** File descriptor in the runtime on which each byte means "interrupt the running cell". */
export const INTERRUPT_FD = 4;

/** The global object emitted cell code calls for imports (`__tsdl.import("x")`). */
export const RUNTIME = '__tsdl';
