/**
 * A Jupyter client in TypeScript: starts a tsdl kernel (or any kernel command) and talks to it
 * over ZeroMQ. Used by `tsdl run`, the grader and the kernel's own protocol tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { ConnectionInfo, JsonObject, Message } from '../protocol/messages';
import { childMessage, decode, encode, newHeader, Signer } from '../protocol/wire';
import type { Output } from '../notebook/format';
import { findKernelRoot } from '../server/environment';

/** An output as nbformat v4 holds it (a display's `transient` id too, which files never keep). */
export type NbOutput = Output;

export interface ExecuteOptions {
  /** Interrupt the cell after this long; the reply then has timedOut = true. */
  timeoutMs?: number;
  silent?: boolean;
  storeHistory?: boolean;
  stopOnError?: boolean;
  allowStdin?: boolean;
  /** Answer input_request messages (stdin); without it, allowStdin is false. */
  onInput?: (prompt: string, password: boolean) => string | Promise<string>;
  /** Called for each output as it arrives (progress, live display). */
  onOutput?: (output: NbOutput) => void;
}

export interface ExecuteResult {
  status: 'ok' | 'error' | 'aborted';
  executionCount: number | null;
  outputs: NbOutput[];
  error?: { ename: string; evalue: string; traceback: string[] };
  timedOut: boolean;
  /** The kernel's runtime died during the cell (its state is gone). */
  kernelDied: boolean;
  reply: JsonObject;
}

export interface StartOptions {
  /** The notebook folder: the kernel's working directory. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Heap limit for notebook code, in MiB. */
  memoryLimitMb?: number;
  /** Command to start instead of tsdl's kernel; `{connection_file}` is replaced. */
  argv?: string[];
  startupTimeoutMs?: number;
  /** Where the kernel's own log (stderr) goes; default: kept for error messages. */
  onLog?: (text: string) => void;
  /**
   * Bind the kernel's sockets as Unix sockets named `<ipcPath>-<n>` instead of loopback TCP
   * ports: the way to reach a kernel that has no network (another network namespace).
   */
  ipcPath?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function newConnectionInfo(): Promise<ConnectionInfo> {
  const ports: number[] = [];
  while (ports.length < 5) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  return {
    transport: 'tcp', ip: '127.0.0.1', key: randomBytes(32).toString('hex'), signature_scheme: 'hmac-sha256',
    shell_port: ports[0], control_port: ports[1], stdin_port: ports[2], iopub_port: ports[3], hb_port: ports[4],
    kernel_name: 'tsdl',
  };
}

type Waiter = (msg: Message) => void;

export class KernelClient {
  readonly signer: Signer;
  private readonly session = randomUUID();
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly stdin = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly replyWaiters = new Map<string, Waiter>();
  private readonly iopubWaiters = new Map<string, Waiter>();
  private readonly stdinHandlers = new Map<string, Waiter>();
  private closed = false;
  private log = '';
  private exited: { code: number | null; signal: string | null } | undefined;

  private constructor(readonly connection: ConnectionInfo, readonly process: ChildProcess | undefined, private readonly connectionFile?: string) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    const identity = Buffer.from(randomUUID());
    this.shell.routingId = identity.toString();
    this.stdin.routingId = identity.toString();
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.linger = 0;
  }

