/**
 * history_request: what ran in this session, for frontends' "previous input" and %history.
 */
import type { JsonObject } from '../protocol/messages';

/** This kernel's session number in history replies (one session per kernel process). */
const SESSION = 1;

interface Entry {
  line: number;
  input: string;
  output?: string;
}

export class History {
  private readonly entries: Entry[] = [];

  add(line: number, input: string): void {
    this.entries.push({ line, input });
  }

  setOutput(line: number, output: string): void {
    const e = this.entries.find((x) => x.line === line);
    if (e) e.output = output;
  }

  /** Replies to tail, range and search requests. */
  query(content: JsonObject): Array<[number, number, string | [string, string | null]]> {
    const withOutput = content.output === true;
    const n = typeof content.n === 'number' ? content.n : undefined;
    let selected: Entry[];
    switch (content.hist_access_type) {
      case 'range': {
        const start = typeof content.start === 'number' ? content.start : 0;
        const stop = typeof content.stop === 'number' ? content.stop : Infinity;
        selected = this.entries.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case 'search': {
        const pattern = globToRegExp(typeof content.pattern === 'string' ? content.pattern : '*');
        selected = this.entries.filter((e) => pattern.test(e.input));
        if (content.unique === true) {
          const seen = new Set<string>();
          selected = selected.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
        }
        if (n !== undefined) selected = selected.slice(-n);
        break;
      }
      default: // 'tail'
        selected = n !== undefined ? this.entries.slice(-n) : this.entries.slice();
    }
    return selected.map((e) => [SESSION, e.line, withOutput ? [e.input, e.output ?? null] : e.input]);
  }
}

/** IPython's history search patterns are globs: `*` any text, `?` one character. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
