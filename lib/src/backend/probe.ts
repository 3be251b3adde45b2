/**
 * Which TensorFlow.js backend tsdl will use on this machine, and why — without loading
 * TensorFlow.js (the kernel calls this for its banner, `tsdl doctor` for its report). Only
 * `fs` look-ups: no package is required, so it takes about a millisecond.
 *
 * Order: TSDL_BACKEND if set, then @tensorflow/tfjs-node-gpu (when a GPU is present), then
 * @tensorflow/tfjs-node, then WebAssembly, then plain JS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { threadsText, wantedWasmThreads } from './wasm-threads';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendProbe {
  name: BackendName;
  reason: string;
}

/** Where `setupNative()` puts @tensorflow/tfjs-node (outside the project: it is optional). */
export function nativeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TSDL_NATIVE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tsdl', 'native');
}

/**
 * The directory of a real, built copy of `pkg` (e.g. `@tensorflow/tfjs-node`), or null.
 * "Real": package.json names it (tsdl's package.json aliases @tensorflow/tfjs-node to plain
 * @tensorflow/tfjs for danfojs-node, and that alias must not count) and its native binding exists.
 */
export function findNativePackage(pkg: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const searchFrom = [path.join(nativeDir(env), 'node_modules'), __dirname, process.cwd()];
  for (const from of searchFrom) {
    let manifest: string;
    try {
      manifest = require.resolve(`${pkg}/package.json`, { paths: [from] });
    } catch {
      continue;
    }
    try {
      const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (json.name !== pkg) continue;
      const dir = path.dirname(manifest);
      if (hasBinding(path.join(dir, 'lib'))) return dir;
    } catch {
      continue;
    }
  }
  return null;
}

function hasBinding(libDir: string): boolean {
  try {
    return fs.readdirSync(libDir).some((d) => d.startsWith('napi-v') && fs.existsSync(path.join(libDir, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

function hasNvidiaGpu(): boolean {
  return fs.existsSync('/proc/driver/nvidia/version') || fs.existsSync('/dev/nvidia0');
}

function hasWasmBackend(): boolean {
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return false;
  try {
    require.resolve('@tensorflow/tfjs-backend-wasm/package.json', { paths: [__dirname, process.cwd()] });
    return true;
  } catch {
    return false;
  }
}

/** What to tell a user on wasm or cpu who wants more speed. */
export const NATIVE_HINT = 'run `tsdl setup native` (builds @tensorflow/tfjs-node against PyPI\'s TensorFlow, a minute or two; see docs/backends.md)';

/**
 * Tells which backend `initBackend()` will pick and why.
 *
 * @example
 * probeBackend() // → { name: 'wasm', reason: 'WebAssembly (XNNPACK, SIMD); no @tensorflow/tfjs-node installed: …' }
 */
export function probeBackend(env: NodeJS.ProcessEnv = process.env): BackendProbe {
  const requested = env.TSDL_BACKEND?.trim();
  let note = '';
  if (requested) {
    if ((BACKEND_NAMES as readonly string[]).includes(requested)) {
      return { name: requested as BackendName, reason: `TSDL_BACKEND=${requested}` };
    }
    note = ` (TSDL_BACKEND=${requested} ignored: use one of ${BACKEND_NAMES.join(', ')})`;
  }
  if (hasNvidiaGpu() && findNativePackage('@tensorflow/tfjs-node-gpu', env)) {
    return { name: 'tensorflow-gpu', reason: `@tensorflow/tfjs-node-gpu is installed and an NVIDIA GPU is present${note}` };
  }
  if (findNativePackage('@tensorflow/tfjs-node', env)) {
    return { name: 'tensorflow', reason: `@tensorflow/tfjs-node is installed (native TensorFlow on the CPU)${note}` };
  }
  if (hasWasmBackend()) {
    return { name: 'wasm', reason: `WebAssembly (XNNPACK, ${threadsText(wantedWasmThreads(env).threads)}); no native @tensorflow/tfjs-node: ${NATIVE_HINT}${note}` };
  }
  return { name: 'cpu', reason: `plain JavaScript: neither @tensorflow/tfjs-node nor @tensorflow/tfjs-backend-wasm is installed${note}` };
}
