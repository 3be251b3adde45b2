/**
 * Autograding on the real tsdl kernel: the scores of the fixture submissions, and the hostile
 * ones (endless loop, process.exit, a crash at import, writes outside the folder, megabytes of
 * output, running out of memory) each graded with a reason while the grader carries on.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { autogradeBatch, type Submission } from './autograde';
import { gradeId } from './nbgrader';
import type { Notebook } from './notebook';
import { releaseNotebook } from './release';
import type { SubmissionResult } from './results';
import { startKernelRunner } from './runner';
import { CORRECT, fillIn, PARTLY_CORRECT, readFixtureSource, toFile } from './__fixtures__/submissions';

jest.setTimeout(600_000);

let tmp: string;
beforeAll(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-grade-kernel-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const withCell = (source: string, at = 2) => (nb: Notebook) => nb.cells.splice(at, 0, { cell_type: 'code', source, metadata: {}, outputs: [] });
const setAnswer = (id: string, source: string) => (nb: Notebook) => {
  nb.cells.find((c) => gradeId(c) === id)!.source = source;
};

it('grades ordinary and hostile submissions on the tsdl kernel', async () => {
  const assignment = await releaseNotebook(readFixtureSource());
  const cases: Record<string, Notebook | string> = {
    correct: fillIn(assignment.released, CORRECT),
    partial: fillIn(assignment.released, PARTLY_CORRECT),
    untouched: assignment.released,
    loop: fillIn(assignment.released, CORRECT, setAnswer('relu', 'function relu(x: number): number {\n  while (true) {}\n}')),
    exits: fillIn(assignment.released, CORRECT, withCell('process.exit(1);')),
    importCrash: fillIn(assignment.released, CORRECT, withCell('import { nothing } from "no-such-package-anywhere";')),
    escapes: fillIn(assignment.released, CORRECT, withCell('import * as fs from "node:fs";\nfs.writeFileSync("../escaped.txt", "x");\nfs.writeFileSync("here.txt", "x");')),
    spam: fillIn(assignment.released, CORRECT, withCell('for (let i = 0; i < 200000; i++) console.log("spam line " + i);')),
    oom: fillIn(assignment.released, CORRECT, withCell('const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e6).fill(1));')),
    invalid: '{"cells": [',
  };
  const submissions: Submission[] = [];
  const hashes = new Map<string, string>();
  for (const [id, nb] of Object.entries(cases)) {
    const dir = path.join(tmp, 'submitted', id);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'ps1.ipynb');
    writeFileSync(file, typeof nb === 'string' ? nb : toFile(nb));
    hashes.set(file, createHash('md5').update(readFileSync(file)).digest('hex'));
    submissions.push({ id, file });
  }
  const results = await autogradeBatch(assignment, submissions, {
    startRunner: startKernelRunner,
    outDir: path.join(tmp, 'autograded'),
    limits: { cellTimeoutMs: 10_000, totalTimeoutMs: 120_000, memoryLimitMb: 256, graceMs: 5_000 },
  });
  const by = Object.fromEntries(results.map((r) => [r.submission, r])) as Record<string, SubmissionResult>;
  const cell = (id: string, g: string) => by[id].cells.find((c) => c.gradeId === g)!;

  expect(by.correct.score).toBe(5);
  expect(by.partial.score).toBe(4);
  expect(by.untouched.score).toBe(0);
  expect(cell('untouched', 'test_relu').reason).toMatch(/Not implemented yet/);
  expect(cell('loop', 'test_relu').error?.ename).toBe('CellTimeoutError');
  // 3 when the kernel's interrupt stops the loop; 0 when it had to be restarted (no setup import).
  expect([0, 3]).toContain(cell('loop', 'test_mean').score);
  expect(by.exits.score).toBe(5);
  expect(by.importCrash.score).toBe(5);
  expect(by.escapes.score).toBe(5);
  expect(existsSync(path.join(tmp, 'submitted', 'escaped.txt'))).toBe(false);
  expect(existsSync(path.join(tmp, 'submitted', 'escapes', 'here.txt'))).toBe(false);
  expect(by.spam.score).toBe(5);
  expect(readFileSync(path.join(tmp, 'autograded', 'spam', 'ps1.ipynb'), 'utf8').length).toBeLessThan(200_000);
  // Running out of memory kills the kernel's runtime; it restarts empty, so later cells fail with a reason.
  expect(by.oom.status).toBe('graded');
  expect(by.oom.cells.every((c) => c.status !== 'passed' || c.score === c.maxScore)).toBe(true);
  expect(by.invalid).toMatchObject({ status: 'invalid', score: 0 });
  for (const [file, hash] of hashes) expect(createHash('md5').update(readFileSync(file)).digest('hex')).toBe(hash);
});
