/**
 * `tsdl grade release|autograde|feedback|check|reveal`. The tsdl CLI passes the arguments after "grade".
 * Exit codes: 0 done; 1 the grader failed on something (see the message); 2 bad usage.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CHECK_HELP, checkCommand, revealCommand } from './check';
import { autogradeBatch, DEFAULT_LIMITS, defaultJobs, submissionIds, type Submission } from './autograde';
import { describeSandbox, requireSandbox } from './sandbox/sandbox';
import { writeFeedback, writeNbgraderFeedback } from './feedback';
import { parseNotebook, serializeNotebook } from './notebook';
import { progressBar, type Progress } from './progress';
import { releaseNotebook, sourceWarnings } from './release';
import { loadResults, readResults, writeFileAtomic, writeGradebook } from './results';
import { MANUAL_HELP, manualCommand, ManualGradeError } from './manual';
import { readCourseConfig, writeSettings } from './gradebook';
import { kernelRunner, startKernelRunner, type StartRunner } from './runner';

export const HELP = `Usage: tsdl grade <command> [options]

Grade TypeScript notebooks in nbgrader's format (cell metadata schema 3), so a course can use
tsdl grade, nbgrader, or both.

Commands:
  release <source.ipynb>... [--out DIR]
      Write the student version of each source notebook to DIR (default: ./release):
      "// BEGIN SOLUTION" ... "// END SOLUTION" regions replaced by a stub that throws
      "Not implemented yet", "// BEGIN HIDDEN TESTS" ... "// END HIDDEN TESTS" regions removed,
      outputs cleared, graded and read-only cells locked, checksums set.

  autograde --source <source.ipynb> <submission>... [options]
      Grade submissions (notebooks, or folders holding a notebook named like the source) against
      the source. Locked and test cells are restored from the source (edits are reported), hidden
      tests put back, and each submission runs on a fresh tsdl kernel in a scratch copy of its
      folder. A test cell scores its points when it raises nothing and writes nothing to stderr; a
      number it returns between 0 and its points is partial credit. Submission files are only read.
      Writes DIR/<submission>/result.json and the graded notebook per submission, and
      DIR/results.json and DIR/gradebook.csv over all submissions in DIR, after each submission.
        --out DIR            where results go (default: ./autograded)
        --cell-timeout SEC   time limit per cell (default: ${DEFAULT_LIMITS.cellTimeoutMs / 1000})
        --timeout SEC        time limit per submission (default: ${DEFAULT_LIMITS.totalTimeoutMs / 1000})
        --memory MB          memory limit of the kernel (default: ${DEFAULT_LIMITS.memoryLimitMb})
        --restore-deleted    put back graded cells a learner deleted and grade them, instead of
                             scoring them 0 as nbgrader does
        --jobs N             grade N submissions at once (default: one per core, as many as fit
                             in memory at --memory each); the results are those of one at a time
        --no-sandbox         run submissions without isolation. By default each runs in
                             bubblewrap (\`apt-get install bubblewrap\`): it reads only its own
                             copy and the kernel's files, writes only its copy, has no network,
                             and everything it starts ends with it; autograde refuses to run
                             where that cannot be had. A folder without the notebook is graded
                             "missing" and the batch goes on.
        --assignment NAME    the assignment's name in the gradebook (default: the source's name)
        --config FILE        course file with due dates and late penalties (see gradebook)

  feedback <autograded-dir> [--out DIR | --nbgrader COURSE]
      Write feedback.html for each submission graded into <autograded-dir> (to DIR/<submission>/,
      default: beside its result.json): the score, each exercise's points, and what failed and why.
      --nbgrader COURSE writes them where nbgrader's release_feedback takes them from
      (COURSE/feedback/<learner>/<assignment>/<notebook>.html), to return them through the exchange.

${MANUAL_HELP}
  gradebook <autograded-dir> [--config FILE] [--assignment NAME]
      Rewrite DIR/gradebook.csv and DIR/results.json: assignment, learner, submission time, due
      date, minutes late, late penalty, raw and final score, each exercise and each graded cell.
      --config FILE is a course file mapping assignment names to settings, copied into
      DIR/assignment.json: {"ps1": {"due": "2026-12-14T17:00:00Z",
      "latePenalty": {"percentPerDay": 10, "maxPercent": 50, "graceMinutes": 15}}}

${CHECK_HELP}
Options:
  -h, --help     show this help
`;

export interface GradeDeps {
  startRunner?: StartRunner;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  progress?: Progress;
}

class UsageError extends Error {}

const seconds = (flag: string, value: string | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number of seconds, got "${value}"`);
  return n * 1000;
};

async function release(args: string[], deps: Required<Pick<GradeDeps, 'stdout'>>): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string', short: 'o' } } });
  if (positionals.length === 0) throw new UsageError('release needs at least one source notebook');
  const outDir = path.resolve(values.out ?? 'release');
  for (const file of positionals) {
    const target = path.join(outDir, path.basename(file));
    if (target === path.resolve(file)) throw new UsageError(`releasing ${file} into ${outDir} would overwrite the source; choose another --out`);
    const { released } = await releaseNotebook(parseNotebook(await fs.readFile(file, 'utf8')));
    await writeFileAtomic(target, serializeNotebook(released));
    deps.stdout(`released ${file} -> ${path.relative(process.cwd(), target) || target}\n`);
  }
  return 0;
}

/**
 * A folder stands for the notebook in it named like the source (or its only notebook). One
 * without it (or a path that does not exist) still names a submission: it is graded "missing".
 */
