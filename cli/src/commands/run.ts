/** `tsdl run NOTEBOOK...`: execute notebooks headless on the tsdl kernel and write the outputs. */
import * as path from 'node:path';
import { readNotebook, runNotebook, writeNotebook } from '../../../kernel/src/notebook/run';
import { parseArgs } from '../args';

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['--output', '-o', '--timeout']);
  if (args.positional.length === 0) throw new Error('tsdl run needs at least one notebook: tsdl run notebooks/01-matrices.ipynb');
  const output = args.flags.get('--output') ?? args.flags.get('-o');
  if (typeof output === 'string' && args.positional.length > 1) throw new Error('--output works with one notebook at a time.');
  const timeout = args.flags.get('--timeout');
  const cellTimeoutMs = typeof timeout === 'string' ? Number(timeout) * 1000 : undefined;
  let failed = 0;
  for (const file of args.positional) {
    const nb = readNotebook(file);
    const started = Date.now();
    const { notebook, errors } = await runNotebook(nb, {
      cwd: path.dirname(path.resolve(file)), cellTimeoutMs, allowErrors: args.flags.has('--allow-errors'),
      onCell: (i, total) => process.stderr.write(`\r${path.basename(file)}: cell ${i + 1}/${total}`),
    });
    const target = typeof output === 'string' ? output
      : args.flags.has('--in-place') ? file : file.replace(/\.ipynb$/, '') + '.nbconvert.ipynb';
    writeNotebook(target, notebook);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r${path.basename(file)}: ${errors.length ? `${errors.length} failed cell(s)` : 'ok'} in ${secs} s -> ${target}\n`);
    for (const e of errors) process.stderr.write(`  cell ${e.cell}: ${e.ename}: ${e.evalue}\n`);
    if (errors.length) failed++;
  }
  return failed ? 1 : 0;
}
