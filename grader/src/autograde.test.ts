import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { autogradeBatch, autogradeSubmission, submissionIds, type AutogradeOptions } from './autograde';
import { releaseNotebook, type ReleasedAssignment } from './release';
import { gradeId } from './nbgrader';
import type { Notebook } from './notebook';
import type { SubmissionResult } from './results';
import { fakeKernel, type FakeKernelLog } from './__fixtures__/fakeKernel';
import { CORRECT, FIXTURE_SOURCE, fillIn, PARTLY_CORRECT, readFixtureSource, toFile } from './__fixtures__/submissions';
import { gradeCommand } from './cli';
import { silentProgress } from './progress';

let tmp: string;
let assignment: ReleasedAssignment;
beforeAll(async () => {
  assignment = await releaseNotebook(readFixtureSource());
});
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-grade-test-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));
// partialCredit prints failed checks to stdout; in the fake kernel that is the test's console.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());

const options = (log?: FakeKernelLog, limits: AutogradeOptions['limits'] = {}): AutogradeOptions => ({
  startRunner: fakeKernel(log),
  limits: { cellTimeoutMs: 500, totalTimeoutMs: 5000, ...limits },
});

async function submit(name: string, content: Notebook | string, extraFiles: Record<string, string> = {}) {
  const dir = path.join(tmp, 'submitted', name);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'ps1.ipynb');
  await fs.writeFile(file, typeof content === 'string' ? content : toFile(content));
  for (const [f, text] of Object.entries(extraFiles)) await fs.writeFile(path.join(dir, f), text);
  return { id: name, file };
}

const grade = async (name: string, content: Notebook | string, opts = options()) => (await autogradeSubmission(assignment, await submit(name, content), opts)).result;
const cell = (r: SubmissionResult, id: string) => r.cells.find((c) => c.gradeId === id)!;
const answer = (edit: (nb: Notebook) => void, answers = CORRECT) => fillIn(assignment.released, answers, edit);
const byId = (nb: Notebook, id: string) => nb.cells.find((c) => gradeId(c) === id)!;

