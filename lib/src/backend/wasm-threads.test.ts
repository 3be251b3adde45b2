import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { wantedWasmThreads } from './wasm-threads';

describe('wantedWasmThreads', () => {
  const byDefault = Math.min(os.availableParallelism(), 8);

  test('one thread per core by default (tfjs never uses more than 8)', () => {
    expect(wantedWasmThreads({})).toEqual({ threads: byDefault });
  });

  test('TSDL_WASM_THREADS chooses; 1 turns threads off; a bad value is named and the default used', () => {
    expect(wantedWasmThreads({ TSDL_WASM_THREADS: '1' })).toEqual({ threads: 1 });
    expect(wantedWasmThreads({ TSDL_WASM_THREADS: ' 3 ' })).toEqual({ threads: 3 });
    expect(wantedWasmThreads({ TSDL_WASM_THREADS: '64' })).toEqual({ threads: 8 });
    for (const bad of ['two', '0', '1.5']) {
      const choice = wantedWasmThreads({ TSDL_WASM_THREADS: bad });
      expect(choice.threads).toBe(byDefault);
      expect(choice.note).toBe(`TSDL_WASM_THREADS=${bad} is not a whole number ≥ 1 (1 turns WebAssembly threads off); using ${byDefault}`);
    }
  });
});

const ROOT = path.join(__dirname, '..', '..', '..');

/** Runs a Node script that loads tsdl's backend from source, through the bench scripts' swc hook. */
function runScript(script: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const load = `const tsdl = require(${JSON.stringify(path.join(__dirname, 'index.ts'))});\n`;
  const r = spawnSync(process.execPath, ['--require', path.join(ROOT, 'bench', 'backends', 'ts-hook.js'), '-e', load + script], {
    env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000, cwd: ROOT,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MATMUL = `(async () => {
  const r = await tsdl.initBackend();
  const { tf } = tsdl;
  const a = tf.tensor2d(Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i)), [300, 200]);
  const sum = tf.matMul(a, a, false, true).sum().dataSync()[0];
  console.log(JSON.stringify({ name: r.name, threads: r.threads, note: r.threadsNote ?? null, sum }));
})();`;

describe('WebAssembly threads', () => {
  const cores = os.availableParallelism();

  (cores > 1 ? test : test.skip)('a script on the threaded backend computes what one thread does, and ends by itself', () => {
    const threaded = runScript(MATMUL, { TSDL_WASM_THREADS: '', TSDL_BACKEND: '' });
    const single = runScript(MATMUL, { TSDL_WASM_THREADS: '1', TSDL_BACKEND: '' });
    // No process.exit in the script: it ends only if the idle pool threads do not hold it open.
    expect([threaded.status, threaded.stderr]).toEqual([0, '']);
    expect([single.status, single.stderr]).toEqual([0, '']);
    const t = JSON.parse(threaded.stdout) as { name: string; threads: number; note: string | null; sum: number };
    const s = JSON.parse(single.stdout) as typeof t;
    expect(t).toMatchObject({ name: 'wasm', threads: Math.min(cores, 8), note: null });
    expect(s).toMatchObject({ name: 'wasm', threads: 1, note: null });
    expect(t.sum).toBeCloseTo(s.sum, 2);
  });
});
