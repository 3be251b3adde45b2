/**
 * The curriculum is written as Markdown (`notebooks/source/NN-slug.md`) and built into notebooks,
 * so chapters read and diff as prose and code rather than JSON. The format is plain Markdown:
 *
 * - text between code blocks becomes a markdown cell; a line `+++` alone starts a new one;
 * - a fenced block ```` ```ts ```` becomes a code cell; words after `ts` give nbgrader roles:
 *   `solution id=NAME` (answer cell), `test id=NAME points=N` (graded test cell),
 *   `locked id=NAME` (read-only), e.g. ```` ```ts test id=test_sigmoid points=2 ````;
 * - a fence of four or more backticks closes only on the same number, so code may hold ```.
 *
 * This module is pure: text in, cells out; `hashSource` fingerprints what the outputs came from.
 */
import { createHash } from 'node:crypto';

export interface NbgraderMeta {
  schema_version: 3;
  grade: boolean;
  solution: boolean;
  locked: boolean;
  grade_id: string;
  points?: number;
}

export interface SourceCell {
  cell_type: 'markdown' | 'code';
  id: string;
  source: string;
  metadata: { nbgrader?: NbgraderMeta };
}

/** A mistake in a chapter source, with the line it is on. */
export class SourceFormatError extends Error {
  override name = 'SourceFormatError';
}

const FENCE = /^(`{3,})\s*(\S*)\s*(.*)$/;

function parseRole(words: string, file: string, line: number): NbgraderMeta | undefined {
  const tokens = words.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return undefined;
  const role = tokens[0];
  const attrs = new Map<string, string>();
  for (const t of tokens.slice(1)) {
    const m = /^(\w+)=(\S+)$/.exec(t);
    if (!m) throw new SourceFormatError(`${file}:${line}: "${t}" is not key=value; write e.g. \`\`\`ts test id=test_relu points=2`);
    attrs.set(m[1], m[2]);
  }
  const id = attrs.get('id');
  if (!id) throw new SourceFormatError(`${file}:${line}: a ${role} cell needs id=NAME (nbgrader's grade_id)`);
  const base = { schema_version: 3 as const, grade_id: id };
  if (role === 'solution') return { ...base, grade: false, solution: true, locked: false };
  if (role === 'locked') return { ...base, grade: false, solution: false, locked: true };
  if (role === 'test') {
    const points = Number(attrs.get('points'));
    if (!(points > 0)) throw new SourceFormatError(`${file}:${line}: a test cell needs points=N with N > 0`);
    return { ...base, grade: true, solution: false, locked: false, points };
  }
  throw new SourceFormatError(`${file}:${line}: unknown cell role "${role}"; use solution, test or locked`);
}

/** Splits a chapter source into notebook cells. */
export function parseChapterSource(text: string, file = 'chapter.md'): SourceCell[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const cells: SourceCell[] = [];
  const gradeIds = new Set<string>();
  let prose: string[] = [];
  const flushProse = () => {
    const body = prose.join('\n').trim();
    if (body) cells.push({ cell_type: 'markdown', id: '', source: body, metadata: {} });
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (lines[i].trim() === '+++') { flushProse(); continue; }
    if (!open || open[2] !== 'ts') { prose.push(lines[i]); continue; }
    flushProse();
    const fence = open[1];
    const nbgrader = parseRole(open[3], file, i + 1);
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      if (lines[i].trim() === fence) { closed = true; break; }
      body.push(lines[i]);
    }
    if (!closed) throw new SourceFormatError(`${file}: the code block opened with ${fence}ts is never closed; add a line ${fence}`);
    if (nbgrader) {
      if (gradeIds.has(nbgrader.grade_id)) throw new SourceFormatError(`${file}: grade id "${nbgrader.grade_id}" is used twice; ids must be unique`);
      gradeIds.add(nbgrader.grade_id);
    }
    cells.push({ cell_type: 'code', id: '', source: body.join('\n').replace(/\s+$/, ''), metadata: nbgrader ? { nbgrader } : {} });
  }
  flushProse();
  // Stable ids (nbformat 4.5): a graded cell's grade_id, else its position, so rebuilding a
  // notebook from the same source gives the same file.
  return cells.map((c, n) => ({ ...c, id: c.metadata.nbgrader?.grade_id ?? `cell-${String(n + 1).padStart(3, '0')}` }));
}

/** SHA-256 of a chapter's source text: stored in the notebook so a test can see stale outputs. */
export function hashSource(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}
