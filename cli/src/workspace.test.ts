import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseNotebook, serializeNotebook, type Notebook } from '../../grader/src/notebook';
import { FIXTURE_SOURCE } from '../../grader/src/__fixtures__/submissions';
import { besideName, contentHash, MANIFEST, syncWorkspace, TEACHER_LINK, UPDATES } from './workspace';

let tmp: string;
let teacherDir: string;
let dir: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-workspace-'));
  teacherDir = path.join(tmp, 'notebooks');
  dir = path.join(tmp, 'learn');
  mkdirSync(teacherDir);
  writeFileSync(path.join(teacherDir, 'tsconfig.json'), '{"compilerOptions":{"strict":true}}');
  writeFileSync(path.join(teacherDir, '01-first.ipynb'), readFileSync(FIXTURE_SOURCE, 'utf8'));
  writeFileSync(path.join(teacherDir, '02-second.ipynb'), serializeNotebook(plain('console.log("second")')));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function plain(source: string): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tsdl', display_name: 'TypeScript', language: 'typescript' } }, cells: [{ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null }] };
}
const read = (file: string) => parseNotebook(readFileSync(path.join(dir, file), 'utf8'));
const notebooks = () => readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort();
const day = (d: string) => () => new Date(`${d}T10:00:00Z`);
/** The learner works on the first answer cell of a notebook in the workspace. */
function edit(file: string, source = 'function relu(x: number): number { return Math.max(x, 0); }') {
  const nb = read(file);
  const answer = nb.cells.find((c) => c.metadata.nbgrader?.solution) ?? nb.cells[0];
  answer.source = source;
  writeFileSync(path.join(dir, file), serializeNotebook(nb));
}

