/** `tsdl kernel -f CONNECTION_FILE`: what Jupyter runs to start the kernel. */
import { Kernel, readConnectionFile } from '../../../kernel/src/server/kernel';
import { parseArgs } from '../args';

export async function kernelCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['-f', '--connection-file', '--notebook-dir']);
  const file = args.flags.get('-f') ?? args.flags.get('--connection-file');
  if (typeof file !== 'string') throw new Error('tsdl kernel needs -f CONNECTION_FILE (Jupyter passes it; see `tsdl install`).');
  const notebookDir = args.flags.get('--notebook-dir');
  const memory = Number(process.env.TSDL_MEMORY_LIMIT_MB);
  const kernel = new Kernel(readConnectionFile(file), {
    notebookDir: typeof notebookDir === 'string' ? notebookDir : undefined,
    memoryLimitMb: Number.isFinite(memory) && memory > 0 ? memory : undefined,
  });
  await kernel.start();
  await kernel.finished;
  // ZeroMQ's sockets may keep the event loop alive a moment longer than needed.
  process.exit(0);
}
