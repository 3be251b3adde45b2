/**
 * `tsdl grade autograde`: grade submissions against a source notebook. Per submission: read it
 * (never write it), sanitize it against the source, run it on a fresh kernel (in the sandbox the
 * runner brings: sandbox/sandbox.ts) in a scratch copy of its folder, its test cells through the
 * harness that keeps their checks from being switched off (sandbox/harness.ts), score them, and
 * write the result at once — so a batch can be stopped at any point without losing what is done.
 * No submission can make the grader throw, or stop the batch.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, StepError, type Step } from './pipeline';
import { NotebookFormatError, parseNotebook, serializeNotebook, type Notebook } from './notebook';
import { gradeId, isGrade, maxPoints } from './nbgrader';
import type { ReleasedAssignment } from './release';
import { gradeCells, RESULT_FILE, RESULT_FORMAT, totals, writeFileAtomic, writeGradebook, type CellResult, type SubmissionResult } from './results';
import type { CellRunner, StartRunner } from './runner';
import { Harness, type TestCellVerdict } from './sandbox/harness';
import { hiddenLines } from './exercises';
import { assignCellIds, checkCellMetadata, clearOutputs } from './steps/release';
import { deduplicateIds, handleDeletedCells, overwriteKernelspec, restoreFromSource, type SanitizeContext } from './steps/sanitize';
import { execute, type ExecuteContext } from './steps/execute';
import { DEFAULT_OUTPUT_LIMITS, limitOutput, type OutputLimits } from './steps/limitOutput';
import { silentProgress, type Progress } from './progress';
import { describeExercises } from './exercises';
import { submissionTime } from './gradebook';

export interface AutogradeLimits {
  /** Per cell, as nbgrader's Execute.timeout (30 s there too). */
  cellTimeoutMs: number;
  /** For the whole notebook; cells after it is used up are not run and score 0. */
  totalTimeoutMs: number;
  /** Heap limit of the kernel running a submission. */
  memoryLimitMb?: number;
  output: OutputLimits;
  /** Bytes of the submission's folder copied into its scratch directory. */
  maxFolderBytes: number;
  /** How long past a cell's limit to wait for the interrupted kernel before replacing it. */
  graceMs: number;
}

export const DEFAULT_LIMITS: AutogradeLimits = {
  cellTimeoutMs: 30_000,
  totalTimeoutMs: 10 * 60_000,
  memoryLimitMb: 2048,
  output: DEFAULT_OUTPUT_LIMITS,
  maxFolderBytes: 200 * 1024 * 1024,
  graceMs: 10_000,
};

export interface AutogradeOptions {
  startRunner: StartRunner;
  limits?: Partial<AutogradeLimits>;
  /** Put back graded cells a learner deleted, instead of scoring them 0 (nbgrader's default). */
  restoreDeletedCells?: boolean;
  /** The assignment's name, recorded in each result for the gradebook. */
  assignment?: string;
  /** Extra environment for the kernel. */
  env?: NodeJS.ProcessEnv;
  /**
   * Run each test cell through the harness that keeps its checks from being switched off
   * (sandbox/harness.ts). On unless a runner cannot take it.
   */
  harness?: boolean;
}

export interface Submission {
  /** Names the submission in results: usually the learner's folder name. */
  id: string;
  file: string;
}

export const sanitizePipeline: Step<SanitizeContext>[] = [clearOutputs, assignCellIds, deduplicateIds, overwriteKernelspec, restoreFromSource, handleDeletedCells, checkCellMetadata];

type RunContext = ExecuteContext & { outputLimits: OutputLimits };
export const executePipeline: Step<RunContext>[] = [execute, limitOutput];

/** Every graded cell of the assignment at zero, for submissions that could not be run. */
function zeroCells(reference: Notebook, status: CellResult['status'], reason: string): CellResult[] {
  return reference.cells.filter(isGrade).map((cell) => ({
    gradeId: gradeId(cell)!,
    kind: cell.cell_type === 'code' && !cell.metadata.nbgrader?.solution ? 'test' : 'answer',
    score: 0,
    maxScore: maxPoints(cell),
    status,
    reason,
  }));
}

