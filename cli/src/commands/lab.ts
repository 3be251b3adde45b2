/**
 * `tsdl lab`: set up what is missing (Python env, kernelspec, the learner's workspace) and open
 * JupyterLab on the workspace, `learn/`: the student version of every chapter, the learner's to
 * edit (see ../workspace.ts). `tsdl lab --teacher` opens the teacher's notebooks/ instead.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { installKernelspec } from '../../../kernel/src/install/kernelspec';
import { findKernelRoot } from '../../../kernel/src/server/environment';
import { ensurePythonEnv } from '../python-env';
import { describeEvent, syncWorkspace, TEACHER_LINK } from '../workspace';

/** The folder `tsdl lab` opens, by default. */
export const workspaceDir = (root: string) => path.join(root, 'learn');

/**
 * Where nbgrader's lab extension finds the course's nbgrader_config.py: without it, its Validate
 * button would know no stub for TypeScript and allow 30 s per cell.
 */
export const nbgraderConfigDir = (root: string) => path.join(root, 'python', 'jupyter-config');

/** The environment of the JupyterLab that `tsdl lab` starts. */
export function labEnv(root: string, binDir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const configPath = [nbgraderConfigDir(root), ...(base.JUPYTER_CONFIG_PATH ? [base.JUPYTER_CONFIG_PATH] : [])].join(path.delimiter);
  return { ...base, PATH: `${binDir}${path.delimiter}${base.PATH ?? ''}`, JUPYTER_CONFIG_PATH: configPath };
}

export async function labCommand(argv: string[]): Promise<number> {
  const teacher = argv.includes('--teacher');
  const jupyterArgs = argv.filter((a) => a !== '--teacher');
  const root = findKernelRoot();
  const env = await ensurePythonEnv({ root });
  const venv = path.dirname(env.binDir);
  const dir = installKernelspec({ kind: 'prefix', dir: venv });
  process.stdout.write(`Kernel ready: ${dir}\n`);

  let open = path.join(root, 'notebooks');
  if (!teacher) {
    open = workspaceDir(root);
    const { created, events, problems } = await syncWorkspace({ teacherDir: path.join(root, 'notebooks'), dir: open });
    for (const p of problems) process.stderr.write(`tsdl: ${p}\n`);
    if (created) {
      process.stdout.write(
        `Your workspace ${open} holds the chapters with the exercises to do (it is yours: tsdl never overwrites it).\n` +
          `The teacher's full notebooks are in its ${TEACHER_LINK}/ folder. Start with 00-getting-started.ipynb and README.md.\n`,
      );
    } else {
      for (const e of events) process.stdout.write(`${describeEvent(e)}\n`);
      if (events.length > 0) process.stdout.write(`(listed in ${path.join(open, 'UPDATES.md')})\n`);
    }
  }
  process.stdout.write(`Opening JupyterLab on ${open} …\n`);
  // Containers often run as root, which Jupyter refuses without this flag.
  const rootFlag = process.getuid?.() === 0 && !jupyterArgs.includes('--allow-root') ? ['--allow-root'] : [];
  const child = spawn(env.jupyter, ['lab', `--notebook-dir=${open}`, ...rootFlag, ...jupyterArgs], {
    stdio: 'inherit',
    env: labEnv(root, env.binDir),
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}
