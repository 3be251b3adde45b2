/**
 * Every chapter's exercises grade as a teacher would see them: `tsdl grade autograde` on the
 * chapter itself (the solutions) earns every point, and on the student version from
 * `tsdl grade release` earns none, each test failing with the "Not implemented yet" message that
 * tells the learner what to do. Written answers (manually graded markdown cells) are left for a
 * person, as nbgrader leaves them: the teacher's model answer waits for manual grading, the
 * student's untouched stub counts as no response, and neither enters the autograded points.
 * Runs under the quick budget.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const notebooksDir = path.join(root, 'notebooks');
const withExercises = fs.readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort().filter((f) =>
  fs.readFileSync(path.join(notebooksDir, f), 'utf8').includes('"grade": true'));

jest.setTimeout(900_000);

interface CellResult { gradeId: string; kind: string; score: number | null; maxScore: number; status: string; reason?: string; error?: { evalue: string } }
interface Result { score: number; maxScore: number; status: string; cells: CellResult[] }

function tsdl(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/tsdl.js'), ...args], {
    encoding: 'utf8', env: { ...process.env, TSDL_BUDGET: 'quick' }, maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`tsdl ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r;
}

test('some chapters have exercises', () => {
  expect(withExercises.length).toBeGreaterThan(0);
});

test.each(withExercises)('%s: solutions earn every point, the student version none, with a helpful message', (name) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-ex-'));
  const source = path.join(notebooksDir, name);
  tsdl(['grade', 'release', source, '--out', path.join(work, 'release')]);
  for (const [who, file] of [['solution', source], ['student', path.join(work, 'release', name)]]) {
    fs.mkdirSync(path.join(work, 'submitted', who), { recursive: true });
    fs.copyFileSync(file, path.join(work, 'submitted', who, name));
    fs.copyFileSync(path.join(notebooksDir, 'tsconfig.json'), path.join(work, 'submitted', who, 'tsconfig.json'));
  }
  tsdl(['grade', 'autograde', '--source', source, '--cell-timeout', '300', '--timeout', '600',
    path.join(work, 'submitted', 'solution'), path.join(work, 'submitted', 'student'), '--out', path.join(work, 'graded')]);
  const read = (who: string) => JSON.parse(fs.readFileSync(path.join(work, 'graded', who, 'result.json'), 'utf8')) as Result;

  const solution = read('solution');
  const failedBySolution = solution.cells.filter((c) => c.kind === 'test' && c.score !== c.maxScore);
  expect(failedBySolution.map((c) => `${c.gradeId}: ${c.reason ?? c.status}`)).toEqual([]);
  expect(solution.cells.filter((c) => c.kind === 'test').length).toBeGreaterThanOrEqual(2);

  const student = read('student');
  const tests = student.cells.filter((c) => c.kind === 'test');
  expect(tests.map((c) => [c.gradeId, c.score])).toEqual(tests.map((c) => [c.gradeId, 0]));
  for (const c of tests) expect(`${c.gradeId}: ${c.reason ?? ''} ${c.error?.evalue ?? ''}`).toMatch(/Not implemented yet/);

  const written = solution.cells.filter((c) => c.kind === 'answer');
  expect(written.map((c) => [c.gradeId, c.status])).toEqual(written.map((c) => [c.gradeId, 'needs-manual-grade']));
  const unanswered = student.cells.filter((c) => c.kind === 'answer');
  expect(unanswered.map((c) => [c.gradeId, c.status])).toEqual(written.map((c) => [c.gradeId, 'no-response']));
  // The course's chapters each end with at least four exercises, one of them written.
  if (/^0[1-8]-/.test(name)) {
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(tests.length + written.length).toBeGreaterThanOrEqual(4);
  }
  fs.rmSync(work, { recursive: true, force: true });
});
