/**
 * Interrupting a cell, even one stuck in a synchronous loop.
 *
 * A busy main thread cannot read a message, so this worker thread reads the interrupt pipe and, if
 * the main thread does not answer within a moment, stops the running JavaScript through the
 * inspector's `Runtime.terminateExecution` (the same thing a debugger's "stop" does). V8 unwinds
 * the stack and the main thread's event loop carries on with all state kept. If the main thread is
 * merely waiting (a pending `await`), it answers in time and rejects the cell itself.
 *
 * Some native work must not be cut in the middle: a WebAssembly tensor kernel that shares out its
 * work to a pthread pool waits for the pool under its lock, and a termination inside it left the
 * pool stuck: the next tensor operation never returned. Such work runs inside
 * `uninterruptible(fn)`; a termination waits until it has returned (a running kernel takes
 * milliseconds to seconds) and no new section starts while one is on its way.
 *
 * The worker also ends the runtime when the kernel's end of the pipe closes: a main thread stuck
 * in a loop would never see its IPC channel close, and would outlive a killed kernel.
 *
 * The runtime must run with `--no-force-async-hooks-checks`: a termination that lands inside a
 * timer callback otherwise trips Node's async-hooks consistency check and aborts the process.
 */
import { Worker } from 'node:worker_threads';
import { INTERRUPT_FD } from './ipc';

/**
 * Shared with the worker, as Int32s: [ACKED] the last interrupt the main thread handled,
 * [IN_SECTION] 1 while the main thread is inside `uninterruptible`, [TERMINATING] the interrupt
 * whose termination the worker has decided on and not yet delivered (0: none).
 */
const ACKED = 0;
const IN_SECTION = 1;
const TERMINATING = 2;
/** How many `patiently` calls are in progress on the main thread (see Watchdog.patiently). */
const PATIENT = 3;
/** How long the worker waits for the main thread to answer before terminating, and inside `patiently`. */
const ANSWER_MS = 150;
const PATIENT_ANSWER_MS = 3000;

export interface Watchdog {
  /** Call from the main thread when it has handled interrupt number `n`. */
  acknowledge(n: number): void;
  /** Runs `fn` so that an interrupt's termination waits until it has returned (see above). */
  uninterruptible<T>(fn: () => T): T;
  /**
   * Runs async `fn` (training: short steps, yielding between them) with more patience: an
   * interrupt waits up to PATIENT_ANSWER_MS, not ANSWER_MS, for the main thread to take it, so
   * that an interrupt hook can stop the work between steps instead of a termination landing in
   * the middle of one (which can leave a library's state half-updated).
   */
  patiently<T>(fn: () => Promise<T>): Promise<T>;
  /** Ends the worker and its inspector session (else Node waits for "the debugger" at exit). */
  stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const inspector = require('node:inspector');
const fs = require('node:fs');
const shared = new Int32Array(workerData.shared);
const session = new inspector.Session();
session.connectToMainThread();
let sent = 0;
function interrupt() {
  const n = ++sent;
  parentPort.postMessage(n);
  const deadline = Date.now() + (Atomics.load(shared, ${PATIENT}) > 0 ? ${PATIENT_ANSWER_MS} : ${ANSWER_MS});
  while (Atomics.load(shared, ${ACKED}) < n && Date.now() < deadline) {
    Atomics.wait(shared, ${ACKED}, Atomics.load(shared, ${ACKED}), Math.max(1, deadline - Date.now()));
  }
  if (Atomics.load(shared, ${ACKED}) >= n) return;
  // Announce the termination first, then wait for any section in progress to end: a section
  // starting after the announcement sees it and waits for the termination instead.
  Atomics.store(shared, ${TERMINATING}, n);
  while (Atomics.load(shared, ${IN_SECTION}) !== 0) Atomics.wait(shared, ${IN_SECTION}, 1, 1000);
  session.post('Runtime.terminateExecution', () => {
    Atomics.store(shared, ${TERMINATING}, 0);
    // The stacks that were inside \`patiently\` are gone, and their decrements with them.
    Atomics.store(shared, ${PATIENT}, 0);
    // The main thread is free again: let it handle the interrupt it could not read before.
    parentPort.postMessage(n);
  });
}
const stream = fs.createReadStream('', { fd: workerData.fd, autoClose: false });
stream.on('data', (chunk) => { for (let i = 0; i < chunk.length; i++) interrupt(); });
stream.on('error', () => {});
// The kernel closed its end (it exited, or was killed): end the runtime even if its main thread is
// stuck in a loop and cannot see its IPC channel close.
stream.on('end', () => process.kill(process.pid, 'SIGKILL'));
`;

/**
 * Libraries' interrupt hooks, run on the main thread at each interrupt before the cell is answered:
 * an interrupted `await` ends the cell, not the work it awaited, so a library whose work would
 * otherwise go on in the background stops it here (tsdl stops a model's `fit`). A registry symbol
 * on globalThis, like `tsdl.uninterruptible`, so that no library imports the runtime.
 */
export const INTERRUPT_HOOKS = Symbol.for('tsdl.interruptHooks');
/** Where libraries find `Watchdog.patiently`. */
export const PATIENTLY = Symbol.for('tsdl.patiently');

function runInterruptHooks(hooks: Set<() => void>): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch (e) {
      process.stderr.write(`tsdl: an interrupt hook failed: ${(e as Error).message}\n`);
    }
  }
}

export function startWatchdog(onInterrupt: (n: number) => void): Watchdog {
  const hooks = new Set<() => void>();
  (globalThis as Record<symbol, unknown>)[INTERRUPT_HOOKS] = hooks;
  const buffer = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const shared = new Int32Array(buffer);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared: buffer, fd: INTERRUPT_FD } });
  worker.unref();
  worker.on('message', (n: number) => {
    if (n <= Atomics.load(shared, ACKED)) return;
    runInterruptHooks(hooks);
    onInterrupt(n);
  });
  worker.on('error', (e) => process.stderr.write(`tsdl: the interrupt watchdog failed (${e.message}); interrupts will only reach awaiting cells.\n`));
  let depth = 0;
  const leave = () => {
    Atomics.store(shared, IN_SECTION, 0);
    Atomics.notify(shared, IN_SECTION);
  };
  const watchdog: Watchdog = {
    acknowledge(n: number): void {
      if (n > Atomics.load(shared, ACKED)) {
        Atomics.store(shared, ACKED, n);
        Atomics.notify(shared, ACKED);
      }
    },
    uninterruptible<T>(fn: () => T): T {
      if (depth > 0) return fn();
      for (;;) {
        Atomics.store(shared, IN_SECTION, 1);
        if (Atomics.load(shared, TERMINATING) === 0) break;
        // A termination is on its way and waits for us: step aside and let it land here.
        leave();
        while (Atomics.load(shared, TERMINATING) !== 0) { /* spin: the termination ends this loop */ }
        // Delivered but perhaps not landed yet (V8 checks at loop back-edges): give it some.
        for (let i = 0; i < 1e5; i++) { /* spin */ }
      }
      depth++;
      try {
        return fn();
      } finally {
        depth--;
        leave();
      }
    },
    patiently: async <T>(fn: () => Promise<T>): Promise<T> => {
      Atomics.add(shared, PATIENT, 1);
      try {
        return await fn();
      } finally {
        if (Atomics.load(shared, PATIENT) > 0) Atomics.sub(shared, PATIENT, 1);
      }
    },
    stop: async () => { await worker.terminate(); },
  };
  (globalThis as Record<symbol, unknown>)[PATIENTLY] = watchdog.patiently;
  return watchdog;
}
