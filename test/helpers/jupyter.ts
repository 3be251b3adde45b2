/**
 * What the end-to-end suites share: the pinned Python environment (.venv) and a kernelspec for
 * the kernel under test, installed into a fresh temporary prefix and put first on JUPYTER_PATH,
 * so a suite always exercises this checkout's kernel (and `tsdl install --prefix`), whatever is
 * installed elsewhere on the machine.
 *
 * TSDL_TEST_KERNEL=tslab runs the same suites against tslab, which is how these harnesses were
 * developed before the tsdl kernel existed and how to tell a harness bug from a kernel bug.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePythonEnv, PythonEnv } from '../../cli/src/python-env';

export const root = path.resolve(__dirname, '..', '..');

export interface JupyterSetup extends PythonEnv {
  /** The kernelspec name to start: "tsdl" (or "tslab" with TSDL_TEST_KERNEL=tslab). */
  kernelName: string;
  /** Environment for Jupyter processes: the venv first on PATH, the temporary kernelspec on JUPYTER_PATH. */
  env: NodeJS.ProcessEnv;
  /** Removes the temporary kernelspec prefix. */
  cleanup(): void;
}

export async function setUpJupyter(): Promise<JupyterSetup> {
  const python = await ensurePythonEnv({ root });
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'tsdl-kernelspec-'));
  const kernelName = process.env.TSDL_TEST_KERNEL ?? 'tsdl';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${python.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    VIRTUAL_ENV: path.dirname(python.binDir),
    JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'),
    // Keep runtime files (connection files, server info) out of the user's ~/.local.
    JUPYTER_RUNTIME_DIR: path.join(prefix, 'runtime'),
    PYTHONUNBUFFERED: '1',
  };
  delete env.TSDL_SLOW;
  if (kernelName === 'tsdl') {
    const out = spawnSync(process.execPath, [path.join(root, 'bin', 'tsdl.js'), 'install', '--prefix', prefix], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    if (out.status !== 0) {
      throw new Error(`tsdl install --prefix ${prefix} failed (exit ${out.status}):\n${out.stdout}\n${out.stderr}`);
    }
  } else if (kernelName === 'tslab') {
    const dir = path.join(prefix, 'share', 'jupyter', 'kernels', 'tslab');
    mkdirSync(dir, { recursive: true });
    const tslab = path.join(root, 'node_modules', '.bin', 'tslab');
    writeFileSync(
      path.join(dir, 'kernel.json'),
      JSON.stringify({ argv: [tslab, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript (tslab)', language: 'typescript' }),
    );
  } else if (kernelName !== 'python3') {
    // python3 (ipykernel, in .venv) only checks the harness itself: samples are TypeScript.
    throw new Error(`TSDL_TEST_KERNEL=${kernelName}: only "tsdl", "tslab" and "python3" are known.`);
  }
  return { ...python, kernelName, env, cleanup: () => rmSync(prefix, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, capturing stdout and stderr interleaved; kills it after `timeoutMs`. */
export function runCaptured(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? root, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${opts.timeoutMs} ms]\n`;
      killTree(child.pid);
    }, opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Ends a process started with `detached: true` together with its children (kernels, browsers). */
export function killTree(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
