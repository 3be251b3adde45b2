import * as fs from 'node:fs';
import * as path from 'node:path';
import { chapterSources } from './chapter-notebook';
import { hashSource, longCodeLines, MAX_CODE_LINE, parseChapterSource, SourceFormatError } from './source-format';

const chapter = [
  '# Title',
  '',
  'Some prose.',
  '```ts',
  'const x = 1;',
  '```',
  'More prose.',
  '+++',
  'A second markdown cell.',
  '```ts solution id=relu',
  'function relu(x: number) {',
  '  // BEGIN SOLUTION',
  '  return Math.max(0, x);',
  '  // END SOLUTION',
  '}',
  '```',
  '````ts test id=test_relu points=2',
  'check.close(relu(-1), 0);',
  '```',
  '````',
].join('\n');

test('prose and code blocks become markdown and code cells in order', () => {
  const cells = parseChapterSource(chapter);
  expect(cells.map((c) => c.cell_type)).toEqual(['markdown', 'code', 'markdown', 'markdown', 'code', 'code']);
  expect(cells[0].source).toBe('# Title\n\nSome prose.');
  expect(cells[1].source).toBe('const x = 1;');
  expect(cells[3].source).toBe('A second markdown cell.');
});

test('roles become nbgrader metadata with grade ids as cell ids', () => {
  const [, , , , answer, tests] = parseChapterSource(chapter);
  expect(answer.metadata.nbgrader).toEqual({ schema_version: 3, grade: false, solution: true, locked: false, grade_id: 'relu' });
  expect(answer.id).toBe('relu');
  expect(tests.metadata.nbgrader).toMatchObject({ grade: true, solution: false, points: 2, grade_id: 'test_relu' });
  // A longer fence keeps an inner ``` line as code.
  expect(tests.source).toBe('check.close(relu(-1), 0);\n```');
});

test('mistakes name the line and the fix', () => {
  expect(() => parseChapterSource('```ts test id=t\n1\n```', 'c.md')).toThrow(/c.md:1: a test cell needs points=N/);
  expect(() => parseChapterSource('```ts solution\n1\n```', 'c.md')).toThrow(/needs id=NAME/);
  expect(() => parseChapterSource('```ts answer id=a\n1\n```', 'c.md')).toThrow(/unknown cell role "answer"/);
  expect(() => parseChapterSource('```ts\n1', 'c.md')).toThrow(SourceFormatError);
  expect(() => parseChapterSource('```ts locked id=a\n1\n```\n```ts locked id=a\n2\n```', 'c.md')).toThrow(/used twice/);
});

test('the source hash ignores line-ending style but not content', () => {
  expect(hashSource('a\r\nb')).toBe(hashSource('a\nb'));
  expect(hashSource('a\nb')).not.toBe(hashSource('a\nc'));
});

test('a written answer becomes a manually graded markdown cell, not code', () => {
  const cells = parseChapterSource('Why?\n```md answer id=why_relu points=2\n**Model answer.** Because.\n\nRubric: 1 point for ...\n```\nAfter.');
  expect(cells.map((c) => c.cell_type)).toEqual(['markdown', 'markdown', 'markdown']);
  expect(cells[1]).toMatchObject({ id: 'why_relu', source: '**Model answer.** Because.\n\nRubric: 1 point for ...' });
  expect(cells[1].metadata.nbgrader).toEqual({ schema_version: 3, grade: true, solution: true, locked: false, grade_id: 'why_relu', points: 2 });
  // A plain ```md block stays part of the prose around it.
  expect(parseChapterSource('a\n```md\n# b\n```\nc').map((c) => c.cell_type)).toEqual(['markdown']);
  expect(() => parseChapterSource('```md answer id=a\nx\n```', 'c.md')).toThrow(/c.md:1: a written answer needs points=N/);
  expect(() => parseChapterSource('```md solution id=a points=1\nx\n```', 'c.md')).toThrow(/must be a written answer/);
});

test('long code lines are found with their line numbers; prose lines are not code', () => {
  const long = 'x'.repeat(MAX_CODE_LINE + 1);
  const text = [long, '```ts', 'const a = 1;', `// ${long}`, '```', long, '````ts', long.slice(1), '````'].join('\n');
  expect(longCodeLines(text, 'c.md')).toEqual([`c.md:4 (${MAX_CODE_LINE + 4} characters)`]);
});

// JupyterLab and GitHub cut code lines off at about this width; the reader would scroll sideways.
test.each(chapterSources().map((s) => [path.basename(s), s]))(`%s: every code line is at most ${MAX_CODE_LINE} characters`, (name, source) => {
  expect(longCodeLines(fs.readFileSync(source, 'utf8'), name)).toEqual([]);
});
