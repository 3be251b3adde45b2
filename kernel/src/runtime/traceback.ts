/**
 * Turning a thrown value into a Jupyter error (ename, evalue, traceback) whose frames point at
 * the cells' own lines and columns, with a code frame under the line that failed.
 */
import { inspect } from 'node:util';
import type { ErrorContent } from '../protocol/messages';
import { DecodedMappings, decodeMappings, originalPosition } from './source-map';

const RED = '\x1b[0;31m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

interface CellRecord {
  source: string;
  /** The emit's source map, decoded on first use: most cells never fail. */
  sourceMap: string;
  map?: DecodedMappings;
}

function decodeSourceMap(sourceMap: string): DecodedMappings {
  try {
    return decodeMappings((JSON.parse(sourceMap) as { mappings: string }).mappings);
  } catch {
    return []; // a cell without a map still runs; its frames just stay in JS positions
  }
}

/** Every cell that ran, by name (`In[3]`): functions defined in one cell can fail in another. */
export class CellRegistry {
  private readonly cells = new Map<string, CellRecord>();

  add(name: string, source: string, sourceMap: string): void {
    this.cells.set(name, { source, sourceMap });
  }

  /** `In[3]:12:5` (JavaScript) -> `In[3]:2:7` (the cell's TypeScript), or undefined if unknown. */
  map(name: string, line: number, column: number): { line: number; column: number } | undefined {
    const cell = this.cells.get(name);
    if (!cell) return undefined;
    cell.map ??= decodeSourceMap(cell.sourceMap);
    return originalPosition(cell.map, line, column);
  }

  source(name: string): string | undefined {
    return this.cells.get(name)?.source;
  }
}

const FRAME = /^(\s*at (?:async )?)(.*?)\(?((In\[(?:silent )?\d+\]):(\d+):(\d+))\)?$/;

/** Source files of the kernel runtime itself: frames at or below them are not the user's. */
const RUNTIME_FRAME = /[/\\](?:kernel[/\\](?:src|dist)|dist[/\\]kernel[/\\]src)[/\\]runtime[/\\]|node:internal|node:vm/;

function codeFrame(source: string, line: number, column: number): string[] {
  const lines = source.split('\n');
  const out: string[] = [];
  const width = String(Math.min(lines.length, line + 1)).length;
  for (let l = Math.max(1, line - 2); l <= Math.min(lines.length, line); l++) {
    const marker = l === line ? '>' : ' ';
    out.push(`${marker} ${String(l).padStart(width)} | ${lines[l - 1]}`);
  }
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}${RED}^${RESET}`);
  return out;
}

/** The error of a cell stopped by an interrupt; `why` ends its one traceback line. */
export function interruptedError(why = 'the cell was interrupted (its variables so far are kept).'): ErrorContent {
  return { ename: 'Interrupted', evalue: 'The cell was interrupted.', traceback: [`${RED}Interrupted${RESET}: ${why}`] };
}

export function formatError(value: unknown, cells: CellRegistry): ErrorContent {
  if (!(value instanceof Error)) {
    const text = inspect(value);
    return { ename: 'Uncaught', evalue: text, traceback: [`${RED}Uncaught${RESET} ${text}`] };
  }
  const ename = value.name || 'Error';
  const evalue = value.message;
  const stackLines = (value.stack ?? '').split('\n');
  const frames: string[] = [];
  let firstCellFrame: { name: string; line: number; column: number } | undefined;
  for (const raw of stackLines.slice(1)) {
    if (!/^\s*at /.test(raw)) continue;
    // The runtime's own frames: skip them on top (process.exit's stand-in), stop at them below.
    if (RUNTIME_FRAME.test(raw)) {
      if (frames.length) break;
      continue;
    }
    const m = FRAME.exec(raw);
    if (m) {
      const [, prefix, fn, , name, l, c] = m;
      const pos = cells.map(name, Number(l), Number(c));
      const source = cells.source(name);
      // The cell's async wrapper: not a line the user wrote.
      if (!pos || (source !== undefined && pos.line > source.split('\n').length)) continue;
      const where = `${name}:${pos.line}:${pos.column}`;
      frames.push(fn.trim() ? `${prefix}${fn.trim()} (${where})` : `${prefix}${where}`);
      if (!firstCellFrame) firstCellFrame = { name, ...pos };
    } else {
      frames.push(raw);
    }
  }
  const traceback = [`${RED}${ename}${RESET}: ${evalue}`, ...frames];
  const source = firstCellFrame && cells.source(firstCellFrame.name);
  if (firstCellFrame && source !== undefined) {
    traceback.push(`${BOLD}${firstCellFrame.name}, line ${firstCellFrame.line}:${RESET}`, ...codeFrame(source, firstCellFrame.line, firstCellFrame.column));
  }
  return { ename, evalue, traceback };
}

export { codeFrame };
