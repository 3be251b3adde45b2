/**
 * `tsdl test` (what `npm test` runs): build, type-check, prepare the pinned Jupyter environment
 * with the tsdl kernelspec in it, then run every jest suite, including the slow end-to-end ones
 * that drive the kernel with real Jupyter clients (jupyter_kernel_test, nbclient, JupyterLab in
 * Chromium).
 *
 *   tsdl test                      everything
 *   tsdl test --fast               skip *.slow.test.ts (no Python, no browser needed)
 *   tsdl test test/nbclient        extra arguments go to jest (path filters, -t, ...)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensurePythonEnv, repoRoot } from '../python-env';

interface Step {
  title: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export async function runTests(argv: string[]): Promise<number> {
  const fast = argv.includes('--fast');
  const jestArgs = argv.filter((a) => a !== '--fast');
  const root = repoRoot();
  const node = process.execPath;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');

  const checks: Step[] = [
    { title: 'build (tsc -p tsconfig.build.json)', cmd: node, args: [tsc, '-p', 'tsconfig.build.json'] },
    { title: 'type-check everything (tsc -p tsconfig.json)', cmd: node, args: [tsc, '-p', 'tsconfig.json'] },
  ];
  for (const step of checks) {
    const code = await runStep(step, root);
    if (code !== 0) return fail(`${step.title} failed (exit ${code}); fix the errors above.`);
  }

  let env: NodeJS.ProcessEnv = { ...process.env, TSDL_SLOW: fast ? '0' : '1' };
  if (!fast) {
    let python;
    try {
      python = await ensurePythonEnv({ root });
    } catch (err) {
      return fail((err as Error).message);
    }
    // The venv first on PATH: `jupyter`, `python` and the kernelspec lookup all resolve to it.
    env = { ...env, PATH: `${python.binDir}${path.delimiter}${env.PATH ?? ''}`, VIRTUAL_ENV: path.dirname(python.binDir) };
    const install: Step = {
      title: 'install the tsdl kernelspec into .venv (tsdl install --sys-prefix)',
      cmd: node,
      args: [path.join(root, 'bin', 'tsdl.js'), 'install', '--sys-prefix', '--python', python.python],
      env,
    };
    const code = await runStep(install, root);
    if (code !== 0) return fail(`${install.title} failed (exit ${code}).`);
  }

  const suites = fast ? 'fast suites only (--fast)' : 'all suites, TSDL_SLOW=1';
  const code = await runStep({ title: `jest (${suites})`, cmd: node, args: [jest, ...jestArgs], env }, root);
  if (code !== 0) process.stderr.write(`\ntsdl test: jest failed (exit ${code}); see the failures and summary above.\n`);
  return code;
}

function fail(message: string): number {
  process.stderr.write(`\ntsdl test: ${message}\n`);
  return 1;
}

function runStep(step: Step, cwd: string): Promise<number> {
  process.stderr.write(`\n▶ ${step.title}\n`);
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, { cwd, env: step.env ?? process.env, stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`${String(err)}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
