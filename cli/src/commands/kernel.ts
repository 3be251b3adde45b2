/** `tsdl kernel -f CONNECTION_FILE`: what Jupyter runs to start the kernel. */
import { Kernel, readConnectionFile } from '../../../kernel/src/server/kernel';
import { parseCommandArgs } from '../args';

export async function kernelCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('kernel', argv, {
    'connection-file': { type: 'string', short: 'f' },
    'notebook-dir': { type: 'string' },
  });
  const file = values['connection-file'];
  if (file === undefined) throw new Error('tsdl kernel needs -f CONNECTION_FILE (Jupyter passes it; see `tsdl install`).');

  const memory = Number(process.env.TSDL_MEMORY_LIMIT_MB);
  const kernel = new Kernel(readConnectionFile(file), {
    notebookDir: values['notebook-dir'],
    memoryLimitMb: Number.isFinite(memory) && memory > 0 ? memory : undefined,
  });
  await kernel.start();
  await kernel.finished;
  // ZeroMQ's sockets may keep the event loop alive a moment longer than needed.
  process.exit(0);
}
