import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradeCommand } from './cli';
import { checkNotebook, formatCheck, insertSolutions, revealSolution, type CheckReport } from './check';
import { fakeKernel, type FakeKernelLog } from './__fixtures__/fakeKernel';
import { CORRECT, fillIn, readFixtureSource, toFile } from './__fixtures__/submissions';
import { parseNotebook, type Notebook } from './notebook';
import { silentProgress } from './progress';
import { releaseNotebook } from './release';

let tmp: string;
let student: Notebook;
beforeAll(async () => {
  student = (await releaseNotebook(readFixtureSource())).released;
  // partialCredit prints failed checks to stdout; in the fake kernel that is the test's console.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(() => jest.restoreAllMocks());
beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-check-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const opts = (log?: FakeKernelLog) => ({ startRunner: fakeKernel(log), cellTimeoutMs: 5000, totalTimeoutMs: 60_000 });
async function check(answers: Record<string, string>, edit?: (nb: Notebook) => void): Promise<{ report: CheckReport; text: string; file: string }> {
  const file = path.join(tmp, 'ps1.ipynb');
  writeFileSync(file, toFile(fillIn(student, answers, edit)));
  const report = await checkNotebook(file, opts());
  return { report, text: formatCheck(report, file), file };
}

describe('checkNotebook', () => {
  it('says an untouched student version has every exercise still to do, and what to replace', async () => {
    const { report, text } = await check({});
    expect(report.exercises.map((e) => [e.answers, e.status])).toEqual([[['relu'], 'not-attempted'], [['mean'], 'not-attempted'], [['why_relu'], 'written']]);
    expect(text).toMatch(/· 1\. Write relu\(x\).*\n.*not attempted yet: the answer cell relu still throws "Not implemented yet"/);
    expect(text).toMatch(/written answer \(answer cell why_relu\), 1 point: not answered yet/);
    expect(text).toMatch(/Visible tests: 0 of 5 points\. 0 passed, 2 not attempted, 1 written/);
    // A learner's check runs on a kernel in the notebook's own folder, like JupyterLab.
    const log: FakeKernelLog = { started: [], ran: [], stopped: 0 };
    await checkNotebook(path.join(tmp, 'ps1.ipynb'), opts(log));
    expect(log.started[0].cwd).toBe(tmp);
    expect(log.stopped).toBe(1);
  });

  it('names the failed check and the points for a wrong answer, and passes a right one', async () => {
    const { report, text } = await check({ relu: 'function relu(x: number): number {\n  return x;\n}', mean: CORRECT.mean });
    expect(report.exercises.map((e) => [e.status, e.score, e.maxScore])).toEqual([['failed', 0, 2], ['passed', 3, 3], ['written', 0, 1]]);
    expect(text).toMatch(/✗ 1\. Write relu\(x\)[^\n]*\n {4}failed: 0 of 2 points \(answer cell relu\)\n {4}The check said:\n {6}relu\(-2\): expected 0 .*, got -2/);
    expect(text).toMatch(/✓ 2\. Write mean\(xs\).*\n {4}passed: 3 of 3 points \(answer cell mean\)/);
    expect(text).toMatch(/Fix your answer, run it, and check again/);
    expect(text).toMatch(/tsdl grade reveal .*ps1\.ipynb relu` shows the teacher's solution/);
    expect(text).toMatch(/Visible tests: 3 of 5 points\. 1 passed, 1 failed/);
  });

  it('counts partial credit', async () => {
    const { report, text } = await check({ relu: CORRECT.relu, mean: 'function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / 3;\n}' });
    expect(report.exercises.map((e) => [e.status, e.score, e.maxScore])).toEqual([['passed', 2, 2], ['partial', 2, 3], ['written', 0, 1]]);
    expect(text).toMatch(/◐ 2\. Write mean\(xs\)[^\n]*\n {4}partly passed: 2 of 3 points \(answer cell mean\)/);
  });

  it('points at the learner\'s own answer cell when it is the one that fails', async () => {
    const { report, text } = await check({ relu: 'function relu(x: number): number {\n  return x;\n}\nnotDefinedAnywhere();' });
    const relu = report.exercises[0];
    expect(relu.status).toBe('failed');
    expect(relu.ownError?.answer).toBe('relu');
    expect(text).toMatch(/✗ 1\. Write relu\(x\)[\s\S]*The check said:[\s\S]*Your code failed first in answer cell relu[^\n]*:\n\s+ReferenceError: notDefinedAnywhere is not defined/);
    expect(text).toMatch(/Fix answer cell relu, run it, and check again/);
  });

  it('follows an error raised in a test cell back to the line of the learner\'s answer it came from, and says it once', async () => {
    const file = path.join(tmp, 'ps1.ipynb');
    writeFileSync(file, toFile(fillIn(student, { relu: 'function relu(x: number): number {\n  return (x as any).y.z;\n}', mean: CORRECT.mean })));
    // The kernel's stack names cells by execution count: relu's cell ran as In[2], its test as In[3].
    const error = { ename: 'TypeError', evalue: "Cannot read properties of undefined (reading 'z')", traceback: ['TypeError: Cannot read properties of undefined (reading \'z\')', '    at relu (In[2]:2:22)', '    at In[3]:1:13'] };
    const startRunner = fakeKernel(undefined, { onRun: (code) => (code.startsWith('check.close(relu(-2)') ? { status: 'error', outputs: [{ output_type: 'error', ...error }], error } : undefined) });
    const report = await checkNotebook(file, { ...opts(), startRunner });
    expect(report.exercises[0].ownError).toEqual({ answer: 'relu', line: 2, column: 22, message: "TypeError: Cannot read properties of undefined (reading 'z')" });
    const text = formatCheck(report, file);
    expect(text).toMatch(/failed: 0 of 2 points \(answer cell relu\)\n {4}Your code failed first in answer cell relu, line 2, column 22:\n {6}TypeError: Cannot read properties of undefined \(reading 'z'\)\n/);
    expect(text).not.toMatch(/The check said/);
  });

  it('warns about an error outside the exercises that later cells may inherit', async () => {
    const { report, text } = await check(CORRECT, (nb) => nb.cells.splice(1, 0, { cell_type: 'code', source: 'throw new RangeError("my own cell broke")', metadata: {}, outputs: [], execution_count: null }));
    expect(report.earlierError).toEqual({ cell: 2, message: 'RangeError: my own cell broke' });
    expect(text).toMatch(/! Cell 2 \(not an exercise\) failed: RangeError: my own cell broke/);
    expect(report.exercises.map((e) => e.status)).toEqual(['passed', 'passed', 'written']);
  });
});

describe('tsdl grade check', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, deps: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), startRunner: fakeKernel(), progress: silentProgress } };
  };

  it('exits 0 when every visible test passes and 3 when some do not', async () => {
    const file = path.join(tmp, 'ps1.ipynb');
    writeFileSync(file, toFile(fillIn(student, CORRECT)));
    const ok = io();
    expect(await gradeCommand(['check', file], ok.deps)).toBe(0);
    expect(ok.out.join('')).toMatch(/Visible tests: 5 of 5 points\. 2 passed, 1 written/);
    // A written answer still to write is for the teacher; it does not fail the check.
    writeFileSync(file, toFile(fillIn(student, { relu: CORRECT.relu, mean: CORRECT.mean })));
    expect(await gradeCommand(['check', file], io().deps)).toBe(0);
    writeFileSync(file, toFile(student));
    const todo = io();
    expect(await gradeCommand(['check', file], todo.deps)).toBe(3);
  });

  it('explains its usage', async () => {
    const bad = io();
    expect(await gradeCommand(['check'], bad.deps)).toBe(2);
    expect(bad.err.join('')).toMatch(/check takes one notebook/);
    const budget = io();
    expect(await gradeCommand(['check', 'x.ipynb', '--budget', 'huge'], budget.deps)).toBe(2);
    expect(budget.err.join('')).toMatch(/--budget must be one of quick, default, full/);
  });
});

describe('reveal', () => {
  const teacher = () => readFixtureSource();

  it('refuses an exercise the learner has not attempted, unless forced', () => {
    expect(() => revealSolution(student, teacher(), 'relu')).toThrow(/not attempted "1\. Write relu\(x\)[^"]*" yet.*add --force/);
    const forced = revealSolution(student, teacher(), 'relu', true);
    expect(forced.solutions).toEqual([{ gradeId: 'relu', cellType: 'code', text: 'function relu(x: number): number {\n  return Math.max(0, x);\n}' }]);
  });

  it('finds an exercise by answer id, test id or number, and lists them when the name is unknown', () => {
    const tried = fillIn(student, { relu: 'function relu(x: number) { return x; }', mean: 'function mean() { return 0; }' });
    expect(revealSolution(tried, teacher(), 'test_mean').solutions[0].gradeId).toBe('mean');
    expect(revealSolution(tried, teacher(), '1').solutions[0].gradeId).toBe('relu');
    expect(() => revealSolution(tried, teacher(), 'sigmoid')).toThrow(/no exercise "sigmoid"[\s\S]*1 {2}relu {2}1\. Write relu[\s\S]*2 {2}mean/);
  });

  it('inserts the solution below the answer cell as a text cell, once', () => {
    const tried = fillIn(student, { relu: 'function relu(x: number) { return x; }' });
    const withSolution = insertSolutions(tried, revealSolution(tried, teacher(), 'relu'));
    const at = withSolution.cells.findIndex((c) => c.metadata.nbgrader?.grade_id === 'relu');
    const inserted = withSolution.cells[at + 1];
    expect(inserted.cell_type).toBe('markdown');
    expect(inserted.source).toContain('```ts\nfunction relu(x: number): number {\n  return Math.max(0, x);\n}\n```');
    expect(inserted.source).not.toContain('BEGIN SOLUTION');
    expect(withSolution.cells).toHaveLength(tried.cells.length + 1);
    expect(() => insertSolutions(withSolution, revealSolution(withSolution, teacher(), 'relu'))).toThrow(/already in the notebook/);
  });

  it('through the command, finds the teacher\'s notebook from the workspace manifest and writes with --insert', async () => {
    const teacherDir = path.join(tmp, 'teacher');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(teacherDir);
    writeFileSync(path.join(teacherDir, 'ps1.ipynb'), readFileSync(path.join(__dirname, '__fixtures__', 'ps1', 'ps1.ipynb'), 'utf8'));
    writeFileSync(path.join(tmp, '.tsdl-workspace.json'), JSON.stringify({ format: 'tsdl-workspace/1', teacherDir, chapters: {}, files: { 'mine.ipynb': { chapter: 'ps1', student: 'x' } } }));
    const file = path.join(tmp, 'mine.ipynb');
    writeFileSync(file, toFile(fillIn(student, { mean: 'function mean(xs: number[]) { return 0; }' })));
    const out: string[] = [];
    const err: string[] = [];
    const deps = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) };
    expect(await gradeCommand(['reveal', file, 'relu'], deps)).toBe(1);
    expect(err.join('')).toMatch(/not attempted/);
    expect(await gradeCommand(['reveal', file, 'mean', '--insert'], deps)).toBe(0);
    expect(out.join('')).toContain('return xs.reduce((a, b) => a + b, 0) / xs.length;');
    expect(parseNotebook(readFileSync(file, 'utf8')).cells.some((c) => c.source.includes('/ xs.length'))).toBe(true);
    // Without a manifest entry, it asks for --source.
    const other = path.join(tmp, 'other.ipynb');
    writeFileSync(other, toFile(student));
    expect(await gradeCommand(['reveal', other, 'relu', '--force'], deps)).toBe(1);
    expect(err.join('')).toMatch(/give it with --source/);
  });
});
