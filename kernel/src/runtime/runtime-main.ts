/**
 * The runtime process: runs notebook code and nothing else. Started by the kernel process with an
 * IPC channel; receives compiled cells, sends back streams, displays and results.
 *
 * Cells run in this process's main realm (not a vm context), so `instanceof Array`, Buffers and
 * typed arrays behave as in any Node program and packages see one set of globals.
 */
import * as path from 'node:path';
import * as vm from 'node:vm';
import { display, clearOutput, installDisplaySink, newDisplay } from '../../../display/src';
import { toMimeBundle } from '../../../display/src/mime';
import type { ErrorContent } from '../protocol/messages';
import { startWatchdog } from './interrupt-watchdog';
import { COMM_HOST_KEY } from '../../../display/src/comm';
import { RuntimeComms } from './comms';
import { CommCommand, ExecuteCommand, FromRuntime, RUNTIME, ToRuntime } from './ipc';
import { CELL_SCRIPT_OPTIONS, createModuleLoader, typeScriptFilePosition } from './module-loader';
import { CellRegistry, formatError, installStackMapping, interruptedError } from './traceback';
import type { InputOptions } from './notebook-globals';

const send = (msg: FromRuntime): void => {
  if (process.connected) process.send!(msg);
};

// ---- Streams: prints go over IPC in order with displays, batched so a print loop stays fast. ----
const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 50;
const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
let lastFlush = Date.now();
let flushScheduled = false;

/** Marks what is sent while no cell runs, for the kernel to show under the last cell (see ipc.ts). */
const background = (): { background?: true } => (running ? {} : { background: true });

function flushStreams(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    if (pending[name]) {
      send({ type: 'stream', name, text: pending[name], ...background() });
      pending[name] = '';
    }
  }
  lastFlush = Date.now();
}

function captureStream(name: 'stdout' | 'stderr'): void {
  const stream = process[name];
  stream.write = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean => {
    const encoding = typeof encodingOrCb === 'string' ? (encodingOrCb as BufferEncoding) : 'utf8';
    pending[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(encoding);
    // A busy loop never yields to a timer, so flush on size and age as well as on idle.
    if (pending[name].length > FLUSH_BYTES || Date.now() - lastFlush > FLUSH_MS) flushStreams();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => { flushScheduled = false; flushStreams(); });
    }
    const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (typeof callback === 'function') process.nextTick(callback as () => void);
    return true;
  }) as typeof stream.write;
}

// ---- Execution ----
interface Running {
  id: number;
  allowStdin: boolean;
  interrupt: (error: ErrorContent) => void;
}
let running: Running | undefined;
const cells = new CellRegistry();
const inputs = new Map<number, (value: string) => void>();
let nextInputId = 1;

async function execute(cmd: ExecuteCommand): Promise<void> {
  cells.add(cmd.cellName, cmd.source, cmd.sourceMap, cmd.js);
  // What timers printed before this cell began belongs to the cell before.
  flushStreams();
  let finished = false;
  // Replies exactly once: from the cell's own end, or from an interrupt. An interrupt of a busy
  // loop terminates this very function mid-way, so the interrupt path must reply on its own.
  const finish = (reply: FromRuntime): void => {
    if (finished) return;
    finished = true;
    if (running?.id === cmd.id) running = undefined;
    flushStreams();
    send(reply);
  };
  running = { id: cmd.id, allowStdin: cmd.allowStdin, interrupt: (error) => finish({ type: 'done', id: cmd.id, status: 'error', error }) };
  try {
    const script = new vm.Script(cmd.js, { filename: cmd.cellName, ...CELL_SCRIPT_OPTIONS } as vm.ScriptOptions);
    const value = await (script.runInThisContext() as Promise<unknown>);
    finish({ type: 'done', id: cmd.id, status: 'ok', result: value === undefined ? undefined : toMimeBundle(value) });
  } catch (e) {
    finish({ type: 'done', id: cmd.id, status: 'error', error: formatError(e, cells) });
  }
}

// Widgets' comms. What the runtime opens and sends follows the prints before it, in order.
const comms = new RuntimeComms((msgType, content, metadata, buffers) => {
  flushStreams();
  send({ type: 'comm', msgType, content, metadata, buffers });
}, (error) => formatError(error, cells));

/** A frontend's comm message: its handler (a widget callback) runs as a cell does, interruptible. */
async function handleComm(cmd: CommCommand): Promise<void> {
  let finished = false;
  const finish = (reply: FromRuntime): void => {
    if (finished) return;
    finished = true;
    // Its last prints still belong to this message, not to the background.
    flushStreams();
    if (running?.id === cmd.id) running = undefined;
    send(reply);
  };
  running = { id: cmd.id, allowStdin: false, interrupt: (error) => finish({ type: 'done', id: cmd.id, status: 'error', error }) };
  try {
    await comms.deliver(cmd.msgType, cmd.content, cmd.metadata, cmd.buffers);
    finish({ type: 'done', id: cmd.id, status: 'ok' });
  } catch (e) {
    finish({ type: 'done', id: cmd.id, status: 'error', error: comms.formatError(e) });
  }
}

