/** A small argument reader: flags with values, boolean flags, and positional arguments. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[], withValue: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) {
      const [key, inline] = a.split('=', 2);
      if (withValue.includes(key)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new Error(`${key} needs a value.`);
        flags.set(key, value);
      } else flags.set(key, true);
    } else positional.push(a);
  }
  return { positional, flags };
}
