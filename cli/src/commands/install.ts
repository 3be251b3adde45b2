/** `tsdl install [--user | --sys-prefix | --prefix DIR]`: write the kernelspec. */
import { InstallTarget, installKernelspec } from '../../../kernel/src/install/kernelspec';
import { parseCommandArgs } from '../args';

export function installTarget(argv: string[]): InstallTarget {
  const { values } = parseCommandArgs('install', argv, {
    prefix: { type: 'string' },
    python: { type: 'string' },
    'sys-prefix': { type: 'boolean' },
    user: { type: 'boolean' },
  });
  if (values.prefix !== undefined) return { kind: 'prefix', dir: values.prefix };
  if (values['sys-prefix']) return { kind: 'sys-prefix', python: values.python };
  return { kind: 'user' };
}

export async function installCommand(argv: string[]): Promise<number> {
  const dir = installKernelspec(installTarget(argv));
  process.stdout.write(`Installed the tsdl kernelspec in ${dir}\n`);
  return 0;
}