const watchdog = startWatchdog((n) => {
  watchdog.acknowledge(n);
  running?.interrupt(interruptedError());
});
// How libraries reach `uninterruptible` (tsdl's wasm backend wraps its kernels in it): a registry
// symbol, so that no library has to import the runtime.
(globalThis as Record<symbol, unknown>)[Symbol.for('tsdl.uninterruptible')] = watchdog.uninterruptible;

function input(prompt = '', options: InputOptions = {}): Promise<string> {
  if (!running) return Promise.reject(new Error('input() can only ask while a cell is running.'));
  if (!running.allowStdin) {
    return Promise.reject(new Error('This frontend does not support input (the request has allow_stdin false): pass the value in code instead.'));
  }
  flushStreams();
  const id = nextInputId++;
  send({ type: 'input_request', id, prompt: String(prompt), password: options.password === true });
  return new Promise((resolve) => inputs.set(id, resolve));
}

// ---- Start-up ----
function installGlobals(notebookDir: string, kernelRoot: string, aliases: Record<string, string>): void {
  const loader = createModuleLoader(notebookDir, kernelRoot, aliases);
  const g = globalThis as Record<string, unknown>;
  g[RUNTIME] = loader;
  g.require = loader.require;
  g.__dirname = notebookDir;
  g.__filename = path.join(notebookDir, '__notebook__.ts');
  g.display = display;
  g.newDisplay = newDisplay;
  g.clearOutput = clearOutput;
  g.input = input;
  (globalThis as Record<symbol, unknown>)[COMM_HOST_KEY] = comms;
  installDisplaySink({
    display: (data, metadata, displayId, update) => {
      flushStreams();
      send({ type: 'display', data, metadata, displayId, update, ...background() });
    },
    clear: (wait) => {
      flushStreams();
      send({ type: 'clear', wait, ...background() });
    },
  });
}

class ProcessExitError extends Error {
  constructor(code: number | string | undefined) {
    super(`process.exit(${code ?? ''}) was called. A notebook keeps running: the kernel stays up and its variables are kept. ` +
      'To restart, use Kernel > Restart.');
    this.name = 'ProcessExitError';
  }
}

function main(): void {
  const notebookDir = process.env.TSDL_NOTEBOOK_DIR ?? process.cwd();
  const kernelRoot = process.env.TSDL_KERNEL_ROOT ?? path.resolve(__dirname, '../../../..');
  const aliases = JSON.parse(process.env.TSDL_MODULE_ALIASES ?? '{}') as Record<string, string>;
  captureStream('stdout');
  captureStream('stderr');
  installStackMapping(cells, typeScriptFilePosition);
  installGlobals(notebookDir, kernelRoot, aliases);
  // Notebook code that calls process.exit() gets an error in its cell instead of killing the kernel.
  process.exit = ((code?: number | string) => { throw new ProcessExitError(code); }) as typeof process.exit;
  // Ctrl-C reaches the whole process group; the kernel process forwards interrupts on a pipe.
  process.on('SIGINT', () => undefined);
  // A callback's exception must neither kill the runtime (and every variable) nor vanish: during
  // a cell it goes to that cell's stderr, between cells it is shown under the last cell.
  const uncaught = (error: ErrorContent): void => {
    if (running) {
      process.stderr.write(error.traceback.join('\n') + '\n');
      return;
    }
    flushStreams();
    send({ type: 'uncaught', error });
  };
  process.on('uncaughtException', (e) => uncaught(formatError(e, cells)));
  process.on('unhandledRejection', (reason) => {
    const error = formatError(reason, cells);
    uncaught({ ...error, traceback: [`Unhandled promise rejection: ${error.traceback[0]}`, ...error.traceback.slice(1)] });
  });
  process.on('message', (msg: ToRuntime) => {
    if (msg.type === 'execute') void execute(msg);
    else if (msg.type === 'comm') void handleComm(msg);
    else if (msg.type === 'input_reply') {
      inputs.get(msg.id)?.(msg.value);
      inputs.delete(msg.id);
    } else if (msg.type === 'shutdown') {
      flushStreams();
      void watchdog.stop().finally(() => process.reallyExit(0));
    }
  });
  process.on('disconnect', () => process.reallyExit(0));
  send({ type: 'ready', pid: process.pid });
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace NodeJS {
    interface Process {
      /** Node's internal exit, used because process.exit is replaced for notebook code. */
      reallyExit(code?: number): never;
    }
  }
}

main();