describe('autogradeSubmission', () => {
  it('gives full marks to a correct submission, hidden tests included, and leaves the essay to a person', async () => {
    const log: FakeKernelLog = { started: [], ran: [], stopped: 0 };
    const r = await grade('alice', fillIn(assignment.released, CORRECT), options(log));
    expect(r).toMatchObject({ status: 'graded', score: 5, maxScore: 6, needsManualGrade: true, notes: [] });
    expect(cell(r, 'why_relu').status).toBe('needs-manual-grade');
    expect(log.ran.some((code) => code.includes('relu(0.25)'))).toBe(true);
    expect(log.stopped).toBe(1);
  });

  it('gives partial credit from the number a test cell returns', async () => {
    const r = await grade('bob', fillIn(assignment.released, PARTLY_CORRECT));
    expect(cell(r, 'test_relu')).toMatchObject({ score: 2, status: 'passed' });
    expect(cell(r, 'test_mean')).toMatchObject({ score: 2, status: 'partial', reason: 'Partial credit: 2 of 3 points.' });
    expect(cell(r, 'why_relu')).toMatchObject({ score: 0, status: 'no-response' });
    expect(r.score).toBe(4);
  });

  it('explains a failure with the error of the first failing check', async () => {
    const r = await grade('carol', answer(() => undefined, { relu: 'function relu(x: number): number {\n  return x;\n}' }));
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, status: 'failed', reason: 'CheckError: relu(-2): expected 0 (within 0.000001 + 0.000001·|expected|), got -2' });
  });

  it('scores an untouched released notebook 0, pointing at the stubs', async () => {
    const r = await grade('dan', assignment.released);
    expect(r.score).toBe(0);
    expect(cell(r, 'test_relu').reason).toMatch(/Not implemented yet/);
  });

  it('fails a test cell that writes to stderr, as nbgrader does', async () => {
    const r = await grade('erin', answer(() => undefined, { ...CORRECT, relu: 'function relu(x: number): number {\n  console.warn("deprecated");\n  return Math.max(0, x);\n}' }));
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, status: 'failed', stderr: 'deprecated\ndeprecated\ndeprecated\n' });
    expect(cell(r, 'test_relu').reason).toMatch(/wrote to stderr/);
  });

  it('restores an edited test cell and hidden tests, and says so', async () => {
    const r = await grade('frank', answer((nb) => {
      byId(nb, 'test_relu').source = '// looks fine to me';
      byId(nb, 'setup').source = 'import { check } from "tsdl/grading";\nconst cheat = 1;';
    }, { relu: 'function relu(x: number): number {\n  return x < 0 ? 0 : x === 0.25 ? 0 : x;\n}', mean: CORRECT.mean }));
    // Failed by the hidden test, which the learner is not shown.
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, reason: 'CheckError: a hidden test failed; its code and message stay private.' });
    expect(JSON.stringify(r)).not.toContain('relu(0.25)');
    expect(r.notes.map((n) => n.message)).toEqual([
      "The read-only cell 'setup' was edited; your edits were ignored and the original cell was run.",
      "The test cell 'test_relu' was edited; your edits were ignored and the original cell was run.",
    ]);
  });

  it('ignores grading metadata a learner changes or invents', async () => {
    const r = await grade('gina', answer((nb) => {
      byId(nb, 'test_mean').metadata.nbgrader!.points = 100;
      nb.cells.push({ cell_type: 'code', source: '1', metadata: { nbgrader: { schema_version: 3, grade: true, solution: false, locked: false, grade_id: 'bonus', points: 50 } }, outputs: [] });
    }));
    expect(r.maxScore).toBe(6);
    expect(r.cells.map((c) => c.gradeId)).not.toContain('bonus');
    expect(r.notes.map((n) => n.message).join('\n')).toMatch(/settings of cell 'test_mean' were changed[\s\S]*'bonus' is not part of the assignment/);
  });

  it('scores a deleted test cell 0 with a reason, or grades it when asked to put it back', async () => {
    const deleted = answer((nb) => nb.cells.splice(nb.cells.indexOf(byId(nb, 'test_relu')), 1));
    const r = await grade('hana', deleted);
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, status: 'deleted' });
    expect(r.notes[0].message).toMatch(/test cell 'test_relu' was deleted/);
    expect(r.score).toBe(3);
    const restored = await grade('hana2', deleted, { ...options(), restoreDeletedCells: true });
    expect(cell(restored, 'test_relu')).toMatchObject({ score: 2, status: 'passed' });
  });

  it('stops an endless loop at the cell time limit and grades the rest', async () => {
    const r = await grade('ivan', answer(() => undefined, { ...CORRECT, relu: 'function relu(x: number): number {\n  while (true) {}\n}' }), options(undefined, { cellTimeoutMs: 200 }));
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, error: { ename: 'CellTimeoutError' } });
    expect(cell(r, 'test_mean').score).toBe(3);
  });

  it('replaces a kernel that ignores the interrupt, and goes on in a fresh one', async () => {
    const log: FakeKernelLog = { started: [], ran: [], stopped: 0 };
    const hang = fillIn(assignment.released, CORRECT, (nb) => { byId(nb, 'test_relu').source += '\n// HANG'; });
    const r = await grade('ines', hang, {
      startRunner: fakeKernel(log, { hangsOn: (code) => code.includes('relu(-2)') }),
      limits: { cellTimeoutMs: 100, graceMs: 100 },
    });
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, error: { ename: 'CellTimeoutError' } });
    // The fresh kernel lacks the setup cell's import, but the harness hands each test cell its checks.
    expect(cell(r, 'test_mean')).toMatchObject({ score: 3, status: 'passed' });
    expect(r.status).toBe('graded');
    expect(log.started).toHaveLength(2);
    expect(log.stopped).toBe(2);
  });

  it('does not run cells once the total time limit is used up', async () => {
    const slow = 'function relu(x: number): number {\n  const end = Date.now() + 400;\n  while (Date.now() < end) {}\n  return Math.max(0, x);\n}';
    const r = await grade('jo', answer(() => undefined, { ...CORRECT, relu: slow }), options(undefined, { cellTimeoutMs: 5000, totalTimeoutMs: 300 }));
    expect(cell(r, 'test_relu').error?.ename).toBe('TotalTimeLimitExceeded');
    expect(cell(r, 'test_mean')).toMatchObject({ score: 0, status: 'not-run' });
  });

  it('grades a notebook that calls process.exit or fails at import', async () => {
    const exits = await grade('kim', answer((nb) => { byId(nb, 'relu').source = 'process.exit(1);\n' + CORRECT.relu; }));
    expect(exits).toMatchObject({ status: 'graded', score: 5 });
    const crashes = await grade('lee', answer((nb) => nb.cells.splice(1, 0, { cell_type: 'code', source: 'import missing from "no-such-package";', metadata: {}, outputs: [] })));
    expect(crashes).toMatchObject({ status: 'graded', score: 5 });
  });

  it('caps megabytes of output in the graded notebook', async () => {
    const spam = 'for (let i = 0; i < 50000; i++) console.log("line " + i + " of far too much output");';
    const { result, graded } = await autogradeSubmission(assignment, await submit('mo', answer((nb) => nb.cells.splice(2, 0, { cell_type: 'code', source: spam, metadata: {}, outputs: [] }))), options());
    expect(result.score).toBe(5);
    const kept = JSON.stringify(graded!.cells[2].outputs).length;
    expect(kept).toBeLessThan(120_000);
    expect(JSON.stringify(graded!.cells[2].outputs)).toContain('Output truncated');
  });

  it('grades a file that is not JSON as invalid, every exercise 0, with a reason', async () => {
    const r = await grade('ned', '{"cells": [ this is not json');
    expect(r).toMatchObject({ status: 'invalid', score: 0, maxScore: 6 });
    expect(r.problem).toMatch(/not valid JSON/);
    expect(r.cells.every((c) => c.score === 0 && c.status === 'not-run')).toBe(true);
  });

  it('reports a grader failure as an error to regrade, without throwing', async () => {
    const r = (await autogradeSubmission(assignment, await submit('olga', assignment.released), {
      startRunner: async () => { throw new Error('kernel would not start'); },
    })).result;
    expect(r).toMatchObject({ status: 'error', problem: expect.stringContaining('kernel would not start') });
  });

  it('runs code in a scratch copy of the submission folder, never touching the submission', async () => {
    const log: FakeKernelLog = { started: [], ran: [], stopped: 0 };
    const s = await submit('pat', fillIn(assignment.released, CORRECT), { 'data.csv': 'x\n1\n' });
    const before = createHash('md5').update(readFileSync(s.file)).digest('hex');
    await autogradeSubmission(assignment, s, options(log));
    const { cwd } = log.started[0];
    expect(path.basename(cwd)).toBe('pat');
    expect(cwd.startsWith(path.dirname(s.file))).toBe(false);
    expect(createHash('md5').update(readFileSync(s.file)).digest('hex')).toBe(before);
    await expect(fs.stat(cwd)).rejects.toThrow(); // cleaned up
    expect(log.started[0].env.NBGRADER_EXECUTION).toBe('autograde');
  });
});

