/**
 * A learner checking their own work: `tsdl grade check NOTEBOOK` runs the notebook as it is (the
 * student version with the learner's answers; its tests are the visible ones) on a fresh tsdl
 * kernel in the notebook's own folder, as JupyterLab would, and says for each exercise whether it
 * passed, what the failed check said and where the learner's own code failed first.
 * `tsdl grade reveal NOTEBOOK EXERCISE` shows the teacher's solution of one exercise, after an
 * attempt.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeExercises, type Exercise } from './exercises';
import { gradeId, isGrade, isSolution, isTracked } from './nbgrader';
import { parseNotebook, serializeNotebook, type Cell, type Notebook } from './notebook';
import { runPipeline } from './pipeline';
import { progressBar, silentProgress, type Progress } from './progress';
import { gradeCells, writeFileAtomic, type CellResult } from './results';
import type { CellRunner, StartRunner } from './runner';
import { execute, type ExecuteContext } from './steps/execute';
import { BEGIN_SOLUTION, clearOutputs, defaultReleaseContext, END_SOLUTION } from './steps/release';
import { stripAnsi } from './text';

export type ExerciseStatus = 'passed' | 'partial' | 'failed' | 'not-attempted' | 'written';

export interface ExerciseCheck {
  title: string;
  status: ExerciseStatus;
  /** Points from this exercise's visible tests (written answers count none until a person grades them). */
  score: number;
  maxScore: number;
  /** The answer cells, by grade_id: what `tsdl grade reveal` takes. */
  answers: string[];
  tests: string[];
  /** What the first failing test said. */
  check?: string;
  /** The first error of the learner's own code: the answer cell, where, and what. */
  ownError?: { answer: string; line?: number; column?: number; message: string };
  /** Answer cells still holding the released stub. */
  notAttempted: string[];
  /** Written answers: points a person will give, and whether there is an answer yet. */
  written?: { points: number; answered: boolean };
}

export interface CheckReport {
  notebook: string;
  cellsRun: number;
  durationMs: number;
  /** The first error of a cell that is neither an answer nor a test: later cells may fail from it. */
  earlierError?: { cell: number; message: string };
  exercises: ExerciseCheck[];
  score: number;
  maxScore: number;
}

export interface CheckOptions {
  startRunner: StartRunner;
  cellTimeoutMs: number;
  totalTimeoutMs: number;
  memoryLimitMb?: number;
  env?: NodeJS.ProcessEnv;
  progress?: Progress;
}

const TEXT_STUB = defaultReleaseContext().textStub;
/** The line of the released stub that throws; an answer cell holding it has not been attempted. */
const STUB_LINE = defaultReleaseContext().codeStubs.typescript.split('\n').at(-1)!;

