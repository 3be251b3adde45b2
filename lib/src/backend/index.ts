/**
 * One TensorFlow.js for every notebook, on the fastest backend this machine has.
 *
 * @example
 * import * as tsdl from "tsdl";
 * const report = await tsdl.initBackend();   // { name: 'wasm', reason: '…', … }
 * const { tf } = tsdl;
 * tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).print();
 */
import { BACKEND_NAMES, type BackendName, findNativePackage, NATIVE_HINT, probeBackend } from './probe';
import { registerWasmKernels } from './wasm-kernels';
import { stopTrainingOnInterrupt } from './interruptible-training';
import { makeBackendUninterruptible, makeKernelsUninterruptible, runtimeUninterruptible } from './uninterruptible-kernels';
import { type ThreadedModule, threadsText, wantedWasmThreads, withWasmThreads } from './wasm-threads';

/**
 * The TensorFlow.js namespace: the very object `require('@tensorflow/tfjs')` returns, so
 * danfojs-node (whose @tensorflow/tfjs-node dependency tsdl points at the same tfjs) and any
 * notebook code share one engine, one set of variables and one backend.
 */
export import tf = require('@tensorflow/tfjs');

export type { BackendName, BackendProbe } from './probe';
export { probeBackend } from './probe';
export { registerWasmKernels, wasmKernelConfigs } from './wasm-kernels';

export interface BackendReport {
  /** The backend tensors live on: tf.getBackend() (native CPU reports 'tensorflow'). */
  name: BackendName;
  /** Why it was chosen, in one line. */
  reason: string;
  /** When a preferred backend failed to load: which one, and the error. */
  fallbackFrom?: { name: BackendName; error: string };
  /** WebAssembly threads in use (1 when not threaded); undefined off wasm. */
  threads?: number;
  /** Set when the WebAssembly threads asked for could not be had (a bad TSDL_WASM_THREADS, a failed start): why. */
  threadsNote?: string;
  /** Kernels tsdl registered for wasm, and those that run on plain JS through a copy. */
  kernels?: { wasm: string[]; cpuFallbacks: string[] };
  /** TensorFlow.js version. */
  tfjs: string;
}

let pending: Promise<BackendReport> | null = null;
let current: BackendReport | null = null;

/**
 * Picks and initialises the backend (idempotent: later calls return the first report).
 * Order: TSDL_BACKEND if set, else tfjs-node-gpu with a GPU, tfjs-node, WebAssembly, plain JS.
 * A native backend that fails to load falls back to the next one with one line on stdout
 * saying how to get it; nothing is written to stderr.
 */
export function initBackend(): Promise<BackendReport> {
  pending ??= chooseBackend().then((report) => (current = withDisplay(report)));
  return pending;
}

/** The report of the backend `initBackend()` chose, or null before it has finished. */
export function backendReport(): BackendReport | null {
  return current;
}

const ORDER: BackendName[] = [...BACKEND_NAMES];

async function chooseBackend(): Promise<BackendReport> {
  quietCpuBackend();
  stopTrainingOnInterrupt();
  const probe = probeBackend();
  let fallbackFrom: BackendReport['fallbackFrom'];
  for (const name of ORDER.slice(ORDER.indexOf(probe.name))) {
    try {
      const extra = await activate(name);
      const reason = fallbackFrom ? `${fallbackFrom.name} failed to load; ${name} is the next fastest` : probe.reason;
      return { name, reason, ...(fallbackFrom ? { fallbackFrom } : {}), ...extra, tfjs: tf.version.tfjs };
    } catch (e) {
      const error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      fallbackFrom ??= { name, error };
      // One line, on stdout: nbgrader fails any cell that writes to stderr.
      console.log(`tsdl: backend ${name} is unavailable (${error}); falling back. ${hintFor(name)}`);
    }
  }
  throw new Error('tsdl: no TensorFlow.js backend could be initialised, not even plain JS');
}

function hintFor(name: BackendName): string {
  if (name === 'tensorflow' || name === 'tensorflow-gpu') return `To get native TensorFlow: ${NATIVE_HINT}.`;
  if (name === 'wasm') return 'To get WebAssembly: npm install @tensorflow/tfjs-backend-wasm@' + tf.version.tfjs + '.';
  return '';
}

async function activate(name: BackendName): Promise<Partial<BackendReport>> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const dir = findNativePackage(pkg);
      if (dir == null) throw new Error(`${pkg} is not installed`);
      require(dir);
      await setBackendOrThrow('tensorflow');
      return { name };
    }
    case 'wasm': {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      const threadsNote = await startWasm(wasm);
      const registration = registerWasmKernels(() => quietCpuBackend());
      const section = runtimeUninterruptible();
      if (section) {
        makeKernelsUninterruptible('wasm', section);
        makeBackendUninterruptible(tf.findBackend('wasm')!, section);
      }
      return {
        threads: wasm.getThreadsCount(),
        ...(threadsNote ? { threadsNote } : {}),
        kernels: { wasm: registration.kernels, cpuFallbacks: registration.cpuFallbacks },
      };
    }
    case 'cpu':
      await setBackendOrThrow('cpu');
      return {};
  }
}

/**
 * Starts the wasm backend, threaded when more than one thread is wanted (TSDL_WASM_THREADS).
 * Should the threaded start fail, the single-threaded build is started instead and the returned
 * note says why.
 */
async function startWasm(wasm: typeof import('@tensorflow/tfjs-backend-wasm')): Promise<string | undefined> {
  const { threads, note } = wantedWasmThreads();
  if (threads > 1) {
    try {
      await withWasmThreads(tf.env(), wasm, threads, async () => {
        await setBackendOrThrow('wasm');
        return (tf.backend() as unknown as { wasm: ThreadedModule }).wasm;
      });
      return note;
    } catch (e) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setThreadsCount(1);
      await setBackendOrThrow('wasm');
      return `WebAssembly threads failed to start (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); running on one thread. TSDL_WASM_THREADS=1 skips the attempt.`;
    }
  }
  await setBackendOrThrow('wasm');
  return note;
}

async function setBackendOrThrow(name: string): Promise<void> {
  // tfjs logs a failed initialisation with console.warn; keep it to our one line.
  const warn = console.warn;
  const messages: string[] = [];
  console.warn = (...args: unknown[]) => void messages.push(args.map(String).join(' '));
  try {
    if (!(await tf.setBackend(name))) throw new Error(messages.join(' ').split('\n')[0] || `tf.setBackend('${name}') failed`);
    await tf.ready();
  } finally {
    console.warn = warn;
  }
}

/**
 * The plain-JS backend, told not to print tfjs's "Hi there 👋 … install our node backend"
 * banner on first use: that goes to stderr, and nbgrader fails any cell that writes there.
 */
function quietCpuBackend(): tf.KernelBackend {
  const cpu = tf.engine().findBackend('cpu');
  if (cpu == null) throw new Error('tsdl: the plain-JS cpu backend is not registered');
  (cpu as unknown as { firstUse: boolean }).firstUse = false;
  return cpu;
}

function withDisplay(report: BackendReport): BackendReport {
  const text = () =>
    `TensorFlow.js ${report.tfjs} on ${report.name}${report.threads ? ` (${threadsText(report.threads)})` : ''}: ${report.reason}`;
  Object.defineProperty(report, Symbol.for('Jupyter.display'), {
    value: () => ({ 'text/plain': text() }),
    enumerable: false,
  });
  return report;
}