  /** Starts a kernel process and connects to it; resolves once it answers kernel_info. */
  static async start(options: StartOptions = {}): Promise<KernelClient> {
    const conn = await newConnectionInfo();
    if (options.ipcPath) Object.assign(conn, { transport: 'ipc', ip: options.ipcPath, shell_port: 1, control_port: 2, stdin_port: 3, iopub_port: 4, hb_port: 5 });
    const file = path.join(os.tmpdir(), `tsdl-kernel-${randomUUID()}.json`);
    fs.writeFileSync(file, JSON.stringify(conn), { mode: 0o600 });
    const root = findKernelRoot();
    const argv = (options.argv ?? [process.execPath, path.join(root, 'bin/tsdl.js'), 'kernel', '-f', '{connection_file}'])
      .map((a) => a.replace('{connection_file}', file));
    // As jupyter_client does: the kernel exits when this process dies, even by SIGKILL, when no
    // 'exit' handler of ours runs (tsdl run, the grader, tests).
    const env: NodeJS.ProcessEnv = { ...process.env, JPY_PARENT_PID: String(process.pid), ...options.env };
    if (options.memoryLimitMb) env.TSDL_MEMORY_LIMIT_MB = String(options.memoryLimitMb);
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const client = new KernelClient(conn, child, file);
    const onLog = options.onLog ?? ((t: string) => { client.log = (client.log + t).slice(-20_000); });
    child.stdout?.setEncoding('utf8').on('data', onLog);
    child.stderr?.setEncoding('utf8').on('data', onLog);
    // A kernel this process started must not outlive it (tsdl run, the grader, tests).
    const killKernel = (): void => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } };
    process.once('exit', killKernel);
    child.on('exit', (code, signal) => { client.exited = { code, signal }; process.off('exit', killKernel); });
    await client.connect();
    try {
      await client.waitForReady(options.startupTimeoutMs ?? 30_000);
    } catch (e) {
      await client.shutdown().catch(() => undefined);
      throw new Error(`${(e as Error).message}\nKernel log:\n${client.log}`);
    }
    return client;
  }

  /** Connects to a kernel that is already running. */
  static async connect(conn: ConnectionInfo): Promise<KernelClient> {
    const client = new KernelClient(conn, undefined);
    await client.connect();
    return client;
  }

  private address(port: number): string {
    return this.connection.transport === 'ipc' ? `ipc://${this.connection.ip}-${port}` : `tcp://${this.connection.ip}:${port}`;
  }

  private async connect(): Promise<void> {
    this.shell.connect(this.address(this.connection.shell_port));
    this.control.connect(this.address(this.connection.control_port));
    this.stdin.connect(this.address(this.connection.stdin_port));
    this.iopub.connect(this.address(this.connection.iopub_port));
    this.iopub.subscribe();
    void this.pump(this.shell, this.replyWaiters);
    void this.pump(this.control, this.replyWaiters);
    void this.pump(this.stdin, this.stdinHandlers);
    void this.pump(this.iopub, this.iopubWaiters);
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, waiters: Map<string, Waiter>): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: Message;
        try {
          msg = decode(frames, this.signer);
        } catch {
          continue;
        }
        const parentId = msg.parent_header.msg_id;
        if (parentId) waiters.get(parentId)?.(msg);
      }
    } catch {
      /* socket closed */
    }
  }

  private async waitForReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // The first requests can be lost while sockets connect (ZeroMQ's slow joiner): retry.
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`The kernel exited during start-up (code ${this.exited.code}, signal ${this.exited.signal}).`);
      try {
        await this.request('shell', 'kernel_info_request', {}, 1000);
        return;
      } catch { /* retry */ }
    }
    throw new Error(`The kernel did not answer kernel_info within ${timeoutMs / 1000} s.`);
  }

  /** Sends a request and resolves with its reply. */
  async request(channel: 'shell' | 'control', msgType: string, content: JsonObject, timeoutMs = 60_000): Promise<Message> {
    const msg = this.message(msgType, content);
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replyWaiters.delete(msg.header.msg_id);
        reject(new Error(`No ${msgType.replace('_request', '_reply')} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.replyWaiters.set(msg.header.msg_id, (reply) => {
        clearTimeout(timer);
        this.replyWaiters.delete(msg.header.msg_id);
        resolve(reply);
      });
      void this.sendOn(channel, msg);
    });
  }

  message(msgType: string, content: JsonObject): Message {
    return { identities: [], header: newHeader(msgType, this.session, 'tsdl-client'), parent_header: {}, metadata: {}, content, buffers: [] };
  }

  /** Sends raw frames (for tests of malformed and unsigned messages). */
  async sendFrames(channel: 'shell' | 'control', frames: Buffer[]): Promise<void> {
    await (channel === 'shell' ? this.shell : this.control).send(frames);
  }

  private async sendOn(channel: 'shell' | 'control' | 'stdin', msg: Message): Promise<void> {
    const socket = channel === 'shell' ? this.shell : channel === 'control' ? this.control : this.stdin;
    await socket.send(encode(msg, this.signer));
  }

  /** Runs code and collects its outputs, as nbclient would. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const msg = this.message('execute_request', {
      code, silent: options.silent ?? false, store_history: options.storeHistory ?? true, user_expressions: {},
      allow_stdin: options.allowStdin ?? options.onInput !== undefined, stop_on_error: options.stopOnError ?? true,
    });
    const id = msg.header.msg_id;
    const outputs: NbOutput[] = [];
    let reply: Message | undefined;
    let idle = false;
    let timedOut = false;
    const done = new Promise<void>((resolve) => {
      const check = (): void => { if (reply && idle) resolve(); };
      this.replyWaiters.set(id, (m) => { reply = m; check(); });
      this.iopubWaiters.set(id, (m) => {
        if (m.header.msg_type === 'update_display_data') {
          // Replace the output with the same display id, as a notebook frontend does.
          const displayId = (m.content.transient as JsonObject | undefined)?.display_id;
          for (const o of outputs) {
            if (o.output_type === 'display_data' && o.transient?.display_id === displayId) {
              o.data = m.content.data as JsonObject;
              o.metadata = (m.content.metadata as JsonObject) ?? {};
            }
          }
          return;
        }
        const out = toOutput(m);
        if (out) {
          outputs.push(out);
          options.onOutput?.(out);
        } else if (m.header.msg_type === 'clear_output') {
          outputs.length = 0;
        } else if (m.header.msg_type === 'status' && m.content.execution_state === 'idle') {
          idle = true;
          check();
        }
      });
      this.stdinHandlers.set(id, (m) => {
        if (m.header.msg_type !== 'input_request') return;
        void Promise.resolve(options.onInput?.(String(m.content.prompt ?? ''), m.content.password === true) ?? '').then((value) => {
          const answer = childMessage(m, 'input_reply', { value }, this.session);
          answer.identities = [];
          answer.header = newHeader('input_reply', this.session, 'tsdl-client');
          void this.sendOn('stdin', answer);
        });
      });
    });
    await this.sendOn('shell', msg);
    let timer: NodeJS.Timeout | undefined;
    let died = false;
    const watchdog = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (this.exited) { died = true; clearInterval(poll); resolve(); }
      }, 200);
      void done.finally(() => clearInterval(poll));
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          timedOut = true;
          void this.interrupt();
        }, options.timeoutMs);
      }
    });
    await Promise.race([done, watchdog]);
    if (timer) clearTimeout(timer);
    this.replyWaiters.delete(id);
    this.iopubWaiters.delete(id);
    this.stdinHandlers.delete(id);
    const content = reply?.content ?? { status: 'error', ename: 'KernelDied', evalue: 'The kernel process exited.', traceback: [] };
    const status = content.status as ExecuteResult['status'];
    const error = status === 'error'
      ? { ename: String(content.ename), evalue: String(content.evalue), traceback: (content.traceback as string[]) ?? [] }
      : undefined;
    return {
      status, outputs, error, timedOut, reply: content,
      executionCount: typeof content.execution_count === 'number' ? content.execution_count : null,
      kernelDied: died || error?.ename === 'RuntimeDied',
    };
  }

  /** interrupt_request on the control channel (message mode). */
  async interrupt(): Promise<void> {
    await this.request('control', 'interrupt_request', {}, 10_000).catch(() => undefined);
  }

  /** Sends SIGINT to the kernel process (signal mode). */
  signalInterrupt(): void {
    this.process?.kill('SIGINT');
  }

  get kernelLog(): string {
    return this.log;
  }

  get hasExited(): boolean {
    return this.exited !== undefined;
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const proc = this.process;
    if (proc && !this.exited) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      await this.request('control', 'shutdown_request', { restart: false }, 3000).catch(() => undefined);
      const timer = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { proc.kill('SIGKILL'); } }, 3000);
      await exited;
      clearTimeout(timer);
    }
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
    if (this.connectionFile) fs.rmSync(this.connectionFile, { force: true });
  }
}

function toOutput(m: Message): NbOutput | undefined {
  const c = m.content;
  switch (m.header.msg_type) {
    case 'stream': return { output_type: 'stream', name: c.name as 'stdout' | 'stderr', text: String(c.text) };
    case 'display_data': return { output_type: 'display_data', data: c.data as JsonObject, metadata: (c.metadata as JsonObject) ?? {}, transient: c.transient as JsonObject };
    case 'execute_result': return { output_type: 'execute_result', data: c.data as JsonObject, metadata: (c.metadata as JsonObject) ?? {}, execution_count: c.execution_count as number };
    case 'error': return { output_type: 'error', ename: String(c.ename), evalue: String(c.evalue), traceback: c.traceback as string[] };
    default: return undefined;
  }
}
