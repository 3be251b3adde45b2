/**
 * WebAssembly threads for tfjs-backend-wasm in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK over a pthread pool) but in Node
 * it never gets to use it, for three reasons, each dealt with here for the duration of
 * `tf.setBackend('wasm')`:
 * 1. The flag `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false under Node (tfjs issue 3830);
 *    we set it.
 * 2. Emscripten starts each pthread worker from a `blob:` URL, which Node's `worker_threads`
 *    rejects (ERR_WORKER_PATH). We write the worker's source to a real file and hand its path
 *    out instead of a blob URL; inside the worker, the factory it asks for the same way is the
 *    threaded factory's file in the package.
 * 3. The backend caps its pool at `emscripten_num_logical_cores() / 2` (it assumes two
 *    hyper-threads per core), which Node answers with `os.cpus().length`: one thread on a
 *    two-core machine whatever `setThreadsCount` asked for. `os.cpus()` answers twice the wanted
 *    count while the module starts.
 * The pool's idle workers are unref'd afterwards so that a script ends when its work does.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';

export interface ThreadsChoice {
  threads: number;
  /** Set when TSDL_WASM_THREADS could not be used: what was wrong and what is used instead. */
  note?: string;
}

/**
 * How many threads to ask for: TSDL_WASM_THREADS if set (1 turns threads off), else one per core,
 * at most 8 (tfjs-backend-wasm pre-creates 8 pthread workers and never uses more). A value that is
 * not a whole number ≥ 1 is not fatal: the default is used and `note` says so.
 */
export function wantedWasmThreads(env: NodeJS.ProcessEnv = process.env): ThreadsChoice {
  const byDefault = Math.min(Math.max(1, os.availableParallelism?.() ?? os.cpus().length), 8);
  const raw = env.TSDL_WASM_THREADS?.trim();
  if (!raw) return { threads: byDefault };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    return { threads: byDefault, note: `TSDL_WASM_THREADS=${raw} is not a whole number ≥ 1 (1 turns WebAssembly threads off); using ${byDefault}` };
  }
  return { threads: Math.min(n, 8) };
}

/** "1 thread", "2 threads": how reports and the banner say it. */
export function threadsText(threads: number): string {
  return `${threads} thread${threads === 1 ? '' : 's'}`;
}

interface WasmPackage {
  factoryFile: string;
  workerSource: string;
}

function wasmPackage(): WasmPackage {
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const out = path.join(dir, 'wasm-out');
  const { wasmWorkerContents } = require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  return { factoryFile: path.join(out, 'tfjs-backend-wasm-threaded-simd.js'), workerSource: wasmWorkerContents };
}

/**
 * The pthread worker as a file Node can start: tfjs's worker source, with `URL.createObjectURL`
 * answering the threaded factory's path (the worker asks for the factory that way). Named by a
 * hash of its content and written by rename, so concurrent processes never see half a file.
 */
function writeWorkerFile(pkg: WasmPackage = wasmPackage(), dir: string = os.tmpdir()): string {
  const source =
    `// tfjs-backend-wasm's pthread worker, written by tsdl (lib/src/backend/wasm-threads.ts).\n` +
    `URL.createObjectURL = () => ${JSON.stringify(pkg.factoryFile)};\nURL.revokeObjectURL = () => {};\n` +
    // tfjs does the same before making its Blob: the template literal turned "\n" in string literals into newlines.
    pkg.workerSource.replace(/\n/g, '\\n');
  const file = path.join(dir, `tsdl-wasm-worker-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, file);
  }
  return file;
}

interface Patches {
  restore(): void;
}

/** Points the worker's blob URL at `workerFile` and makes `os.cpus()` report 2·threads cores. */
function patchForInit(workerFile: string, threads: number): Patches {
  const createObjectURL = URL.createObjectURL;
  // The module object itself: `import * as os` may be a copy, and the backend calls require('os').cpus().
  const osModule = require('node:os') as { cpus: typeof os.cpus };
  const cpus = osModule.cpus;
  URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : createObjectURL(obj));
  osModule.cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
  };
  return {
    restore() {
      URL.createObjectURL = createObjectURL;
      osModule.cpus = cpus;
    },
  };
}

/** The part of the Emscripten module (the backend's `wasm`) that holds the pthread pool. */
export interface ThreadedModule {
  PThread?: { runningWorkers: Worker[]; unusedWorkers: Worker[] };
}

/**
 * Runs `init` (which must call `tf.setBackend('wasm')`) with the threaded build enabled for
 * `threads` threads, and returns the thread count the backend reports.
 */
export async function withWasmThreads(
  env: { set(flag: string, value: boolean): void },
  wasm: { setThreadsCount(n: number): void; getThreadsCount(): number },
  threads: number,
  init: () => Promise<ThreadedModule>,
): Promise<number> {
  const workerFile = writeWorkerFile();
  env.set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const patches = patchForInit(workerFile, threads);
  let module: ThreadedModule;
  try {
    module = await init();
  } finally {
    patches.restore();
  }
  // Pool threads wait for work forever; without this no script using the backend would exit.
  const pool = module.PThread;
  for (const worker of [...(pool?.runningWorkers ?? []), ...(pool?.unusedWorkers ?? [])]) worker.unref();
  return wasm.getThreadsCount();
}