/** True while an answer cell is still the one released: the stub, or "YOUR ANSWER HERE". */
export function isUnattempted(cell: Cell): boolean {
  if (cell.cell_type === 'code') return cell.source.includes(STUB_LINE);
  return cell.source.trim() === '' || cell.source.trim() === TEXT_STUB;
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

/** Counts the cells it runs, for the progress line. */
function counting(runner: CellRunner, total: number, progress: Progress): CellRunner & { ran: () => number } {
  let ran = 0;
  return {
    async run(code, timeoutMs) {
      progress.update(ran, `running cell ${ran + 1} of ${total}`);
      try {
        return await runner.run(code, timeoutMs);
      } finally {
        ran++;
        progress.update(ran, `ran ${ran} of ${total} cells`);
      }
    },
    stop: () => runner.stop(),
    ran: () => ran,
  };
}

/** Runs the notebook on a fresh kernel in its own folder and reads each exercise's result. */
export async function checkNotebook(file: string, opts: CheckOptions): Promise<CheckReport> {
  const started = Date.now();
  const notebook = parseNotebook(await fs.readFile(file, 'utf8'));
  const cleared = await runPipeline([clearOutputs], notebook, undefined);
  const total = cleared.cells.filter((c) => c.cell_type === 'code' && c.source.trim() !== '').length;
  const progress = opts.progress ?? silentProgress;
  progress.start(total);
  const kernel = await opts.startRunner({
    cwd: path.dirname(path.resolve(file)),
    env: { ...process.env, ...opts.env },
    ...(opts.memoryLimitMb ? { memoryLimitMb: opts.memoryLimitMb } : {}),
  });
  const runner = counting(kernel, total, progress);
  let executed: Notebook;
  try {
    const ctx: ExecuteContext = { runner, cellTimeoutMs: opts.cellTimeoutMs, totalTimeoutMs: opts.totalTimeoutMs, deadline: Date.now() + opts.totalTimeoutMs };
    executed = await runPipeline([execute], cleared, ctx);
  } finally {
    progress.finish();
    await runner.stop().catch(() => undefined);
  }
  return { ...readCheck(notebook, executed), notebook: path.basename(file), cellsRun: runner.ran(), durationMs: Date.now() - started };
}

/** Each exercise's result from the notebook as the learner left it and as it ran. */
export function readCheck(notebook: Notebook, executed: Notebook): Omit<CheckReport, 'notebook' | 'cellsRun' | 'durationMs'> {
  const results = new Map<string, CellResult>(gradeCells(executed).map((r) => [r.gradeId, r]));
  const byId = new Map<string, Cell>();
  for (const cell of executed.cells) {
    const id = gradeId(cell);
    if (id !== undefined) byId.set(id, cell);
  }
  const exercises = describeExercises(notebook, executed).map((e) => exerciseCheck(e, results, byId));
  let earlierError: CheckReport['earlierError'];
  executed.cells.forEach((cell, i) => {
    if (earlierError || cell.cell_type !== 'code' || isTracked(cell)) return;
    const e = cell.outputs?.find((o) => o.output_type === 'error');
    if (e?.output_type === 'error') earlierError = { cell: i + 1, message: `${e.ename}: ${firstLine(stripAnsi(e.evalue))}` };
  });
  const score = exercises.reduce((n, e) => n + e.score, 0);
  const maxScore = exercises.reduce((n, e) => n + (e.written ? 0 : e.maxScore), 0);
  return { exercises, score, maxScore, ...(earlierError ? { earlierError } : {}) };
}

function exerciseCheck(e: Exercise, results: Map<string, CellResult>, cells: Map<string, Cell>): ExerciseCheck {
  const answers = e.answers.map((a) => a.gradeId);
  const notAttempted = answers.filter((id) => {
    const cell = cells.get(id);
    return cell !== undefined && isUnattempted(cell);
  });
  const testResults = e.tests.map((t) => results.get(t.gradeId)).filter((r): r is CellResult => r !== undefined);
  const score = testResults.reduce((n, r) => n + (r.score ?? 0), 0);
  const maxScore = testResults.reduce((n, r) => n + r.maxScore, 0);
  const base = { title: e.title, score, maxScore, answers, tests: e.tests.map((t) => t.gradeId), notAttempted };

  if (testResults.length === 0) {
    // Only written answers: a person grades them.
    const points = e.answers.reduce((n, a) => n + (results.get(a.gradeId)?.maxScore ?? 0), 0);
    return { ...base, status: 'written', score: 0, maxScore: points, written: { points, answered: notAttempted.length === 0 } };
  }
  const failing = testResults.find((r) => r.status !== 'passed');
  const ownAnswer = e.answers.find((a) => a.error);
  const cause = e.tests.find((t) => t.cause)?.cause;
  let ownError: ExerciseCheck['ownError'];
  if (ownAnswer?.error) {
    const err = ownAnswer.error;
    ownError = { answer: ownAnswer.gradeId, ...(err.line ? { line: err.line } : {}), ...(err.column ? { column: err.column } : {}), message: `${err.ename}: ${firstLine(err.message)}` };
  } else if (cause && failing) {
    ownError = { answer: cause.answer, ...(cause.line ? { line: cause.line } : {}), ...(cause.column ? { column: cause.column } : {}), message: failing.error ? `${failing.error.ename}: ${firstLine(failing.error.evalue)}` : firstLine(failing.reason ?? '') };
  }
  let status: ExerciseStatus = 'passed';
  if (failing) status = notAttempted.length > 0 ? 'not-attempted' : score > 0 ? 'partial' : 'failed';
  return {
    ...base,
    status,
    ...(failing ? { check: failureText(failing) } : {}),
    ...(ownError && status !== 'not-attempted' ? { ownError } : {}),
  };
}

/** What the failing test said, in one or a few lines, without the kernel's location prefixes. */
function failureText(r: CellResult): string {
  const text = r.error ? `${r.error.evalue}` : (r.reason ?? 'the test cell failed');
  return text.replace(/^In\[\d+\]:\d+(?::\d+)?:\s*/, '').trim().split('\n').slice(0, 6).join('\n');
}

const MARK: Record<ExerciseStatus, string> = { passed: '✓', partial: '◐', failed: '✗', 'not-attempted': '·', written: '✎' };
const points = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
const indent = (s: string, by = '    ') => s.split('\n').map((l) => by + l).join('\n');

/** The report in words a learner can act on. */
export function formatCheck(r: CheckReport, notebookArg: string, tsdlCommand = 'tsdl'): string {
  const out: string[] = [];
  const secs = Math.round(r.durationMs / 100) / 10;
  out.push(`${r.notebook}: ran ${r.cellsRun} cells on a fresh tsdl kernel in ${secs} s. These are the visible tests; the teacher's grading also runs hidden ones.`);
  if (r.earlierError) {
    out.push('', `! Cell ${r.earlierError.cell} (not an exercise) failed: ${r.earlierError.message}`, '  Cells after it may fail because of it: run the notebook from the top in JupyterLab and fix that first.');
  }
  if (r.exercises.length === 0) out.push('', 'This notebook has no exercises (no nbgrader answer or test cells).');
  for (const e of r.exercises) {
    out.push('', `${MARK[e.status]} ${e.title}`);
    const cells = e.answers.length ? ` (answer cell ${e.answers.join(', ')})` : '';
    switch (e.status) {
      case 'passed':
        out.push(`    passed: ${e.score} of ${e.maxScore} points${cells}`);
        break;
      case 'not-attempted':
        out.push(`    not attempted yet: the answer cell ${e.notAttempted.join(', ')} still throws "Not implemented yet". Replace that line with your code, run the cell, then check again.`);
        break;
      case 'written':
        out.push(e.written?.answered
          ? `    written answer${cells}: your teacher reads and grades it (${points(e.maxScore)}). No test checks it here.`
          : `    written answer${cells}, ${points(e.maxScore)}: not answered yet. Replace "${TEXT_STUB}" with your answer; your teacher grades it.`);
        break;
      default: {
        out.push(`    ${e.status === 'partial' ? 'partly passed' : 'failed'}: ${e.score} of ${e.maxScore} points${cells}`);
        // A test stopped by the learner's own code: the error is said once, at its place.
        const sameError = e.ownError !== undefined && e.check !== undefined && e.ownError.message.endsWith(firstLine(e.check));
        if (e.check && !sameError) out.push('    The check said:', indent(e.check, '      '));
        if (e.ownError) {
          const where = e.ownError.line ? `, line ${e.ownError.line}${e.ownError.column ? `, column ${e.ownError.column}` : ''}` : '';
          out.push(`    Your code failed first in answer cell ${e.ownError.answer}${where}:`, indent(e.ownError.message, '      '));
        }
        out.push(`    Fix ${e.ownError ? `answer cell ${e.ownError.answer}` : 'your answer'}, run it, and check again.`);
      }
    }
  }
  const count = (s: ExerciseStatus) => r.exercises.filter((e) => e.status === s).length;
  const parts = [`${count('passed')} passed`];
  if (count('partial')) parts.push(`${count('partial')} partly passed`);
  if (count('failed')) parts.push(`${count('failed')} failed`);
  if (count('not-attempted')) parts.push(`${count('not-attempted')} not attempted`);
  if (count('written')) parts.push(`${count('written')} written, for your teacher`);
  out.push('', `Visible tests: ${r.score} of ${r.maxScore} points. ${parts.join(', ')}.`);
  const stuck = r.exercises.find((e) => (e.status === 'failed' || e.status === 'partial') && e.answers.length > 0);
  if (stuck) {
    out.push(`Stuck after trying? \`${tsdlCommand} grade reveal ${notebookArg} ${stuck.answers[0]}\` shows the teacher's solution of that exercise (any other: its answer cell's id).`);
  }
  return out.join('\n') + '\n';
}

/** Passed means every visible test passed; written answers wait for a person and do not count. */
export const allPassed = (r: CheckReport) => r.exercises.every((e) => e.status === 'passed' || e.status === 'written');

// ---------------------------------------------------------------------------------------------
// reveal

/** The learner workspace's manifest (cli/src/workspace.ts): where each file's chapter came from. */
const WORKSPACE_MANIFEST = '.tsdl-workspace.json';

/** The teacher's notebook for a learner's: --source, else the workspace's record, else none. */
export async function findTeacherNotebook(file: string, source?: string): Promise<string> {
  if (source) return source;
  const dir = path.dirname(path.resolve(file));
  const manifestFile = path.join(dir, WORKSPACE_MANIFEST);
  const text = await fs.readFile(manifestFile, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    const manifest = JSON.parse(text) as { teacherDir?: string; files?: Record<string, { chapter?: string }> };
    const chapter = manifest.files?.[path.basename(file)]?.chapter;
    if (manifest.teacherDir && chapter) return path.join(manifest.teacherDir, `${chapter}.ipynb`);
  }
  throw new Error(`cannot tell which teacher's notebook ${file} comes from (it is not a chapter of the workspace ${WORKSPACE_MANIFEST} lists); give it with --source TEACHER.ipynb`);
}

/** The exercise named by an answer cell's or test cell's id, or by its number (1, 2, …). */
export function findExercise(exercises: Exercise[], name: string): Exercise {
  const byId = exercises.find((e) => e.answers.some((a) => a.gradeId === name) || e.gradeIds.includes(name) || e.tests.some((t) => t.gradeId === name));
  const n = /^\d+$/.test(name) ? Number(name) : NaN;
  const found = byId ?? (n >= 1 && n <= exercises.length ? exercises[n - 1] : undefined);
  if (found) return found;
  const known = exercises.map((e, i) => `  ${i + 1}  ${e.answers.map((a) => a.gradeId).join(', ') || e.gradeIds.join(', ')}  ${e.title}`).join('\n');
  throw new Error(`no exercise "${name}" in this notebook. Name one by its answer cell's id or its number:\n${known}`);
}

/** The teacher's answer cell without the solution-region marker lines. */
export function solutionText(cell: Cell): string {
  return cell.source.split('\n').filter((l) => !l.includes(BEGIN_SOLUTION) && !l.includes(END_SOLUTION)).join('\n').trim();
}

export interface RevealResult {
  exercise: Exercise;
  /** Per answer cell: its id, the teacher's text, and the cell's type. */
  solutions: { gradeId: string; text: string; cellType: Cell['cell_type'] }[];
}

export class NotAttemptedError extends Error {}

/**
 * The teacher's solution of one exercise. Refuses (NotAttemptedError) while every answer cell of
 * that exercise in the learner's notebook is still the released stub, unless `force`.
 */
export function revealSolution(learner: Notebook, teacher: Notebook, name: string, force = false): RevealResult {
  // The teacher's notebook as its own "graded" notebook: its answer cells are the solutions.
  const exercise = findExercise(describeExercises(teacher, teacher), name);
  const mine = exercise.answers.map((a) => learner.cells.find((c) => gradeId(c) === a.gradeId));
  if (!force && mine.every((c) => c === undefined || isUnattempted(c))) {
    const which = exercise.answers.map((a) => a.gradeId).join(', ');
    throw new NotAttemptedError(
      `you have not attempted "${exercise.title}" yet: answer cell ${which} is still as released. ` +
        'Try it first: write your answer, run `tsdl grade check` and read what fails. ' +
        'To see the solution anyway, add --force.',
    );
  }
  const solutions = exercise.answers.map((a) => {
    const cell = teacher.cells.find((c) => gradeId(c) === a.gradeId && isSolution(c))!;
    return { gradeId: a.gradeId, text: solutionText(cell), cellType: cell.cell_type };
  });
  return { exercise, solutions };
}

export const REVEAL_CELL_PREFIX = 'revealed-';

/** The learner's notebook with each solution as a markdown cell below its answer cell (not run, not graded). */
export function insertSolutions(learner: Notebook, reveal: RevealResult, now = new Date()): Notebook {
  const nb = structuredClone(learner);
  for (const s of reveal.solutions) {
    const id = `${REVEAL_CELL_PREFIX}${s.gradeId}`;
    if (nb.cells.some((c) => c.id === id)) throw new Error(`the solution of ${s.gradeId} is already in the notebook (cell ${id}); delete that cell to insert it again`);
    const at = nb.cells.findIndex((c) => gradeId(c) === s.gradeId);
    const body = s.cellType === 'code' ? '```ts\n' + s.text + '\n```' : s.text.split('\n').map((l) => `> ${l}`).join('\n');
    const cell: Cell = {
      cell_type: 'markdown',
      id,
      metadata: { tsdl: { revealed: s.gradeId, at: now.toISOString() } },
      source: `**The teacher's solution of \`${s.gradeId}\`**, revealed on request. It is text, not run and not graded: your answer above is what counts.\n\n${body}`,
    };
    nb.cells.splice(at === -1 ? nb.cells.length : at + 1, 0, cell);
  }
  return nb;
}

export async function revealFile(file: string, name: string, opts: { source?: string; force?: boolean; insert?: boolean }): Promise<{ text: string; inserted: boolean }> {
  const learner = parseNotebook(await fs.readFile(file, 'utf8'));
  const teacherFile = await findTeacherNotebook(file, opts.source);
  const teacherText = await fs.readFile(teacherFile, 'utf8').catch((e: Error) => {
    throw new Error(`cannot read the teacher's notebook ${teacherFile} (${e.message}); give another with --source`);
  });
  const teacher = parseNotebook(teacherText);
  if (!teacher.cells.some((c) => isSolution(c) && c.source.includes(BEGIN_SOLUTION)) && !teacher.cells.some((c) => isGrade(c))) {
    throw new Error(`${teacherFile} has no exercises`);
  }
  const reveal = revealSolution(learner, teacher, name, opts.force);
  const shown = reveal.solutions.map((s) => `--- ${s.gradeId} (from ${teacherFile}) ---\n${s.text}\n`).join('\n');
  let text = `The teacher's solution of "${reveal.exercise.title}":\n\n${shown}`;
  if (opts.insert) {
    await writeFileAtomic(file, serializeNotebook(insertSolutions(learner, reveal)));
    text += `\nInserted below ${reveal.solutions.map((s) => s.gradeId).join(', ')} in ${file} as a text cell. In JupyterLab: File → Reload Notebook from Disk (save your own changes first, before running reveal).\n`;
  }
  return { text, inserted: opts.insert ?? false };
}

// ---------------------------------------------------------------------------------------------
// the commands (tsdl grade check | reveal)

export const CHECK_HELP = `  check <notebook.ipynb> [--cell-timeout SEC] [--timeout SEC] [--budget NAME]
      Check your own work: run the notebook as it is on a fresh tsdl kernel in its folder (as
      JupyterLab would, from the top) and say for each exercise whether its visible tests pass,
      what a failing check said, and the first error of your own answer cell. Exit 0 when every
      visible test passes (written answers aside), 3 when some do not.
        --cell-timeout SEC   time limit per cell (default: 900; chapters train for minutes)
        --timeout SEC        time limit for the notebook (default: 3600)
        --budget NAME        TSDL_BUDGET for the run: quick, default or full (default: yours)

  reveal <notebook.ipynb> <exercise> [--insert] [--force] [--source TEACHER.ipynb]
      After your own attempt, show the teacher's solution of one exercise (named by its answer
      cell's id, as check prints it, or its number). The teacher's notebook is found through the
      workspace (learn/) or given with --source. Refuses an exercise you have not attempted yet.
        --insert             also add the solution below your answer cell, as a text cell
        --force              show it even though you have not attempted it
`;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  startRunner?: StartRunner;
  progress?: Progress;
}