async function resolveSubmission(arg: string, sourceName: string): Promise<string> {
  const stat = await fs.stat(arg).catch(() => undefined);
  if (stat === undefined) return arg.endsWith('.ipynb') ? arg : path.join(arg, sourceName);
  if (!stat.isDirectory()) return arg;
  const named = path.join(arg, sourceName);
  if (await fs.stat(named).then(() => true, () => false)) return named;
  const notebooks = (await fs.readdir(arg)).filter((f) => f.endsWith('.ipynb'));
  if (notebooks.length === 1) return path.join(arg, notebooks[0]);
  return named;
}

async function autograde(args: string[], deps: Required<Pick<GradeDeps, 'stdout' | 'stderr'>> & GradeDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      source: { type: 'string', short: 's' },
      out: { type: 'string', short: 'o' },
      'cell-timeout': { type: 'string' },
      timeout: { type: 'string' },
      memory: { type: 'string' },
      'restore-deleted': { type: 'boolean' },
      jobs: { type: 'string' },
      'no-sandbox': { type: 'boolean' },
      assignment: { type: 'string' },
      config: { type: 'string' },
    },
  });
  if (!values.source) throw new UsageError('autograde needs --source <source.ipynb>, the teacher\'s notebook with solutions');
  if (positionals.length === 0) throw new UsageError('autograde needs at least one submission (a notebook or a folder)');
  let memoryLimitMb = DEFAULT_LIMITS.memoryLimitMb;
  if (values.memory !== undefined) {
    memoryLimitMb = Number(values.memory);
    if (!Number.isInteger(memoryLimitMb) || memoryLimitMb <= 0) throw new UsageError(`--memory needs a whole number of megabytes, got "${values.memory}"`);
  }
  const limits = {
    cellTimeoutMs: seconds('--cell-timeout', values['cell-timeout'], DEFAULT_LIMITS.cellTimeoutMs),
    totalTimeoutMs: seconds('--timeout', values.timeout, DEFAULT_LIMITS.totalTimeoutMs),
    memoryLimitMb,
  };
  let jobs = defaultJobs(memoryLimitMb);
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs <= 0) throw new UsageError(`--jobs needs a whole number of submissions at once, got "${values.jobs}"`);
  }
  let startRunner = deps.startRunner;
  if (startRunner === undefined) {
    if (values['no-sandbox']) {
      deps.stderr('tsdl grade autograde: --no-sandbox: submissions run as you, with access to your files and the network; grade only work you trust this way.\n');
      startRunner = startKernelRunner;
    } else {
      const sandbox = requireSandbox();
      for (const line of describeSandbox(sandbox)) deps.stderr(`sandbox: ${line}\n`);
      startRunner = kernelRunner(sandbox);
    }
  }
  const sourceName = path.basename(values.source);
  const source = parseNotebook(await fs.readFile(values.source, 'utf8'));
  for (const warning of sourceWarnings(source)) deps.stderr(`tsdl grade autograde: warning: ${warning}\n`);
  const assignment = await releaseNotebook(source);
  const files: string[] = [];
  for (const arg of positionals) files.push(await resolveSubmission(arg, sourceName));
  const submissions: Submission[] = submissionIds(files);
  const outDir = path.resolve(values.out ?? 'autograded');
  const results = await autogradeBatch(assignment, submissions, {
    startRunner,
    jobs,
    limits,
    restoreDeletedCells: values['restore-deleted'] ?? false,
    assignment: await configureAssignment(outDir, values.assignment ?? path.basename(values.source, '.ipynb'), values.config),
    outDir,
    progress: deps.progress ?? progressBar(),
  });
  // As the gradebook shows them: with grades already given by hand and any late penalty.
  const final = new Map((await loadResults(outDir)).results.map((r) => [r.submission, r]));
  for (const r of results.map((raw) => final.get(raw.submission) ?? raw)) {
    const flag = r.status === 'graded' ? '' : ` (${r.status}: ${r.problem})`;
    const late = r.late ? ` (late: ${r.late.penalty} off ${r.rawScore})` : '';
    deps.stdout(`${r.submission}\t${r.score}/${r.maxScore}${late}${r.needsManualGrade ? ' + manual grading' : ''}${flag}\n`);
  }
  deps.stdout(`results in ${path.join(outDir, 'gradebook.csv')} and ${path.join(outDir, 'results.json')}\n`);
  return results.some((r) => r.status === 'error') ? 1 : 0;
}