describe('tests learner code cannot switch off', () => {
  // Each answer cell defines relu wrongly (relu(x) = x) and then tries to make the checks pass anyway.
  const cheat = (code: string) => answer(() => undefined, { relu: `function relu(x: number): number {\n  return x;\n}\n${code}`, mean: CORRECT.mean });

  it('ignores patched or redefined checks', async () => {
    const patched = await grade('pia', cheat('(check as any).close = () => {};\n(check as any).partialCredit = (p: number) => p;'));
    expect(cell(patched, 'test_relu')).toMatchObject({ score: 0, status: 'failed', reason: expect.stringMatching(/^CheckError: relu\(-2\)/) });
    expect(cell(patched, 'test_mean').score).toBe(3);
    const redefined = await grade('quin', cheat('const check = { close() {}, partialCredit: (p: number) => p };'));
    expect(cell(redefined, 'test_relu')).toMatchObject({ score: 0, status: 'failed' });
  });

  it('flags tests run after built-ins were changed, and withholds their points', async () => {
    const r = await grade('ray', answer(() => undefined, { ...CORRECT, relu: `${CORRECT.relu}\n(Object.prototype as any).tol = 1e9;\nMath.abs = () => 0;` }));
    expect(cell(r, 'test_relu')).toMatchObject({ score: 0, status: 'failed', flag: 'tampered', reason: expect.stringMatching(/Not scored: the grading helpers were changed before it ran: .*Math\.abs was replaced/) });
    expect(r.notes.map((n) => n.message).join('\n')).toMatch(/The test 'test_relu' cannot be trusted/);
    expect(r.score).toBe(0);
  });

  it('flags a test cell that passed without calling a check, keeping its points', async () => {
    const source = readFixtureSource();
    byId(source, 'test_mean').source = 'if (mean([2, 4]) !== 3) throw new Error("mean([2, 4]) should be 3");';
    const own = await releaseNotebook(source);
    const r = (await autogradeSubmission(own, await submit('tess', fillIn(own.released, CORRECT)), options())).result;
    expect(cell(r, 'test_mean')).toMatchObject({ score: 3, status: 'passed', flag: 'no-check' });
    expect(cell(r, 'test_relu').flag).toBeUndefined();
    expect(r.notes.map((n) => n.message)).toEqual(["The test 'test_mean' passed without calling any check from tsdl/grading; a teacher may want to look at it."]);
  });

  it('scores an untouched correct notebook without flags', async () => {
    const r = await grade('sam', fillIn(assignment.released, CORRECT));
    expect(r.cells.filter((c) => c.flag !== undefined)).toEqual([]);
    expect(r.score).toBe(5);
  });
});