/** Copy the submission's folder (but no notebooks) to a fresh directory the code may do anything in. */
async function scratchCopy(folder: string, exclude: string[], maxBytes: number, notes: SanitizeContext['notes']): Promise<{ root: string; cwd: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tsdl-grade-'));
  const cwd = path.join(root, path.basename(folder) || 'submission');
  let bytes = 0;
  let skipped = false;
  await fs.cp(folder, cwd, {
    recursive: true,
    dereference: false,
    filter: async (src) => {
      if (exclude.some((e) => src === e || src.startsWith(e + path.sep))) return false;
      if (src.endsWith('.ipynb') || path.basename(src) === '.ipynb_checkpoints') return false;
      const stat = await fs.lstat(src);
      if (stat.isFile()) {
        if (bytes + stat.size > maxBytes) {
          skipped = true;
          return false;
        }
        bytes += stat.size;
      }
      return true;
    },
  });
  if (skipped) notes.push({ message: `The submission's folder holds more than ${Math.round(maxBytes / 1048576)} MB; some of its files were not available while grading.` });
  return { root, cwd };
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000}s`)), ms);
    p.then((v) => (clearTimeout(timer), resolve(v)), (e) => (clearTimeout(timer), reject(e)));
  });

class ReplyOverdue extends Error {}

/**
 * A runner that does not wait forever on a kernel that ignores an interrupt (a busy loop the
 * kernel cannot break): past the cell's limit plus a grace period, that kernel is stopped and a
 * fresh one started, and the cell counts as timed out with the kernel lost. The grader must not
 * hang on one notebook.
 */
function restarting(first: CellRunner, start: () => Promise<CellRunner>, graceMs: number): CellRunner {
  let current = first;
  return {
    async run(code, timeoutMs, runOpts) {
      const reply = current.run(code, timeoutMs, runOpts);
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ReplyOverdue()), timeoutMs + graceMs);
      });
      try {
        return await Promise.race([reply, overdue]);
      } catch (e) {
        if (!(e instanceof ReplyOverdue)) throw e;
        reply.catch(() => undefined);
        const wedged = current;
        await withTimeout(wedged.stop(), 15_000, 'stopping the kernel').catch(() => undefined);
        current = await start();
        return { status: 'error', outputs: [], executionCount: null, timedOut: true, kernelDied: true };
      } finally {
        clearTimeout(timer);
      }
    },
    stop: () => current.stop(),
  };
}

export async function autogradeSubmission(
  assignment: ReleasedAssignment,
  submission: Submission,
  opts: AutogradeOptions & { exclude?: string[] },
): Promise<{ result: SubmissionResult; graded?: Notebook }> {
  const started = Date.now();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const notes: SanitizeContext['notes'] = [];
  const submittedAt = await submissionTime(submission.file);
  const base = { format: RESULT_FORMAT as typeof RESULT_FORMAT, submission: submission.id, file: submission.file, notebook: path.basename(submission.file), notes, ...(opts.assignment ? { assignment: opts.assignment } : {}), ...(submittedAt ? { submittedAt } : {}) };
  const finish = (r: Pick<SubmissionResult, 'status' | 'cells'> & { problem?: string }): SubmissionResult => ({
    ...base,
    ...r,
    ...totals(r.cells),
    gradedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
  });

  let submitted: Notebook;
  try {
    submitted = parseNotebook(await fs.readFile(submission.file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const problem = await missingReason(submission.file);
      return { result: finish({ status: 'missing', cells: zeroCells(assignment.reference, 'not-run', problem), problem }) };
    }
    const why = e instanceof NotebookFormatError ? e.message : `it could not be read (${(e as Error).message})`;
    const problem = `The submitted notebook could not be graded: ${why}. Open it in Jupyter, check that it loads, and submit it again.`;
    return { result: finish({ status: 'invalid', cells: zeroCells(assignment.reference, 'not-run', problem), problem }) };
  }

  let scratch: { root: string; cwd: string } | undefined;
  let runner: CellRunner | undefined;
  try {
    const sanitized = await runPipeline(sanitizePipeline, submitted, {
      reference: assignment.reference,
      released: assignment.released,
      restoreDeletedCells: opts.restoreDeletedCells ?? false,
      notes,
    });
    scratch = await scratchCopy(path.dirname(path.resolve(submission.file)), opts.exclude ?? [], limits.maxFolderBytes, notes);
    const runnerOptions = {
      cwd: scratch.cwd,
      root: scratch.root,
      env: { ...opts.env, NBGRADER_EXECUTION: 'autograde', TSDL_GRADING: '1' },
      memoryLimitMb: limits.memoryLimitMb,
      // A backstop per process under a sandbox; the grader's wall-clock limits come first.
      cpuSeconds: Math.ceil(limits.totalTimeoutMs / 1000) * 2 + 60,
    };
    const harness = opts.harness === false ? undefined : new Harness(scratch.root);
    const verdicts = new Map<string, TestCellVerdict>();
    runner = restarting(await opts.startRunner(runnerOptions), () => opts.startRunner(runnerOptions), limits.graceMs);
    const graded = await runPipeline(executePipeline, sanitized, {
      runner,
      harness: harness && {
        harness,
        verdicts,
        // Exclusive creation: a link a learner planted under that name is not written through.
        writeKey: ({ key, file }) => fs.writeFile(file, key, { flag: 'wx', mode: 0o600 }),
      },
      cellTimeoutMs: limits.cellTimeoutMs,
      totalTimeoutMs: limits.totalTimeoutMs,
      deadline: Date.now() + limits.totalTimeoutMs,
      outputLimits: limits.output,
    });
    const cells = gradeCells(graded);
    if (harness) applyVerdicts(cells, verdicts, notes);
    hideHiddenTests(cells, assignment.reference, graded);
    // A deleted graded cell is absent from the run; it still counts, at zero.
    const present = new Set(cells.map((c) => c.gradeId));
    for (const missing of zeroCells(assignment.reference, 'deleted', 'This cell was deleted from the submitted notebook.')) {
      if (!present.has(missing.gradeId)) cells.push(missing);
    }
    const order = assignment.reference.cells.filter(isGrade).map((c) => gradeId(c));
    cells.sort((a, b) => order.indexOf(a.gradeId) - order.indexOf(b.gradeId));
    return { result: { ...finish({ status: 'graded', cells }), exercises: describeExercises(assignment.reference, graded) }, graded };
  } catch (e) {
    const where = e instanceof StepError ? ` (in ${e.step})` : '';
    const problem = `The grader failed on this submission${where}: ${(e as Error).message}. This is not the learner's fault; fix the cause and grade it again.`;
    return { result: finish({ status: 'error', cells: zeroCells(assignment.reference, 'not-run', problem), problem }) };
  } finally {
    if (runner) await withTimeout(runner.stop(), 15_000, 'stopping the kernel').catch(() => undefined);
    if (scratch) await fs.rm(scratch.root, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Why there is no notebook to grade, naming what the folder holds instead. */
async function missingReason(file: string): Promise<string> {
  const dir = path.dirname(file);
  const entries = await fs.readdir(dir).catch(() => undefined);
  if (entries === undefined) return `No submission: the folder ${dir} does not exist.`;
  const notebooks = entries.filter((f) => f.endsWith('.ipynb'));
  const holds = entries.length === 0 ? 'it is empty' : notebooks.length ? `it holds ${notebooks.join(', ')}` : `it holds no notebook (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''})`;
  return `No ${path.basename(file)} was submitted: ${holds}. Submit the notebook under that name.`;
}

/**
 * Marks test cells whose harness report was missing, forged or saw tampering (their points are
 * withheld: they could have passed only because the checks were disarmed) or that passed without
 * calling a check (kept, for a person to look at).
 */
function applyVerdicts(cells: CellResult[], verdicts: Map<string, TestCellVerdict>, notes: SanitizeContext['notes']): void {
  for (const cell of cells) {
    const verdict = verdicts.get(cell.gradeId);
    if (cell.kind !== 'test' || verdict === undefined) continue;
    const tampering = !verdict.ok ? verdict.why : verdict.report.tampered.length ? `the grading helpers were changed before it ran: ${verdict.report.tampered.join('; ')}` : undefined;
    if (tampering !== undefined) {
      cell.flag = 'tampered';
      notes.push({ cell: cell.gradeId, message: `The test '${cell.gradeId}' cannot be trusted: ${tampering}.${(cell.score ?? 0) > 0 ? ' Its points are withheld until a teacher reviews it.' : ''}` });
      if ((cell.score ?? 0) > 0) {
        cell.score = 0;
        cell.status = 'failed';
        cell.reason = `Not scored: ${tampering}. Code that changes built-in objects or the grading helpers keeps a test from being trusted; remove it, or ask your teacher.`;
      }
    } else if (verdict.ok && verdict.report.checks === 0 && (cell.score ?? 0) > 0) {
      cell.flag = 'no-check';
      notes.push({ cell: cell.gradeId, message: `The test '${cell.gradeId}' passed without calling any check from tsdl/grading; a teacher may want to look at it.` });
    }
  }
}

const HIDDEN_LINE = '(a line of a hidden test)';

/**
 * Keeps hidden tests out of what a learner is shown: a failure raised on a hidden line is reported
 * without its message (which names the hidden inputs), and no traceback line quotes hidden code.
 */
function hideHiddenTests(cells: CellResult[], reference: Notebook, graded: Notebook): void {
  for (const cell of cells) {
    const source = reference.cells.find((c) => gradeId(c) === cell.gradeId)?.source ?? '';
    const hidden = hiddenLines(source);
    if (hidden.size === 0 || cell.kind !== 'test') continue;
    const hiddenText = source.split('\n').filter((_, i) => hidden.has(i + 1)).map((l) => l.trim()).filter((l) => l.length >= 4);
    const count = graded.cells.find((c) => gradeId(c) === cell.gradeId)?.execution_count;
    const atHidden = (text: string) => {
      const at = new RegExp(`In\\[${count ?? '\\d+'}\\]:(\\d+)`).exec(text) ?? /line (\d+)/.exec(text);
      return at !== null && hidden.has(Number(at[1]));
    };
    // The labels hidden checks give ("relu(0.25)") show up in their messages.
    const literals = hiddenText.flatMap((l) => [...l.matchAll(/"([^"\\]{3,})"|'([^'\\]{3,})'|`([^`\\]{3,})`/g)].map((m) => m[1] ?? m[2] ?? m[3]));
    const quotes = (line: string) => hiddenText.some((h) => line.includes(h)) || literals.some((h) => line.includes(h)) || /BEGIN HIDDEN TESTS|END HIDDEN TESTS/.test(line);
    const e = cell.error;
    const firstLocation = e?.traceback.find((l) => /^\s*at In\[/.test(l));
    const raisedHidden = e !== undefined && (atHidden(e.evalue) || (firstLocation !== undefined && atHidden(firstLocation)) || quotes(e.evalue));
    if (e && raisedHidden) {
      const message = 'a hidden test failed; its code and message stay private';
      cell.error = { ename: e.ename, evalue: message, traceback: [`${e.ename}: ${message}`] };
      cell.reason = `${e.ename}: ${message}.`;
    } else if (e) {
      cell.error = { ...e, traceback: e.traceback.map((l) => (quotes(l) ? HIDDEN_LINE : l)) };
    }
    if (cell.reason && quotes(cell.reason)) cell.reason = `${e?.ename ?? 'Error'}: a hidden test failed; its code and message stay private.`;
    if (cell.stderr && quotes(cell.stderr)) cell.stderr = cell.stderr.split('\n').map((l) => (quotes(l) ? HIDDEN_LINE : l)).join('\n');
  }
}

/**
 * Name submissions by the nearest folder that tells them apart (submitted/alice/ps1.ipynb and
 * nbgrader's submitted/alice/ps1/ps1.ipynb both give "alice"), or by file name when they share one
 * folder; remaining duplicates get a numeric suffix.
 */
export function submissionIds(files: string[]): Submission[] {
  const dirs = files.map((f) => path.dirname(path.resolve(f)).split(path.sep).filter(Boolean));
  const shareFolder = new Set(dirs.map((d) => d.join('/'))).size < files.length;
  let names = files.map((f) => path.basename(f, '.ipynb'));
  if (!shareFolder) {
    for (let up = 1; up <= 4; up++) {
      names = dirs.map((d) => d[d.length - up] ?? 'submission');
      if (new Set(names).size === names.length) break;
      if (up === 4) names = dirs.map((d) => d[d.length - 1] ?? 'submission');
    }
  }
  const used = new Map<string, number>();
  return files.map((file, i) => {
    const clean = names[i].replace(/[^A-Za-z0-9_.@-]/g, '_') || 'submission';
    const n = (used.get(clean) ?? 0) + 1;
    used.set(clean, n);
    return { id: n === 1 ? clean : `${clean}-${n}`, file };
  });
}

export interface BatchOptions extends AutogradeOptions {
  outDir: string;
  progress?: Progress;
  /** Called with each result as soon as it is written. */
  onResult?: (r: SubmissionResult) => void;
  /**
   * Submissions graded at once, each on its own kernel (default 1). Every submission is graded
   * alone whatever the number, so results are those of one at a time, unless a time limit is
   * reached only because the machine is busier.
   */
  jobs?: number;
}

/** A default for --jobs: one per core, but no more kernels than fit in memory at their limit. */
export function defaultJobs(memoryLimitMb = DEFAULT_LIMITS.memoryLimitMb ?? 2048): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const fit = Math.floor(os.totalmem() / ((memoryLimitMb + 1024) * 1024 * 1024));
  return Math.max(1, Math.min(cores, fit));
}

/**
 * Grade submissions, `jobs` at a time. Each result, the graded notebook, and the gradebook are
 * written as soon as a submission is done; gradebook rewrites happen one at a time, so a batch
 * stopped at any point leaves a gradebook over every result written.
 */
export async function autogradeBatch(assignment: ReleasedAssignment, submissions: Submission[], opts: BatchOptions): Promise<SubmissionResult[]> {
  const outDir = path.resolve(opts.outDir);
  for (const s of submissions) {
    const target = path.resolve(outDir, s.id, path.basename(s.file));
    if (target === path.resolve(s.file)) throw new Error(`the output folder ${outDir} would overwrite the submission ${s.file}; choose another --out`);
  }
  const progress = opts.progress ?? silentProgress;
  const results: SubmissionResult[] = new Array<SubmissionResult>(submissions.length);
  const jobs = Math.max(1, Math.min(Math.floor(opts.jobs ?? 1), submissions.length));
  let next = 0;
  let done = 0;
  let gradebook: Promise<unknown> = Promise.resolve();
  progress.start(submissions.length);
  const worker = async () => {
    while (next < submissions.length) {
      const i = next++;
      const s = submissions[i];
      progress.update(done, `grading ${s.id}`);
      const { result, graded } = await autogradeSubmission(assignment, s, { ...opts, exclude: [outDir] });
      const dir = path.join(outDir, s.id);
      if (graded) await writeFileAtomic(path.join(dir, path.basename(s.file)), serializeNotebook(graded));
      await writeFileAtomic(path.join(dir, RESULT_FILE), JSON.stringify(result, null, 2) + '\n');
      gradebook = gradebook.catch(() => undefined).then(() => writeGradebook(outDir));
      await gradebook;
      results[i] = result;
      done++;
      opts.onResult?.(result);
      progress.update(done, `${s.id}: ${result.score}/${result.maxScore}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  progress.finish();
  return results;
}
