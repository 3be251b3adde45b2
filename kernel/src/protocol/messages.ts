/**
 * Jupyter messaging protocol 5.3 types: just the shapes tsdl reads and writes.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html
 */

export const PROTOCOL_VERSION = '5.3';

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  subshell_id?: string;
}

export type JsonObject = Record<string, unknown>;

export interface Message<C = JsonObject> {
  /** ZeroMQ routing identities that preceded the delimiter (shell, control, stdin). */
  identities: Buffer[];
  header: MessageHeader;
  /** Empty object when the message has no parent. */
  parent_header: Partial<MessageHeader>;
  metadata: JsonObject;
  content: C;
  buffers: Buffer[];
}

export type Channel = 'shell' | 'control' | 'stdin' | 'iopub' | 'hb';

/** The connection file Jupyter writes and passes as `-f`. */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  kernel_name?: string;
}

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

/** The nbformat-style error triple, used in error replies and `error` messages. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}
