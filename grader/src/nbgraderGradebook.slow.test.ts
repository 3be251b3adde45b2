/**
 * A course that grades with both tools: the teacher's points and comments go from `tsdl grade
 * manual` into nbgrader's gradebook.db (where formgrader and `nbgrader export` read them) and come
 * back, through nbgrader's own API in the project's .venv. The database is set up as nbgrader's
 * generate_assignment and autograde leave it (assignment, notebook, grade and solution cells,
 * submissions); submissions are graded by `tsdl grade` on the fake kernel, as the exchange of
 * scores is what is tested here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradeCommand } from './cli';
import { silentProgress } from './progress';
import { releaseNotebook } from './release';
import type { SubmissionResult } from './results';
import { fakeKernel } from './__fixtures__/fakeKernel';
import { CORRECT, FIXTURE_SOURCE, fillIn, readFixtureSource, toFile } from './__fixtures__/submissions';

const python = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
jest.setTimeout(120_000);

let tmp: string;
beforeAll(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-nbgrader-gb-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());

const env = { ...process.env, PATH: `${path.dirname(python)}${path.delimiter}${process.env.PATH}` };
const py = (code: string) => execFileSync(python, ['-c', code], { cwd: tmp, encoding: 'utf8', env });
const deps = (out: string[] = [], err: string[] = []) => ({ stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), startRunner: fakeKernel(), progress: silentProgress });

it('exports manual grades to nbgrader gradebook.db and imports them back', async () => {
  py(`
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db") as gb:
    gb.add_assignment("ps1")
    gb.add_notebook("ps1", "ps1")
    for name, points, kind in [("test_relu", 2, "code"), ("test_mean", 3, "code"), ("why_relu", 1, "markdown")]:
        gb.add_grade_cell(name, "ps1", "ps1", max_score=points, cell_type=kind)
    for name in ["relu", "mean", "why_relu"]:
        gb.add_solution_cell(name, "ps1", "ps1")
    for s in ["alice", "bob"]:
        gb.add_student(s)
        gb.add_submission("ps1", s)
`);
  const { released } = await releaseNotebook(readFixtureSource());
  for (const s of ['alice', 'bob']) {
    mkdirSync(path.join(tmp, 'submitted', s, 'ps1'), { recursive: true });
    writeFileSync(path.join(tmp, 'submitted', s, 'ps1', 'ps1.ipynb'), toFile(fillIn(released, { ...CORRECT, why_relu: `${s}'s answer` })));
  }
  const graded = path.join(tmp, 'autograded');
  expect(await gradeCommand(['autograde', '--source', FIXTURE_SOURCE, '--out', graded, path.join(tmp, 'submitted', 'alice', 'ps1'), path.join(tmp, 'submitted', 'bob', 'ps1')], deps())).toBe(0);

  // tsdl -> nbgrader
  expect(await gradeCommand(['manual', graded, 'alice', 'why_relu', '1', '--comment', 'Clear and right.'], deps())).toBe(0);
  const out: string[] = [];
  expect(await gradeCommand(['manual', graded, '--export-nbgrader', path.join(tmp, 'gradebook.db'), '--python', python], deps(out))).toBe(0);
  expect(out.join('')).toMatch(/exported 1 grades of 1 submissions/);
  const inDb = JSON.parse(py(`
import json
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db") as gb:
    g = gb.find_grade("why_relu", "ps1", "ps1", "alice")
    c = gb.find_comment("why_relu", "ps1", "ps1", "alice")
    print(json.dumps({"manual": g.manual_score, "score": g.score, "comment": c.manual_comment, "total": gb.find_submission("ps1", "alice").score}))
`));
  expect(inDb).toEqual({ manual: 1, score: 1, comment: 'Clear and right.', total: 1 });

  // nbgrader (formgrader) -> tsdl
  py(`
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db") as gb:
    gb.find_grade("why_relu", "ps1", "ps1", "bob").manual_score = 0.5
    gb.find_comment("why_relu", "ps1", "ps1", "bob").manual_comment = "Say why it does not saturate."
    gb.db.commit()
`);
  expect(await gradeCommand(['manual', graded, '--import-nbgrader', path.join(tmp, 'gradebook.db'), '--python', python], deps())).toBe(0);
  const results = Object.fromEntries((JSON.parse(readFileSync(path.join(graded, 'results.json'), 'utf8')) as SubmissionResult[]).map((r) => [r.submission, r]));
  expect(results.bob.cells.find((c) => c.gradeId === 'why_relu')).toMatchObject({ score: 0.5, comment: 'Say why it does not saturate.', status: 'graded-by-teacher' });
  expect(results.bob).toMatchObject({ score: 5.5, needsManualGrade: false });
  expect(results.alice).toMatchObject({ score: 6 });
  expect(readFileSync(path.join(graded, 'gradebook.csv'), 'utf8')).toMatch(/\nps1,bob,.*,5\.5,5\.5,6,false,/);
});

it('says what to do when the database does not have the submissions', async () => {
  const err: string[] = [];
  const graded = path.join(tmp, 'autograded');
  py(`
from nbgrader.api import Gradebook
with Gradebook("sqlite:///empty.db") as gb:
    gb.add_assignment("ps1")
`);
  expect(await gradeCommand(['manual', graded, '--export-nbgrader', path.join(tmp, 'empty.db'), '--python', python], deps([], err))).toBe(1);
  expect(err.join('')).toMatch(/alice, bob are not in .*empty\.db for assignment "ps1"; run nbgrader's autograde for them/);
});
