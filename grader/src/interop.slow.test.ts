/**
 * nbgrader from PyPI and `tsdl grade` agree: on a course directory made from the fixture, real
 * nbgrader (in the project's .venv) runs generate_assignment and autograde on the tsdl kernel,
 * and its per-cell scores equal ours for a correct, a partly correct and a broken submission.
 * Needs the built kernel (`npm run build`) and its kernelspec, installed here into the venv.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradeCommand } from './cli';
import { parseNotebook } from './notebook';
import { silentProgress } from './progress';
import type { SubmissionResult } from './results';
import { CORRECT, FIXTURE_SOURCE, fillIn, PARTLY_CORRECT, toFile } from './__fixtures__/submissions';

const repo = path.resolve(__dirname, '..', '..');
const venvBin = path.join(repo, '.venv', 'bin');
const env = { ...process.env, PATH: `${venvBin}${path.delimiter}${process.env.PATH}` };
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });

const BROKEN: Record<string, string> = { relu: 'function relu(x: number): number {\n  return x +;\n}' };

jest.setTimeout(900_000);

let course: string;
beforeAll(() => {
  run('node', [path.join(repo, 'bin', 'tsdl.js'), 'install', '--sys-prefix'], repo);
  course = mkdtempSync(path.join(os.tmpdir(), 'tsdl-nbgrader-course-'));
  copyFileSync(path.join(repo, 'grader', 'nbgrader', 'nbgrader_config.py'), path.join(course, 'nbgrader_config.py'));
  mkdirSync(path.join(course, 'source', 'ps1'), { recursive: true });
  copyFileSync(FIXTURE_SOURCE, path.join(course, 'source', 'ps1', 'ps1.ipynb'));
});
afterAll(() => rmSync(course, { recursive: true, force: true }));

it('releases the same student notebook as nbgrader generate_assignment', async () => {
  run('nbgrader', ['generate_assignment', 'ps1', '--force'], course);
  const ours = path.join(course, 'tsdl-release');
  expect(await gradeCommand(['release', path.join(course, 'source', 'ps1', 'ps1.ipynb'), '--out', ours], { stdout: () => undefined })).toBe(0);
  expect(readFileSync(path.join(ours, 'ps1.ipynb'), 'utf8')).toBe(readFileSync(path.join(course, 'release', 'ps1', 'ps1.ipynb'), 'utf8'));
});

it('gives the same scores as nbgrader autograde on the tsdl kernel', async () => {
  const released = parseNotebook(readFileSync(path.join(course, 'release', 'ps1', 'ps1.ipynb'), 'utf8'));
  const students = { correct: CORRECT, partial: PARTLY_CORRECT, broken: BROKEN };
  for (const [student, answers] of Object.entries(students)) {
    const dir = path.join(course, 'submitted', student, 'ps1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'ps1.ipynb'), toFile(fillIn(released, answers)));
  }
  run('nbgrader', ['autograde', 'ps1', '--force'], course);
  const script = [
    'import json',
    'from nbgrader.api import Gradebook',
    'out = {}',
    'with Gradebook("sqlite:///gradebook.db") as gb:',
    '    for s in ["correct", "partial", "broken"]:',
    '        nb = gb.find_submission_notebook("ps1", "ps1", s)',
    '        out[s] = {g.name: g.score if g.auto_score is not None else None for g in nb.grades}',
    'print(json.dumps(out))',
  ].join('\n');
  const nbgrader = JSON.parse(run(path.join(venvBin, 'python'), ['-c', script], course)) as Record<string, Record<string, number | null>>;

  const out = path.join(course, 'tsdl-autograded');
  const code = await gradeCommand(
    ['autograde', '--source', path.join(course, 'source', 'ps1', 'ps1.ipynb'), '--out', out, ...Object.keys(students).map((s) => path.join(course, 'submitted', s, 'ps1'))],
    { stdout: () => undefined, progress: silentProgress },
  );
  expect(code).toBe(0);
  const ours: Record<string, Record<string, number | null>> = {};
  for (const r of JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as SubmissionResult[]) {
    ours[r.submission] = Object.fromEntries(r.cells.map((c) => [c.gradeId, c.score]));
  }
  expect(ours).toEqual(nbgrader);
  // And the scores are the ones the fixture was written to give.
  expect(ours.correct).toEqual({ test_relu: 2, test_mean: 3, why_relu: null });
  expect(ours.partial).toEqual({ test_relu: 2, test_mean: 2, why_relu: 0 });
  expect(ours.broken).toEqual({ test_relu: 0, test_mean: 0, why_relu: 0 });
});
