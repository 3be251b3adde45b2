import { hashSource, parseChapterSource, SourceFormatError } from './source-format';

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
