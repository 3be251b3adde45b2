/** `tsdl doctor`: what tsdl found on this machine, and how to fix what is missing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelEnvironment } from '../../../kernel/src/server/environment';
import { kernelsDir } from '../../../kernel/src/install/kernelspec';

export async function doctorCommand(): Promise<number> {
  const env = kernelEnvironment();
  const lines = [String(env.kernelInfo.banner)];
  const venvJupyter = path.join(env.kernelRoot, '.venv', 'bin', 'jupyter');
  lines.push(`Python environment: ${fs.existsSync(venvJupyter) ? path.join(env.kernelRoot, '.venv') : 'not created yet (`tsdl lab` creates it)'}`);
  const specs = [path.join(env.kernelRoot, '.venv', 'share', 'jupyter', 'kernels', 'tsdl'), path.join(kernelsDir({ kind: 'user' }), 'tsdl')];
  const found = specs.filter((s) => fs.existsSync(path.join(s, 'kernel.json')));
  lines.push(`Kernelspec: ${found.length ? found.join(', ') : 'not installed (`tsdl install` or `tsdl lab`)'}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
