/** `tsdl run NOTEBOOK...`: execute notebooks headless on the tsdl kernel and write the outputs. */
import * as path from 'node:path';
import { readNotebook, runNotebook, writeNotebook } from '../../../kernel/src/notebook/run';
import { parseCommandArgs } from '../args';

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, {
    output: { type: 'string', short: 'o' },
    timeout: { type: 'string' },
    'allow-errors': { type: 'boolean' },
    'in-place': { type: 'boolean' },
  });
  if (positionals.length === 0) throw new Error('tsdl run needs at least one notebook: tsdl run notebooks/01-matrices.ipynb');
  const output = values.output;
  if (output !== undefined && positionals.length > 1) throw new Error('--output works with one notebook at a time.');
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new Error(`tsdl run: --timeout takes seconds, a number above 0 (got "${values.timeout}").`);
  const cellTimeoutMs = timeout === undefined ? undefined : timeout * 1000;
  let failed = 0;
  for (const file of positionals) {
    const nb = readNotebook(file);
    const started = Date.now();
    const { notebook, errors } = await runNotebook(nb, {
      cwd: path.dirname(path.resolve(file)), cellTimeoutMs, allowErrors: values['allow-errors'] === true,
      onCell: (i, total) => process.stderr.write(`\r${path.basename(file)}: cell ${i + 1}/${total}`),
    });
    const target = output !== undefined ? output
      : values['in-place'] ? file : file.replace(/\.ipynb$/, '') + '.nbconvert.ipynb';
    writeNotebook(target, notebook);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r${path.basename(file)}: ${errors.length ? `${errors.length} failed cell(s)` : 'ok'} in ${secs} s -> ${target}\n`);
    for (const e of errors) process.stderr.write(`  cell ${e.cell}: ${e.ename}: ${e.evalue}\n`);
    if (errors.length) failed++;
  }
  return failed ? 1 : 0;
}