describe('a batch never stops for one bad submission', () => {
  it('grades an empty folder and a folder with the wrong notebook as missing, with a reason, and the rest as usual', async () => {
    const empty = path.join(tmp, 'submitted', 'zoe');
    await fs.mkdir(empty, { recursive: true });
    const other = path.join(tmp, 'submitted', 'yan');
    await fs.mkdir(other, { recursive: true });
    await fs.writeFile(path.join(other, 'homework.ipynb'), toFile(assignment.released));
    await fs.writeFile(path.join(other, 'notes.ipynb'), toFile(assignment.released));
    const alice = await submit('alice', fillIn(assignment.released, CORRECT));
    const out = path.join(tmp, 'autograded');
    const io = { out: [] as string[], err: [] as string[] };
    const code = await gradeCommand(['autograde', '--source', FIXTURE_SOURCE, '--out', out, '--jobs', '1', empty, other, path.dirname(alice.file)], {
      startRunner: fakeKernel(), stdout: (t) => void io.out.push(t), stderr: (t) => void io.err.push(t), progress: silentProgress,
    });
    expect(io.err.join('')).toBe('');
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as SubmissionResult[];
    const by = Object.fromEntries(results.map((r) => [r.submission, r]));
    expect(by.zoe).toMatchObject({ status: 'missing', score: 0, problem: 'No ps1.ipynb was submitted: it is empty. Submit the notebook under that name.' });
    expect(by.yan).toMatchObject({ status: 'missing', problem: expect.stringContaining('it holds homework.ipynb, notes.ipynb') });
    expect(by.alice).toMatchObject({ status: 'graded', score: 5 });
  });
});