describe('syncWorkspace', () => {
  it('fills a new workspace with the student version of every chapter, a README, a tsconfig and a link to the teacher\'s notebooks', async () => {
    const result = await syncWorkspace({ teacherDir, dir, now: day('2026-12-01') });
    expect(result.created).toBe(true);
    expect(notebooks()).toEqual(['01-first.ipynb', '02-second.ipynb']);
    const student = read('01-first.ipynb');
    const text = student.cells.map((c) => c.source).join('\n');
    expect(text).toContain('Not implemented yet');
    expect(text).not.toContain('BEGIN SOLUTION');
    expect(text).not.toContain('BEGIN HIDDEN TESTS');
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/teacher\//);
    // The kernel reads the nearest tsconfig.json: the workspace's extends the curriculum's.
    const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { extends: string };
    expect(path.resolve(dir, tsconfig.extends)).toBe(path.join(teacherDir, 'tsconfig.json'));
    expect(realpathSync(path.join(dir, TEACHER_LINK))).toBe(realpathSync(teacherDir));
    expect(readdirSync(path.join(dir, TEACHER_LINK))).toContain('01-first.ipynb');
    // The first fill is no update: nothing to list.
    expect(existsSync(path.join(dir, UPDATES))).toBe(false);
  });

  it('never touches a learner\'s work when nothing changed', async () => {
    await syncWorkspace({ teacherDir, dir });
    edit('01-first.ipynb');
    writeFileSync(path.join(dir, 'README.md'), 'my notes');
    const before = readFileSync(path.join(dir, '01-first.ipynb'), 'utf8');
    const again = await syncWorkspace({ teacherDir, dir });
    expect(again).toEqual({ created: false, events: [], problems: [] });
    expect(readFileSync(path.join(dir, '01-first.ipynb'), 'utf8')).toBe(before);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('my notes');
    expect(notebooks()).toEqual(['01-first.ipynb', '02-second.ipynb']);
  });

  it('puts a changed chapter beside the learner\'s edited copy, with a note, and replaces an unedited copy', async () => {
    await syncWorkspace({ teacherDir, dir, now: day('2026-12-01') });
    edit('01-first.ipynb');
    const mine = readFileSync(path.join(dir, '01-first.ipynb'), 'utf8');
    // Both chapters change in the course.
    const first = parseNotebook(readFileSync(path.join(teacherDir, '01-first.ipynb'), 'utf8'));
    first.cells.push({ cell_type: 'markdown', source: 'A new paragraph.', metadata: {} });
    writeFileSync(path.join(teacherDir, '01-first.ipynb'), serializeNotebook(first));
    writeFileSync(path.join(teacherDir, '02-second.ipynb'), serializeNotebook(plain('console.log("second, revised")')));
    // A learner who only ran chapter 02 saved its outputs: still unedited.
    const second = read('02-second.ipynb');
    second.cells[0].outputs = [{ output_type: 'stream', name: 'stdout', text: 'second\n' }];
    writeFileSync(path.join(dir, '02-second.ipynb'), serializeNotebook(second));

    const { events } = await syncWorkspace({ teacherDir, dir, now: day('2026-12-07') });
    expect(events).toEqual([
      { kind: 'arrived-beside', chapter: '01-first', file: '01-first.new-2026-12-07.ipynb', yours: '01-first.ipynb' },
      { kind: 'updated-in-place', chapter: '02-second', file: '02-second.ipynb' },
    ]);
    expect(readFileSync(path.join(dir, '01-first.ipynb'), 'utf8')).toBe(mine);
    const arrived = read('01-first.new-2026-12-07.ipynb');
    expect(arrived.cells.at(-1)?.source).toBe('A new paragraph.');
    // The new version says at its top what it is and where the learner's work is.
    expect(arrived.cells[0].source).toMatch(/newer version of this chapter.*Your earlier copy, `01-first\.ipynb`, is unchanged/);
    expect(arrived.cells).toHaveLength(first.cells.length + 1);
    expect(read('02-second.ipynb').cells[0].source).toBe('console.log("second, revised")');
    const updates = readFileSync(path.join(dir, UPDATES), 'utf8');
    expect(updates).toMatch(/Your 01-first\.ipynb stays as it is; the new version is 01-first\.new-2026-12-07\.ipynb/);
    expect(updates).toMatch(/02-second\.ipynb changed .* not edited/);

    // Once delivered, a version is not delivered again.
    expect((await syncWorkspace({ teacherDir, dir, now: day('2026-12-08') })).events).toEqual([]);
    // A second change the same day finds a free name; the learner's copy still stays.
    first.cells.push({ cell_type: 'markdown', source: 'Another.', metadata: {} });
    writeFileSync(path.join(teacherDir, '01-first.ipynb'), serializeNotebook(first));
    edit('01-first.new-2026-12-07.ipynb');
    const later = await syncWorkspace({ teacherDir, dir, now: day('2026-12-07') });
    expect(later.events.map((e) => e.file)).toEqual(['01-first.new-2026-12-07-2.ipynb']);
    expect(readFileSync(path.join(dir, '01-first.ipynb'), 'utf8')).toBe(mine);
  });

  it('replaces a version that arrived beside, if the learner left it untouched, at the next change', async () => {
    await syncWorkspace({ teacherDir, dir, now: day('2026-12-01') });
    edit('01-first.ipynb');
    const first = parseNotebook(readFileSync(path.join(teacherDir, '01-first.ipynb'), 'utf8'));
    first.cells.push({ cell_type: 'markdown', source: 'One.', metadata: {} });
    writeFileSync(path.join(teacherDir, '01-first.ipynb'), serializeNotebook(first));
    await syncWorkspace({ teacherDir, dir, now: day('2026-12-02') });
    first.cells.push({ cell_type: 'markdown', source: 'Two.', metadata: {} });
    writeFileSync(path.join(teacherDir, '01-first.ipynb'), serializeNotebook(first));
    const { events } = await syncWorkspace({ teacherDir, dir, now: day('2026-12-03') });
    expect(events).toEqual([{ kind: 'updated-in-place', chapter: '01-first', file: '01-first.new-2026-12-02.ipynb' }]);
    const updated = read('01-first.new-2026-12-02.ipynb');
    expect(updated.cells.at(-1)?.source).toBe('Two.');
    expect(updated.cells[0].source).toMatch(/newer version of this chapter/);
  });

  it('brings a new chapter in, and gives a fresh copy of a chapter the learner deleted to start over', async () => {
    await syncWorkspace({ teacherDir, dir });
    writeFileSync(path.join(teacherDir, '03-third.ipynb'), serializeNotebook(plain('1 + 2')));
    unlinkSync(path.join(dir, '02-second.ipynb'));
    const { events } = await syncWorkspace({ teacherDir, dir });
    expect(events.map((e) => [e.kind, e.file])).toEqual([['restored', '02-second.ipynb'], ['added', '03-third.ipynb']]);
    expect(notebooks()).toEqual(['01-first.ipynb', '02-second.ipynb', '03-third.ipynb']);
    expect(readFileSync(path.join(dir, UPDATES), 'utf8')).toMatch(/New chapter: 03-third\.ipynb/);
  });

  it('keeps a deleted copy deleted while another copy of the chapter remains', async () => {
    await syncWorkspace({ teacherDir, dir, now: day('2026-12-01') });
    edit('01-first.ipynb');
    const first = parseNotebook(readFileSync(path.join(teacherDir, '01-first.ipynb'), 'utf8'));
    first.cells.push({ cell_type: 'markdown', source: 'New.', metadata: {} });
    writeFileSync(path.join(teacherDir, '01-first.ipynb'), serializeNotebook(first));
    await syncWorkspace({ teacherDir, dir, now: day('2026-12-02') });
    // The learner keeps working in the old copy and deletes the new one.
    unlinkSync(path.join(dir, '01-first.new-2026-12-02.ipynb'));
    expect((await syncWorkspace({ teacherDir, dir, now: day('2026-12-03') })).events).toEqual([]);
    expect(notebooks()).toEqual(['01-first.ipynb', '02-second.ipynb']);
  });

  it('does not overwrite a notebook of the same name the learner made before the workspace knew it', async () => {
    mkdirSync(dir);
    writeFileSync(path.join(dir, '02-second.ipynb'), serializeNotebook(plain('my own')));
    const { events } = await syncWorkspace({ teacherDir, dir, now: day('2026-12-01') });
    expect(read('02-second.ipynb').cells[0].source).toBe('my own');
    expect(events).toContainEqual({ kind: 'arrived-beside', chapter: '02-second', file: '02-second.new-2026-12-01.ipynb', yours: '02-second.ipynb' });
  });

  it('brings the other chapters in when one cannot be released, and says which and why', async () => {
    const broken = plain('x');
    broken.cells[0].metadata.nbgrader = { schema_version: 3, grade: true, solution: false, locked: false, grade_id: 'g' };
    writeFileSync(path.join(teacherDir, '03-broken.ipynb'), serializeNotebook(broken));
    const { problems } = await syncWorkspace({ teacherDir, dir });
    expect(notebooks()).toEqual(['01-first.ipynb', '02-second.ipynb']);
    expect(problems).toEqual([expect.stringMatching(/^03-broken\.ipynb was not brought into the workspace: .*points/)]);
  });

  it('refuses a manifest it does not understand, naming the file', async () => {
    mkdirSync(dir);
    writeFileSync(path.join(dir, MANIFEST), '{"format":"something-else"}');
    await expect(syncWorkspace({ teacherDir, dir })).rejects.toThrow(new RegExp(`${MANIFEST}.*Move it away`));
  });
});

test('contentHash ignores outputs and metadata but not sources', () => {
  const a = plain('x');
  const b = structuredClone(a);
  b.cells[0].outputs = [{ output_type: 'stream', name: 'stdout', text: 'hi' }];
  b.cells[0].execution_count = 3;
  b.metadata.widgets = {};
  b.cells[0].metadata.collapsed = true;
  expect(contentHash(b)).toBe(contentHash(a));
  expect(contentHash(plain('y'))).not.toBe(contentHash(a));
});

test('besideName counts up past taken names', () => {
  const taken = new Set(['a.new-2026-01-02.ipynb', 'a.new-2026-01-02-2.ipynb']);
  expect(besideName('a', new Date('2026-01-02T00:00:00Z'), (n) => taken.has(n))).toBe('a.new-2026-01-02-3.ipynb');
});
