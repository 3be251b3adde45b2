/**
 * The curriculum is written as Markdown (`notebooks/source/NN-slug.md`) and built into notebooks,
 * so chapters read and diff as prose and code rather than JSON. The format is plain Markdown:
 *
 * - text between code blocks becomes a markdown cell; a line `+++` alone starts a new one;
 * - a fenced block ```` ```ts ```` becomes a code cell; words after `ts` give nbgrader roles:
 *   `solution id=NAME` (answer cell), `test id=NAME points=N` (graded test cell),
 *   `locked id=NAME` (read-only), e.g. ```` ```ts test id=test_sigmoid points=2 ````;
 * - a fenced block ```` ```md answer id=NAME points=N ```` becomes a manually graded written
 *   answer (nbgrader's markdown cell with solution and grade set): the teacher's version holds a
 *   model answer and the rubric, the student version only nbgrader's "YOUR ANSWER HERE";
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

/** The longest code line a chapter may hold: longer ones are cut off in JupyterLab and on GitHub. */
export const MAX_CODE_LINE = 100;

function parseRole(words: string, file: string, line: number, cellType: 'code' | 'markdown' = 'code'): NbgraderMeta | undefined {
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
  const points = Number(attrs.get('points'));
  if (cellType === 'markdown') {
    if (role !== 'answer') throw new SourceFormatError(`${file}:${line}: a \`\`\`md block with words after it must be a written answer: \`\`\`md answer id=NAME points=N`);
    if (!(points > 0)) throw new SourceFormatError(`${file}:${line}: a written answer needs points=N with N > 0`);
    return { ...base, grade: true, solution: true, locked: false, points };
  }
  if (role === 'solution') return { ...base, grade: false, solution: true, locked: false };
  if (role === 'locked') return { ...base, grade: false, solution: false, locked: true };
  if (role === 'test') {
    if (!(points > 0)) throw new SourceFormatError(`${file}:${line}: a test cell needs points=N with N > 0`);
    return { ...base, grade: true, solution: false, locked: false, points };
  }
  throw new SourceFormatError(`${file}:${line}: unknown cell role "${role}"; use solution, test or locked (a written answer is \`\`\`md answer id=NAME points=N)`);
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
    const answer = open?.[2] === 'md' && open[3].trim() !== '';
    if (!open || (open[2] !== 'ts' && !answer)) { prose.push(lines[i]); continue; }
    flushProse();
    const fence = open[1];
    const nbgrader = parseRole(open[3], file, i + 1, answer ? 'markdown' : 'code');
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      if (lines[i].trim() === fence) { closed = true; break; }
      body.push(lines[i]);
    }
    if (!closed) throw new SourceFormatError(`${file}: the block opened with ${fence}${open[2]} is never closed; add a line ${fence}`);
    if (nbgrader) {
      if (gradeIds.has(nbgrader.grade_id)) throw new SourceFormatError(`${file}: grade id "${nbgrader.grade_id}" is used twice; ids must be unique`);
      gradeIds.add(nbgrader.grade_id);
    }
    const source = body.join('\n').replace(/\s+$/, '');
    if (answer) cells.push({ cell_type: 'markdown', id: '', source, metadata: { nbgrader } });
    else cells.push({ cell_type: 'code', id: '', source, metadata: nbgrader ? { nbgrader } : {} });
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

/** Code lines longer than `MAX_CODE_LINE`, as "file:line (N characters)" for a test to list. */
export function longCodeLines(text: string, file = 'chapter.md'): string[] {
  const long: string[] = [];
  let fence: string | null = null;
  text.replace(/\r\n/g, '\n').split('\n').forEach((line, i) => {
    const open = FENCE.exec(line);
    if (fence === null) {
      if (open && open[2] === 'ts') fence = open[1];
    } else if (line.trim() === fence) {
      fence = null;
    } else if ([...line].length > MAX_CODE_LINE) {
      long.push(`${file}:${i + 1} (${[...line].length} characters)`);
    }
  });
  return long;
}
