/** `tsdl setup native`: try to enable the native TensorFlow backend (see docs/backends.md). */
import * as path from 'node:path';
import { findKernelRoot } from '../../../kernel/src/server/environment';

export async function setupCommand(argv: string[]): Promise<number> {
  if (argv[0] !== 'native') throw new Error('Usage: tsdl setup native');
  const file = path.join(findKernelRoot(), 'dist/lib/src/backend/native-setup.js');
  let setup: { setupNative(): Promise<number | void> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    setup = require(file) as typeof setup;
  } catch {
    throw new Error('This build has no native backend set-up; see docs/backends.md for what was found.');
  }
  const code = await setup.setupNative();
  return typeof code === 'number' ? code : 0;
}
