/**
 * Jupyter comms in the runtime process: the host behind the comm API of display/src/comm.ts, which
 * widgets (and any other comm user) talk to the frontend through.
 *
 * Comm messages from the frontend arrive from the kernel process one at a time, as requests: the
 * handler runs like a cell (interruptible, its prints published under the comm message) and the
 * kernel is busy until its promise settles, which is how the frontend paces slider drags.
 */
import type { CommHandlers, CommHost, CommMessage, CommMsgType, CommOpen } from '../../../display/src/comm';

/** Frames of tsdl's widget library, between a user's callback and the runtime: not the user's code. */
const WIDGET_LIBRARY_FRAME = /^\s+at .*[/\\]lib[/\\]src[/\\]widgets[/\\]/;

/** A callback's error as the user should read it: their frames, without the library's under them. */
export function withoutLibraryFrames<E extends { traceback: string[] }>(error: E): E {
  return { ...error, traceback: error.traceback.filter((line) => !WIDGET_LIBRARY_FRAME.test(line)) };
}

/** What the runtime sends the kernel for each kernel-side comm event. */
export type SendComm = (msgType: CommMsgType, content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[]) => void;

/** The runtime's implementation: comm bookkeeping over the IPC channel to the kernel process. */
export class RuntimeComms implements CommHost {
  private readonly targets = new Map<string, (open: CommOpen) => CommHandlers | undefined | Promise<CommHandlers | undefined>>();
  private readonly comms = new Map<string, CommHandlers>();

  readonly formatError: CommHost['formatError'];

  constructor(private readonly sendComm: SendComm, formatError: CommHost['formatError']) {
    this.formatError = (error) => withoutLibraryFrames(formatError(error));
  }

  open(targetName: string, commId: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[], handlers: CommHandlers): void {
    this.comms.set(commId, handlers);
    this.sendComm('comm_open', { comm_id: commId, target_name: targetName, data }, metadata, buffers);
  }

  send(commId: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[]): void {
    if (!this.comms.has(commId)) return;
    this.sendComm('comm_msg', { comm_id: commId, data }, metadata, buffers);
  }

  close(commId: string, data: Record<string, unknown> = {}): void {
    if (!this.comms.delete(commId)) return;
    this.sendComm('comm_close', { comm_id: commId, data }, {}, []);
  }

  registerTarget(targetName: string, onOpen: (open: CommOpen) => CommHandlers | undefined | Promise<CommHandlers | undefined>): void {
    this.targets.set(targetName, onOpen);
  }

  /** A comm message from the frontend. Resolves when its handler is done; rejects with its error. */
  async deliver(msgType: CommMsgType, content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[]): Promise<void> {
    const commId = String(content.comm_id ?? '');
    const msg: CommMessage = { commId, data: (content.data ?? {}) as Record<string, unknown>, metadata, buffers };
    if (msgType === 'comm_open') {
      const targetName = String(content.target_name ?? '');
      const onOpen = this.targets.get(targetName);
      const handlers = onOpen ? await onOpen({ ...msg, targetName }) : undefined;
      if (!handlers) {
        // Nothing here answers this target: close it, so the frontend does not wait on it.
        this.sendComm('comm_close', { comm_id: commId, data: {} }, {}, []);
        return;
      }
      this.comms.set(commId, handlers);
      return;
    }
    const handlers = this.comms.get(commId);
    if (!handlers) return;
    if (msgType === 'comm_close') {
      if (!handlers.keepOnFrontendClose) this.comms.delete(commId);
      await handlers.onClose?.(msg);
    } else {
      await handlers.onMessage?.(msg);
    }
  }
}
