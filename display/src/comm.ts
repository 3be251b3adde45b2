/**
 * The comm API of a notebook's frontend, for libraries: Jupyter comms as the tsdl runtime hosts
 * them. Notebook code reaches the host through `globalThis[Symbol.for('tsdl.comm.host')]`, so a
 * library (tsdl/widgets) needs no import of the runtime; without a host (plain `node`, unit tests)
 * there is no frontend to talk to and libraries keep their state in memory.
 */

export type CommMsgType = 'comm_open' | 'comm_msg' | 'comm_close';

/** A comm message's parts, in either direction. */
export interface CommMessage {
  commId: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  buffers: Uint8Array[];
}

/** What the frontend opened: a comm message with its target. */
export interface CommOpen extends CommMessage {
  targetName: string;
}

export interface CommHandlers {
  onMessage?(msg: CommMessage): void | Promise<void>;
  onClose?(msg: CommMessage): void | Promise<void>;
  /**
   * Stay open when the frontend closes the comm. JupyterLab closes its widget models' comms when
   * it lets go of them (a page being reloaded may get some closes out), yet the reloaded page
   * restores the same models from the kernel and talks to them on the same ids.
   */
  keepOnFrontendClose?: boolean;
}

/** The runtime's comm host, as libraries see it. */
export interface CommHost {
  /** Opens a comm from the kernel side (comm_open on IOPub). */
  open(targetName: string, commId: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[], handlers: CommHandlers): void;
  send(commId: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[]): void;
  close(commId: string, data?: Record<string, unknown>): void;
  /**
   * Handles comms the frontend opens on `targetName`; the handler returns the comm's handlers, or
   * undefined to refuse it (the comm is then closed, so the frontend does not wait on it).
   */
  registerTarget(targetName: string, onOpen: (open: CommOpen) => CommHandlers | undefined | Promise<CommHandlers | undefined>): void;
  /** An exception as a Jupyter error, its stack mapped to cell lines (what a failing cell shows). */
  formatError(error: unknown): { ename: string; evalue: string; traceback: string[] };
}

export const COMM_HOST_KEY = Symbol.for('tsdl.comm.host');

/** The installed host, or undefined outside a tsdl runtime. */
export function commHost(): CommHost | undefined {
  return (globalThis as { [COMM_HOST_KEY]?: CommHost })[COMM_HOST_KEY];
}
