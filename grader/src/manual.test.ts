/**
 * A teacher's grading through the CLI, on the fake kernel: written answers graded by hand, a score
 * overridden, and results.json, gradebook.csv and feedback.html agreeing after every change.
 */
import { mkdtempSync, promises as fs, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradeCommand } from './cli';
import { parseNotebook } from './notebook';
import { releaseNotebook } from './release';
import type { SubmissionResult } from './results';
import { cliIo } from './__fixtures__/cliIo';
import { CORRECT, FIXTURE_SOURCE, fillIn, PARTLY_CORRECT, readFixtureSource, toFile } from './__fixtures__/submissions';

let tmp: string;
let graded: string;
beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-grade-manual-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());


/** alice: all correct, written answer to grade; bob: partly correct, no written answer. */
let printed = '';
async function gradeClass(extra: string[] = [], times: Record<string, string> = {}, mtimes: Record<string, Date> = {}) {
  const { released } = await releaseNotebook(readFixtureSource());
  for (const [name, answers] of [['alice', CORRECT], ['bob', PARTLY_CORRECT]] as const) {
    const dir = path.join(tmp, 'submitted', name);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'ps1.ipynb'), toFile(fillIn(released, answers)));
    if (times[name]) writeFileSync(path.join(dir, 'timestamp.txt'), times[name]);
    if (mtimes[name]) utimesSync(path.join(dir, 'ps1.ipynb'), mtimes[name], mtimes[name]);
  }
  graded = path.join(tmp, 'autograded');
  const { deps, err, out } = cliIo();
  const code = await gradeCommand(['autograde', '--source', FIXTURE_SOURCE, '--out', graded, ...extra, path.join(tmp, 'submitted', 'alice'), path.join(tmp, 'submitted', 'bob')], deps);
  expect(err.join('')).toBe('');
  expect(code).toBe(0);
  printed = out.join('');
}

const results = () => Object.fromEntries((JSON.parse(readFileSync(path.join(graded, 'results.json'), 'utf8')) as SubmissionResult[]).map((r) => [r.submission, r]));
const csv = () => {
  const [header, ...rows] = readFileSync(path.join(graded, 'gradebook.csv'), 'utf8').trim().split('\n').map((l) => l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '')));
  return Object.fromEntries(rows.map((r) => [r[1], Object.fromEntries(header.map((h, i) => [h, r[i]]))]));
};
const feedback = (who: string) => readFileSync(path.join(graded, who, 'feedback.html'), 'utf8').replace(/<[^>]+>/g, '');
const manual = async (...args: string[]) => {
  const { out, err, deps } = cliIo();
  const code = await gradeCommand(['manual', graded, ...args], deps);
  return { code, out: out.join(''), err: err.join('') };
};

describe('tsdl grade manual', () => {
  it('grades a written answer and overrides a score; totals, gradebook and feedback agree after each change', async () => {
    await gradeClass();
    expect((await gradeCommand(['feedback', graded], cliIo().deps))).toBe(0);

    const pending = await manual();
    expect(pending.out).toContain('alice why_relu (0-1 points):\n    Its gradient is 1 for positive inputs, so it does not vanish.');
    expect(pending.out).not.toContain('bob why_relu'); // no answer: nothing to grade

    const m = await manual('alice', 'why_relu', '1', '--comment', 'Right: no saturation for x > 0.');
    expect(m).toMatchObject({ code: 0, out: 'alice\t6/6\n' });
    expect(results().alice).toMatchObject({ score: 6, maxScore: 6, needsManualGrade: false });
    expect(csv().alice).toMatchObject({ score: '6', raw_score: '6', needs_manual_grade: 'false', why_relu: '1' });
    expect(feedback('alice')).toMatch(/6 \/ 6 points/);
    expect(feedback('alice')).toMatch(/1 \/ 1 graded by your teacher[\s\S]*Your teacher: Right: no saturation for x &gt; 0\./);
    expect(feedback('alice')).not.toMatch(/to be graded by your teacher/);

    // An override of an autograded test, then taken back.
    expect((await manual('bob', 'test_mean', '3', '--comment', 'Off by one in the test; full marks.')).code).toBe(0);
    expect(results().bob).toMatchObject({ score: 5 });
    expect(results().bob.cells.find((c) => c.gradeId === 'test_mean')).toMatchObject({ score: 3, autoScore: 2 });
    expect(csv().bob).toMatchObject({ score: '5', test_mean: '3', '2. Write mean(xs), the average of a non-empty list of numbers.': '3' });
    expect(feedback('bob')).toMatch(/5 \/ 6 points[\s\S]*3 \/ 3 partial credit \(changed by your teacher from 2\)/);
    expect((await manual('bob', 'test_mean', '--clear')).code).toBe(0);
    expect(results().bob.score).toBe(4);
    expect(csv().bob.score).toBe('4');
    expect(feedback('bob')).toMatch(/4 \/ 6 points/);

    // Grades survive autograde running again, which reports them.
    await gradeClass();
    expect(results().alice.score).toBe(6);
    expect(printed).toMatch(/^alice\t6\/6\n/);
  });

  it('asks for a new look when a learner resubmits an answer already graded by hand', async () => {
    await gradeClass();
    expect((await manual('alice', 'why_relu', '1')).code).toBe(0);
    const file = path.join(tmp, 'submitted', 'alice', 'ps1.ipynb');
    const nb = parseNotebook(readFileSync(file, 'utf8'));
    nb.cells.find((c) => c.metadata.nbgrader?.grade_id === 'why_relu')!.source = 'Because it is popular.';
    writeFileSync(file, toFile(nb));
    const { deps, out } = cliIo();
    expect(await gradeCommand(['autograde', '--source', FIXTURE_SOURCE, '--out', graded, path.join(tmp, 'submitted', 'alice')], deps)).toBe(0);
    expect(out.join('')).toMatch(/^alice\t6\/6 \+ manual grading\n/);
    expect(results().alice.notes.map((n) => n.message)).toContain("The answer graded by hand in 'why_relu' (1 points) has changed since; it keeps those points until graded again.");
    expect((await manual()).out).toContain('alice why_relu (0-1 points):\n    Because it is popular.');
    expect((await manual('alice', 'why_relu', '0')).out).toBe('alice\t5/6\n');
  });

  it('refuses points out of range, unknown cells and unknown learners, naming what exists', async () => {
    await gradeClass();
    expect(await manual('alice', 'why_relu', '2')).toMatchObject({ code: 2, err: expect.stringContaining('"why_relu" is worth 0 to 1 points; got 2') });
    expect(await manual('alice', 'essay', '1')).toMatchObject({ code: 2, err: expect.stringContaining('its graded cells are test_relu, test_mean, why_relu') });
    expect(await manual('zoe', 'why_relu', '1')).toMatchObject({ code: 2, err: expect.stringContaining('it has alice, bob') });
    expect(await manual('alice', 'why_relu', 'lots')).toMatchObject({ code: 2, err: expect.stringContaining('points must be a number') });
  });
});

