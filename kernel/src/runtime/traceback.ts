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
  /** The JavaScript line that calls the cell's async wrapper, `})();`: the script, not the user's code. */
  wrapperCallLine: number;
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

  add(name: string, source: string, sourceMap: string, js: string): void {
    this.cells.set(name, { source, sourceMap, wrapperCallLine: js.trimEnd().split('\n').length });
  }

  /** Whether `In[3]:12:5` (JavaScript) is a frame of the cell's wrapper rather than of the user's code. */
  isWrapper(name: string, line: number): boolean {
    return this.cells.get(name)?.wrapperCallLine === line;
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
const RUNTIME_FILE = /[/\\](?:kernel[/\\](?:src|dist)|dist[/\\]kernel[/\\]src)[/\\]runtime[/\\]|^node:vm$/;
const CELL_FILE = /^In\[(?:silent )?\d+\]$/;

/** A frame of a stack as the user sees it; `cell` when it is a line of a cell. */
interface Frame {
  text: string;
  cell?: { name: string; line: number; column: number };
}

/** The frames prepareStackTrace wrote for each error whose stack was read: formatError needs the first cell line. */
const framesOf = new WeakMap<object, Frame[]>();

/**
 * The user's frames of a stack: cell positions mapped to the cell's own lines and columns, the
 * cell's async wrapper and Node's internal frames (timers, the microtask queue) left out, and
 * nothing from the kernel's runtime, which only ever sits below the user's code.
 */
/** Maps a position in another file's JavaScript to the TypeScript it came from (the notebook's own .ts files). */
export type FilePosition = (file: string, line: number, column: number) => { line: number; column: number } | undefined;

/** `text` with its `file:line:column` replaced by the mapped position. */
function relocate(text: string, file: string, line: number, column: number, to: { line: number; column: number }): string {
  const js = `${file}:${line}:${column}`;
  const at = text.lastIndexOf(js);
  return at < 0 ? text : `${text.slice(0, at)}${file}:${to.line}:${to.column}${text.slice(at + js.length)}`;
}

function userFrames(callSites: readonly NodeJS.CallSite[], cells: CellRegistry, filePosition: FilePosition): Frame[] {
  const frames: Frame[] = [];
  for (const site of callSites) {
    const file = site.getFileName() ?? '';
    if (RUNTIME_FILE.test(file)) {
      if (frames.length) break;
      continue; // a kernel function on top (process.exit's stand-in) threw for the user's call below
    }
    if (file.startsWith('node:internal')) continue;
    const text = site.toString();
    const line = site.getLineNumber() ?? 0;
    const column = site.getColumnNumber() ?? 0;
    if (!CELL_FILE.test(file)) {
      const pos = file ? filePosition(file, line, column) : undefined;
      frames.push({ text: `    at ${pos ? relocate(text, file, line, column, pos) : text}` });
      continue;
    }
    const pos = cells.isWrapper(file, line) ? undefined : cells.map(file, line, column);
    const source = cells.source(file);
    // The cell's async wrapper: not a line the user wrote.
    if (!pos || (source !== undefined && pos.line > source.split('\n').length)) continue;
    frames.push({ text: `    at ${relocate(text, file, line, column, pos)}`, cell: { name: file, ...pos } });
  }
  return frames;
}

/**
 * Makes every stack in the runtime (`e.stack`, `console.error(e)`, what formatError shows) read as
 * the user wrote it: see userFrames. V8 calls this once per error, when its stack is first read.
 */
export function installStackMapping(cells: CellRegistry, filePosition: FilePosition = () => undefined): void {
  let inside = false;
  Error.prepareStackTrace = (error: unknown, callSites: NodeJS.CallSite[]): string => {
    // An error whose stack is read while a stack is being mapped (in loading a source map) gets V8's own frames.
    if (inside) return [String(error), ...callSites.map((site) => `    at ${site.toString()}`)].join('\n');
    inside = true;
    try {
      return mappedStack(error, callSites);
    } finally {
      inside = false;
    }
  };
  const mappedStack = (error: unknown, callSites: NodeJS.CallSite[]): string => {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = 'Error';
    }
    const frames = userFrames(callSites, cells, filePosition);
    if (error !== null && typeof error === 'object') framesOf.set(error, frames);
    return [header, ...frames.map((f) => f.text)].join('\n');
  };
}

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
  const mapped = framesOf.get(value);
  const frames: string[] = mapped ? mapped.map((f) => f.text) : [];
  let firstCellFrame = mapped?.find((f) => f.cell)?.cell;
  // An error whose stack installStackMapping did not write (one made before it, or a library that
  // set its own prepareStackTrace): its frames are read from the text.
  for (const raw of mapped ? [] : stackLines.slice(1)) {
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
