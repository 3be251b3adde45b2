/** `tsdl lab`: set up what is missing (Python env, kernelspec) and open JupyterLab on notebooks/. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { installKernelspec } from '../../../kernel/src/install/kernelspec';
import { findKernelRoot } from '../../../kernel/src/server/environment';
import { ensurePythonEnv } from '../python-env';

export async function labCommand(argv: string[]): Promise<number> {
  const root = findKernelRoot();
  const env = await ensurePythonEnv({ root });
  const venv = path.dirname(env.binDir);
  const dir = installKernelspec({ kind: 'prefix', dir: venv });
  process.stdout.write(`Kernel ready: ${dir}\nOpening JupyterLab on ${path.join(root, 'notebooks')} …\n`);
  // Containers often run as root, which Jupyter refuses without this flag.
  const rootFlag = process.getuid?.() === 0 && !argv.includes('--allow-root') ? ['--allow-root'] : [];
  const child = spawn(env.jupyter, ['lab', `--notebook-dir=${path.join(root, 'notebooks')}`, ...rootFlag, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${env.binDir}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}