describe('tsdl grade gradebook', () => {
  it('records submission times, due dates and late penalties per assignment', async () => {
    const config = path.join(tmp, 'course.json');
    writeFileSync(config, JSON.stringify({ ps1: { due: '2026-12-10T17:00:00Z', latePenalty: { percentPerDay: 10, maxPercent: 50, graceMinutes: 15 } }, learners: { bob: { name: 'Bob Jones, Jr.', email: 'bob@example.org' } } }));
    // nbgrader's exchange writes timestamp.txt; alice within the grace period, bob 1 day and 1 hour late.
    await gradeClass(['--config', config], { alice: '2026-12-10 17:10:00.123456 UTC', bob: '2026-12-11 18:00:00.000000 UTC' });
    const book = csv();
    expect(book.alice).toMatchObject({ assignment: 'ps1', name: '', email: '', submitted_at: '2026-12-10T17:10:00.123Z', due_at: '2026-12-10T17:00:00.000Z', minutes_late: '0', late_penalty: '0', raw_score: '5', score: '5' });
    expect(book.bob).toMatchObject({ name: 'Bob Jones, Jr.', email: 'bob@example.org', submitted_at: '2026-12-11T18:00:00.000Z', minutes_late: '1500', late_penalty: '0.8', raw_score: '4', score: '3.2' });
    expect(results().bob).toMatchObject({ rawScore: 4, score: 3.2, late: { minutesLate: 1500, percent: 20, penalty: 0.8 } });
    expect(printed).toMatch(/^alice\t5\/6 \+ manual grading\nbob\t3\.2\/6 \(late: 0\.8 off 4\)\n/);
    await gradeCommand(['feedback', graded], cliIo().deps);
    expect(feedback('bob')).toMatch(/3\.2 \/ 6 points[\s\S]*Submitted 25 hours after the due time \([^)]*\): 20% late penalty, 0\.8 points off 4\./);

    // A new due date, applied without grading again.
    writeFileSync(config, JSON.stringify({ ps1: { due: '2026-12-12T00:00:00Z' } }));
    const { deps, out } = cliIo();
    expect(await gradeCommand(['gradebook', graded, '--config', config], deps)).toBe(0);
    expect(out.join('')).toMatch(/2 submissions in .*gradebook\.csv/);
    expect(csv().bob).toMatchObject({ minutes_late: '0', score: '4' });
  });

  it('uses the file time when there is no timestamp.txt, and explains a bad course file', async () => {
    await gradeClass([], {}, { bob: new Date('2026-12-01T10:00:00Z') });
    expect(csv().bob.submitted_at).toBe('2026-12-01T10:00:00.000Z');
    const config = path.join(tmp, 'course.json');
    writeFileSync(config, JSON.stringify({ ps1: { due: 'next friday' } }));
    const { deps, err } = cliIo();
    expect(await gradeCommand(['gradebook', graded, '--config', config], deps)).toBe(1);
    expect(err.join('')).toMatch(/"ps1"\.due must be an ISO 8601 time with a time zone/);
  });
});

it('autograde warns when the source is the student version', async () => {
  const { released } = await releaseNotebook(readFixtureSource());
  const student = path.join(tmp, 'release', 'ps1.ipynb');
  await fs.mkdir(path.dirname(student), { recursive: true });
  await fs.writeFile(student, toFile(released));
  await fs.mkdir(path.join(tmp, 'sub'), { recursive: true });
  await fs.writeFile(path.join(tmp, 'sub', 'ps1.ipynb'), toFile(fillIn(released, CORRECT)));
  const { deps, err } = cliIo();
  await gradeCommand(['autograde', '--source', student, '--out', path.join(tmp, 'out'), path.join(tmp, 'sub')], deps);
  expect(err.join('')).toMatch(/warning: the --source notebook looks like the student version/);
});