async function feedback(args: string[], deps: Required<Pick<GradeDeps, 'stdout'>>): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string', short: 'o' }, nbgrader: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('feedback needs one folder: the --out folder of autograde');
  const written = values.nbgrader !== undefined ? await writeNbgraderFeedback(positionals[0], values.nbgrader) : await writeFeedback(positionals[0], values.out);
  if (written.length === 0) throw new UsageError(`no results found in ${positionals[0]}; run \`tsdl grade autograde --out ${positionals[0]} ...\` first`);
  for (const f of written) deps.stdout(`wrote ${f}\n`);
  return 0;
}

/** The assignment's name; with a course file, its settings written where the gradebook reads them. */
async function configureAssignment(outDir: string, name: string, config: string | undefined): Promise<string> {
  if (config === undefined) return name;
  const settings = await readCourseConfig(config, name);
  await writeSettings(outDir, settings);
  return settings.name ?? name;
}

async function gradebook(args: string[], deps: Required<Pick<GradeDeps, 'stdout'>>): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, assignment: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('gradebook needs one folder: the --out folder of autograde');
  const dir = positionals[0];
  if (values.config !== undefined) {
    const first = (await readResults(dir)).results[0];
    await configureAssignment(dir, values.assignment ?? first?.assignment ?? (first ? path.basename(first.notebook, '.ipynb') : ''), values.config);
  }
  const results = await writeGradebook(dir);
  if (results.length === 0) throw new UsageError(`no results found in ${dir}; run \`tsdl grade autograde --out ${dir} ...\` first`);
  deps.stdout(`${results.length} submissions in ${path.join(dir, 'gradebook.csv')}\n`);
  return 0;
}

export async function gradeCommand(argv: string[], deps: GradeDeps = {}): Promise<number> {
  const io = {
    ...deps,
    stdout: deps.stdout ?? ((t: string) => void process.stdout.write(t)),
    stderr: deps.stderr ?? ((t: string) => void process.stderr.write(t)),
  };
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(HELP);
    return command === undefined ? 2 : 0;
  }
  try {
    switch (command) {
      case 'release':
        return await release(rest, io);
      case 'autograde':
        return await autograde(rest, io);
      case 'feedback':
        return await feedback(rest, io);
      case 'check':
        return await checkCommand(rest, io, startKernelRunner);
      case 'reveal':
        return await revealCommand(rest, io);
      case 'manual':
        return await manualCommand(rest, io);
      case 'gradebook':
        return await gradebook(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"; expected release, autograde, feedback, manual, gradebook, check or reveal`);
    }
  } catch (e) {
    const usage = e instanceof UsageError || e instanceof ManualGradeError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr(`tsdl grade ${command}: ${(e as Error).message}\n${usage ? 'Run `tsdl grade --help` for usage.\n' : ''}`);
    return usage ? 2 : 1;
  }
}
