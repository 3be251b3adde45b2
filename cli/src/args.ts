/**
 * Every `tsdl` command reads its arguments with Node's own `util.parseArgs` (as `tsdl grade`
 * does), strictly: an unknown or misspelt option is an error that names the command's help, never
 * silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

export function parseCommandArgs<const T extends Options>(command: string, argv: string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's first sentence names the option ("Unknown option '--outptu'"); the rest is about '--'.
    const reason = (e as Error).message.split(/\.\s/)[0].replace(/\.$/, '');
    throw new Error(`${command}: ${reason}. See \`tsdl --help\`.`);
  }
}
