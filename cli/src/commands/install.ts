/** `tsdl install [--user | --sys-prefix | --prefix DIR]`: write the kernelspec. */
import { InstallTarget, installKernelspec } from '../../../kernel/src/install/kernelspec';
import { parseArgs } from '../args';

export function installTarget(argv: string[]): InstallTarget {
  const args = parseArgs(argv, ['--prefix', '--python']);
  const prefix = args.flags.get('--prefix');
  if (typeof prefix === 'string') return { kind: 'prefix', dir: prefix };
  if (args.flags.has('--sys-prefix')) {
    const python = args.flags.get('--python');
    return { kind: 'sys-prefix', python: typeof python === 'string' ? python : undefined };
  }
  return { kind: 'user' };
}

export async function installCommand(argv: string[]): Promise<number> {
  const dir = installKernelspec(installTarget(argv));
  process.stdout.write(`Installed the tsdl kernelspec in ${dir}\n`);
  return 0;
}
