/** Running the external programs the `tsdl` command drives (python, pip, npm, node-gyp, tar). */
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code; 127 when the program could not be started (not installed). */
  code: number;
  /** stdout and stderr, interleaved as they came: for error messages. */
  output: string;
}

/**
 * Runs a command and collects its output. With `echo`, the output also goes to our stderr as it
 * comes (progress of long steps), less the lines that match `hide`.
 */
export function runCommand(cmd: string, args: string[], opts: { cwd?: string; echo?: boolean; hide?: RegExp } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      if (!opts.echo) return;
      const { hide } = opts;
      process.stderr.write(hide ? text.split(/(?<=\n)/).filter((line) => !hide.test(line)).join('') : text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => resolve({ code: 127, output: String(err) }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