describe('autogradeBatch with --jobs', () => {
  it('gives the results of one at a time, in the order given, and a gradebook over all', async () => {
    const subs = [
      await submit('a', fillIn(assignment.released, CORRECT)), await submit('b', fillIn(assignment.released, PARTLY_CORRECT)),
      await submit('c', assignment.released), await submit('d', '{broken'), await submit('e', fillIn(assignment.released, CORRECT)),
    ];
    const strip = (rs: SubmissionResult[]) => rs.map(({ gradedAt: _g, durationMs: _d, submittedAt: _s, ...rest }) => rest);
    const one = await autogradeBatch(assignment, subs, { ...options(), outDir: path.join(tmp, 'one'), jobs: 1 });
    const seen: string[] = [];
    const three = await autogradeBatch(assignment, subs, { ...options(), outDir: path.join(tmp, 'three'), jobs: 3, onResult: (r) => seen.push(r.submission) });
    expect(strip(three)).toEqual(strip(one));
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(readFileSync(path.join(tmp, 'three', 'gradebook.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
  });
});

describe('autogradeBatch', () => {
  it('writes each result, the graded notebook and the gradebook as it goes', async () => {
    const subs = [await submit('alice', fillIn(assignment.released, CORRECT)), await submit('bob', '{broken')];
    const out = path.join(tmp, 'autograded');
    const seen: string[] = [];
    await autogradeBatch(assignment, subs, {
      ...options(),
      outDir: out,
      onResult: (r) => seen.push(`${r.submission}:${readFileSync(path.join(out, 'gradebook.csv'), 'utf8').trim().split('\n').length - 1}`),
    });
    expect(seen).toEqual(['alice:1', 'bob:2']);
    const csv = readFileSync(path.join(out, 'gradebook.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^assignment,submission,name,email,notebook,status,submitted_at,due_at,minutes_late,late_penalty,raw_score,score,max_score,needs_manual_grade,.*,test_relu,test_mean,why_relu,notes$/);
    expect(csv[1]).toMatch(/^ps1,alice,,,ps1.ipynb,graded,[\d-]+T[\d:.]+Z,,,,5,5,6,true,2,3,,2,3,,$/);
    expect(csv[2]).toMatch(/^ps1,bob,,,ps1.ipynb,invalid,[\d-]+T[\d:.]+Z,,,,0,0,6,false,,,,0,0,0,"?The submitted notebook could not be graded/);
    expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'))).toHaveLength(2);
    expect(readFileSync(path.join(out, 'alice', 'ps1.ipynb'), 'utf8')).toContain('"execution_count": 1');
    expect((await fs.readdir(path.join(out, 'alice'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an output folder that would overwrite a submission', async () => {
    const s = await submit('alice', assignment.released);
    await expect(autogradeBatch(assignment, [s], { ...options(), outDir: path.join(tmp, 'submitted') })).rejects.toThrow(/would overwrite the submission/);
  });
});

describe('submissionIds', () => {
  it('names submissions by folder, or by file when they share one', () => {
    expect(submissionIds(['s/alice/ps1.ipynb', 's/bob/ps1.ipynb']).map((s) => s.id)).toEqual(['alice', 'bob']);
    expect(submissionIds(['s/alice.ipynb', 's/bob.ipynb']).map((s) => s.id)).toEqual(['alice', 'bob']);
    expect(submissionIds(['s/alice/ps1/ps1.ipynb', 's/bob/ps1/ps1.ipynb']).map((s) => s.id)).toEqual(['alice', 'bob']);
    expect(submissionIds(['a/x/y/z/w/ps1.ipynb', 'a/x/y/z/w/../../../../x/y/z/w/q.ipynb']).map((s) => s.id)).toEqual(['ps1', 'q']);
  });
});
