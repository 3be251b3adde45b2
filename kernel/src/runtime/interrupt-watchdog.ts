/**
 * Interrupting a cell, even one stuck in a synchronous loop.
 *
 * A busy main thread cannot read a message, so this worker thread reads the interrupt pipe and, if
 * the main thread does not answer within a moment, stops the running JavaScript through the
 * inspector's `Runtime.terminateExecution` (the same thing a debugger's "stop" does). V8 unwinds
 * the stack and the main thread's event loop carries on with all state kept. If the main thread is
 * merely waiting (a pending `await`), it answers in time and rejects the cell itself.
 *
 * The runtime must run with `--no-force-async-hooks-checks`: a termination that lands inside a
 * timer callback otherwise trips Node's async-hooks consistency check and aborts the process.
 */
import { Worker } from 'node:worker_threads';
import { INTERRUPT_FD } from './ipc';

/** Shared with the worker: [0] = last interrupt the main thread handled. */
export interface Watchdog {
  /** Call from the main thread when it has handled interrupt number `n`. */
  acknowledge(n: number): void;
  /** Ends the worker and its inspector session (else Node waits for "the debugger" at exit). */
  stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const inspector = require('node:inspector');
const fs = require('node:fs');
const acks = new Int32Array(workerData.shared);
const session = new inspector.Session();
session.connectToMainThread();
let sent = 0;
const ANSWER_MS = 150;
function interrupt() {
  const n = ++sent;
  parentPort.postMessage(n);
  const deadline = Date.now() + ANSWER_MS;
  while (Atomics.load(acks, 0) < n && Date.now() < deadline) {
    Atomics.wait(acks, 0, Atomics.load(acks, 0), Math.max(1, deadline - Date.now()));
  }
  if (Atomics.load(acks, 0) < n) {
    session.post('Runtime.terminateExecution', () => {
      // The main thread is free again: let it handle the interrupt it could not read before.
      parentPort.postMessage(n);
    });
  }
}
const stream = fs.createReadStream('', { fd: workerData.fd, autoClose: false });
stream.on('data', (chunk) => { for (let i = 0; i < chunk.length; i++) interrupt(); });
stream.on('error', () => {});
`;

export function startWatchdog(onInterrupt: (n: number) => void): Watchdog {
  const shared = new SharedArrayBuffer(4);
  const acks = new Int32Array(shared);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared, fd: INTERRUPT_FD } });
  worker.unref();
  worker.on('message', (n: number) => {
    if (n > Atomics.load(acks, 0)) onInterrupt(n);
  });
  worker.on('error', (e) => process.stderr.write(`tsdl: the interrupt watchdog failed (${e.message}); interrupts will only reach awaiting cells.\n`));
  return {
    acknowledge(n: number): void {
      if (n > Atomics.load(acks, 0)) {
        Atomics.store(acks, 0, n);
        Atomics.notify(acks, 0);
      }
    },
    stop: async () => { await worker.terminate(); },
  };
}
