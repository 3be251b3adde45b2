/**
 * `tsdl grade check` and `tsdl grade reveal` as a learner runs them: on chapter 00's student version
 * in a workspace filled by `tsdl lab`'s code, through the built CLI, on the real tsdl kernel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syncWorkspace } from '../../cli/src/workspace';
import { gradeId } from './nbgrader';
import { parseNotebook, serializeNotebook } from './notebook';

const root = path.resolve(__dirname, '..', '..');
const CHAPTER = '00-getting-started.ipynb';
const tsdl = (args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'tsdl.js'), 'grade', ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });

let workspace: string;
let file: string;
beforeAll(async () => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'tsdl-learn-'));
  await syncWorkspace({ teacherDir: path.join(root, 'notebooks'), dir: workspace });
  file = path.join(workspace, CHAPTER);
  // A copy as released, nothing attempted yet (not a chapter of the workspace's manifest).
  writeFileSync(path.join(workspace, 'fresh.ipynb'), readFileSync(file, 'utf8'));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

test('check says which exercise passed, and for a wrong one what the check said and where the learner\'s code failed', () => {
  const nb = parseNotebook(readFileSync(file, 'utf8'));
  const answers: Record<string, string> = {
    dot: 'function dot(a: number[], b: number[]): number {\n' +
      '  if (a.length !== b.length) throw new Error(`lengths ${a.length} and ${b.length}`);\n' +
      '  return a.reduce((s, x, i) => s + x * b[i], 0);\n}',
    // A type error on line 2: a 1-D tensor where a 2-D one is declared.
    column: 'function column(xs: number[]): tsdl.tf.Tensor2D {\n  return tf.tensor1d(xs);\n}',
  };
  for (const cell of nb.cells) {
    const id = gradeId(cell);
    if (id && answers[id]) cell.source = answers[id];
  }
  writeFileSync(file, serializeNotebook(nb));

  const run = tsdl(['check', file]);
  const out = run.stdout;
  expect({ status: run.status, stderr: run.stderr.slice(-2000) }).toMatchObject({ status: 3 });
  expect(out).toMatch(/✓ Exercise 1\. Write dot\(a, b\)[^\n]*\n {4}passed: 2 of 2 points \(answer cell dot\)/);
  expect(out).toMatch(/✗ Exercise 2\. Write column\(xs\)[^\n]*\n {4}failed: 0 of 2 points \(answer cell column\)\n {4}The check said:/);
  expect(out).toMatch(/Your code failed first in answer cell column, line 2[^\n]*:\n\s+\S+: [^\n]*Tensor1D[^\n]*Tensor2D/);
  expect(out).toMatch(/Visible tests: 2 of 4 points\. 1 passed, 1 failed\./);
  expect(out).not.toMatch(/! Cell \d+ \(not an exercise\)/);
}, 300_000);

test('reveal prints the teacher\'s solution of an attempted exercise and refuses one not attempted', () => {
  const fresh = path.join(workspace, 'fresh.ipynb');
  const shown = tsdl(['reveal', file, 'column']);
  expect(shown.status).toBe(0);
  expect(shown.stdout).toContain('return tf.tensor2d(xs, [xs.length, 1]);');
  expect(shown.stdout).not.toMatch(/BEGIN SOLUTION/);
  const refused = tsdl(['reveal', fresh, 'dot', '--source', path.join(root, 'notebooks', CHAPTER)]);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/not attempted .*Exercise 1.* yet.*--force/s);
  expect(refused.stdout).not.toContain('for (let i = 0; i < a.length; i++)');
}, 60_000);