const usage = (io: CommandIo, command: string, message: string) => {
  io.stderr(`tsdl grade ${command}: ${message}\nRun \`tsdl grade --help\` for usage.\n`);
  return 2;
};

const BUDGETS = ['quick', 'default', 'full'];

/** How the learner ran tsdl, so that a command we suggest can be pasted: `node ../bin/tsdl.js`, or `tsdl`. */
function invokedAs(): string {
  const script = process.argv[1];
  if (!script || !/tsdl(\.js)?$/.test(script) || path.basename(path.dirname(script)) !== 'bin') return 'tsdl';
  return path.basename(script) === 'tsdl.js' ? `node ${path.relative(process.cwd(), script) || script}` : 'tsdl';
}

export async function checkCommand(args: string[], io: CommandIo, defaultStartRunner: StartRunner): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'cell-timeout': { type: 'string' }, timeout: { type: 'string' }, budget: { type: 'string' } },
  });
  if (positionals.length !== 1) return usage(io, 'check', 'check takes one notebook, e.g. tsdl grade check learn/01-matrices.ipynb');
  const ms = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v) > 0 ? Number(v) * 1000 : NaN);
  const cellTimeoutMs = ms(values['cell-timeout'], 900_000);
  const totalTimeoutMs = ms(values.timeout, 3_600_000);
  if (Number.isNaN(cellTimeoutMs) || Number.isNaN(totalTimeoutMs)) return usage(io, 'check', '--cell-timeout and --timeout need a positive number of seconds');
  if (values.budget !== undefined && !BUDGETS.includes(values.budget)) return usage(io, 'check', `--budget must be one of ${BUDGETS.join(', ')}, got "${values.budget}"`);
  const file = positionals[0];
  const report = await checkNotebook(file, {
    startRunner: io.startRunner ?? defaultStartRunner,
    cellTimeoutMs,
    totalTimeoutMs,
    ...(values.budget ? { env: { TSDL_BUDGET: values.budget } } : {}),
    // A chapter runs for minutes: on a terminal, a line says which cell is running.
    progress: io.progress ?? (process.stderr.isTTY ? progressBar() : silentProgress),
  });
  io.stdout(formatCheck(report, file, invokedAs()));
  return allPassed(report) ? 0 : 3;
}

export async function revealCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { insert: { type: 'boolean' }, force: { type: 'boolean' }, source: { type: 'string' } },
  });
  if (positionals.length !== 2) return usage(io, 'reveal', 'reveal takes a notebook and an exercise, e.g. tsdl grade reveal learn/00-getting-started.ipynb dot');
  try {
    const { text } = await revealFile(positionals[0], positionals[1], { ...(values.source ? { source: values.source } : {}), force: values.force ?? false, insert: values.insert ?? false });
    io.stdout(text);
    return 0;
  } catch (e) {
    if (!(e instanceof NotAttemptedError)) throw e;
    io.stderr(`tsdl grade reveal: ${e.message}\n`);
    return 1;
  }
}
