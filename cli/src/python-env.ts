/**
 * The project's own Python environment: `<repo>/.venv` with the pinned JupyterLab and the real
 * Jupyter clients the kernel is tested against (python/requirements.txt, pinned further by
 * python/constraints.txt).
 *
 * Creating it takes a minute or two; afterwards `ensurePythonEnv` only compares a hash of the two
 * requirement files with the stamp written after the last successful install, so `tsdl lab` and
 * `tsdl test` start at once when nothing changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './run-command';
import { findKernelRoot } from '../../kernel/src/server/environment';

export interface PythonEnv {
  /** The venv's python. */
  python: string;
  /** The venv's `jupyter` command. */
  jupyter: string;
  /** The venv's bin directory: put it first on PATH so `jupyter` finds the venv's kernelspecs. */
  binDir: string;
}

export interface PythonEnvOptions {
  /** The repository (holds python/ and gets .venv/). Default: found from this file's location. */
  root?: string;
  /** Where the venv goes. Default: `<root>/.venv`. */
  venvDir?: string;
  /** The Python that creates the venv. Default: `$TSDL_PYTHON`, else `python3`. */
  basePython?: string;
  /** Progress lines. Default: stderr, so stdout stays clean for the command's own output. */
  log?: (line: string) => void;
}

const STAMP = '.tsdl-requirements.sha256';

/**
 * The tsdl package root (the kernel's own finder: one definition of where tsdl is), which must
 * hold python/requirements.txt for the Jupyter side to be set up from it.
 */
export function repoRoot(): string {
  const root = findKernelRoot();
  if (!existsSync(path.join(root, 'python', 'requirements.txt'))) {
    throw new Error(`${root} has no python/requirements.txt: tsdl's Jupyter set-up runs from a checkout or a full npm install of tsdl; reinstall it.`);
  }
  return root;
}

/** Paths of a venv's commands; the layout differs on Windows. */
export function venvPaths(venvDir: string): PythonEnv {
  const win = process.platform === 'win32';
  const binDir = path.join(venvDir, win ? 'Scripts' : 'bin');
  const exe = win ? '.exe' : '';
  return { binDir, python: path.join(binDir, `python${exe}`), jupyter: path.join(binDir, `jupyter${exe}`) };
}

/** What the installed venv must match: both requirement files, byte for byte. */
export function requirementsHash(requirements: string, constraints: string): string {
  return createHash('sha256').update(requirements).update('\0').update(constraints).digest('hex');
}

/**
 * Makes sure `<repo>/.venv` exists with python/requirements.txt installed, and returns its
 * commands. Fast (two file reads) when the stamp matches; otherwise creates the venv if needed
 * and runs pip, showing its progress.
 */
export async function ensurePythonEnv(opts: PythonEnvOptions = {}): Promise<PythonEnv> {
  const root = opts.root ?? repoRoot();
  const venvDir = opts.venvDir ?? path.join(root, '.venv');
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = venvPaths(venvDir);
  const requirementsFile = path.join(root, 'python', 'requirements.txt');
  const constraintsFile = path.join(root, 'python', 'constraints.txt');
  const want = requirementsHash(readFileSync(requirementsFile, 'utf8'), readFileSync(constraintsFile, 'utf8'));
  const stampFile = path.join(venvDir, STAMP);

  const venvWorks = existsSync(env.python) && spawnSync(env.python, ['-c', 'pass']).status === 0;
  if (venvWorks && existsSync(env.jupyter) && readIfExists(stampFile)?.trim() === want) return env;

  if (!venvWorks) {
    const basePython = opts.basePython ?? process.env.TSDL_PYTHON ?? 'python3';
    log(`tsdl: creating a Python environment in ${venvDir} (${basePython} -m venv)`);
    await createVenv(venvDir, basePython);
  }

  log(`tsdl: installing the pinned Jupyter packages (python/requirements.txt) into ${venvDir}`);
  const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirementsFile, '-c', constraintsFile];
  // Without a terminal pip draws no progress bar; its per-package lines are progress enough, less
  // the hundred "Requirement already satisfied" lines of an environment that is nearly current.
  const installed = await runCommand(env.python, pipArgs, { echo: true, hide: /^Requirement already satisfied/ });
  if (installed.code !== 0) {
    throw new Error(
      `pip could not install python/requirements.txt into ${venvDir} (exit ${installed.code}). ` +
        'See pip\'s output above; check the network or a proxy (PIP_INDEX_URL), or delete .venv and run again.',
    );
  }
  if (!existsSync(env.jupyter)) {
    throw new Error(`pip finished but ${env.jupyter} is missing: delete ${venvDir} and run again.`);
  }
  writeFileSync(stampFile, `${want}\n`);
  log('tsdl: Python environment ready');
  return env;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Creates (or, when its python no longer runs, rebuilds) a virtual environment with
 * `basePython -m venv`, with errors that say what to install.
 */
export async function createVenv(venvDir: string, basePython: string): Promise<void> {
  checkBasePython(basePython);
  // --clear: a venv whose python no longer runs (Python upgraded, folder copied) is rebuilt.
  const created = await runCommand(basePython, ['-m', 'venv', '--clear', venvDir]);
  if (created.code !== 0) {
    const missingVenv = /ensurepip|venv/.test(created.output);
    throw new Error(
      `Could not create ${venvDir} with ${basePython} -m venv:\n${created.output.trim()}\n` +
        (missingVenv
          ? 'The venv module is missing. On Debian/Ubuntu: apt-get install python3-venv; then run again.'
          : 'Fix the error above (or delete the folder) and run again.'),
    );
  }
}

function checkBasePython(python: string): void {
  const probe = spawnSync(python, ['-c', 'import sys, venv; print(sys.version_info >= (3, 9))'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      `tsdl needs Python 3.9+ to create its Python environments, but "${python}" was not found. ` +
        'Install it (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python) ' +
        'or point TSDL_PYTHON at a python3.',
    );
  }
  if (probe.status !== 0) {
    throw new Error(
      `"${python}" cannot create virtual environments:\n${probe.stderr.trim()}\n` +
        'On Debian/Ubuntu: apt-get install python3-venv; then run again.',
    );
  }
  if (probe.stdout.trim() !== 'True') {
    throw new Error(`"${python}" is older than Python 3.9, which tsdl's Python environments (JupyterLab 4) need. Install a newer python3 or set TSDL_PYTHON.`);
  }
}
