/**
 * Re-executes chapters from their sources and stores the results: under the `default` budget
 * (the default) the executed notebook replaces notebooks/NN-slug.ipynb, so readers on GitHub see
 * real outputs; under any budget the time taken and each chapter's `tsdl.report` numbers go to
 * bench/notebooks/results.{json,md}, which notebooks/README.md quotes.
 *
 *   npm run notebooks -- [--budget quick|default|full] [--no-write] [01 05 ...]
 *
 * A chapter that fails is not written: the stored notebook stays as it was, and the failed run is
 * saved in the temp folder for a look.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runNotebook, writeNotebook } from '../../kernel/src/notebook/run';
import { BUDGETS } from '../../lib/src/budget';
import { buildNotebook, chapterSources, collectMetrics, NOTEBOOKS_DIR, notebookPathFor } from './chapter-notebook';

const RESULTS_DIR = path.join(NOTEBOOKS_DIR, '..', 'bench', 'notebooks');

interface ChapterResult { seconds: number; metrics: Record<string, number | string>; measured: string }
type Results = { machine: Record<string, string | number>; chapters: Record<string, Record<string, ChapterResult>> };

function readResults(file: string): Results {
  const empty: Results = { machine: {}, chapters: {} };
  if (!fs.existsSync(file)) return empty;
  return { ...empty, ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Results>) };
}

function resultsMarkdown(r: Results): string {
  return [
    '# Curriculum run times and results',
    '',
    resultsTable(r),
  ].join('\n');
}

function resultsTable(r: Results): string {
  const lines = [
    `Measured by \`npm run notebooks\` (notebooks/tools/refresh.ts) on ${r.machine.cpus} × ${r.machine.cpu}, Node ${r.machine.node}.`,
    'Each time is one full top-to-bottom run of the chapter on the tsdl kernel; the results are the',
    "numbers the chapter itself reports with `tsdl.report(...)` in that run. '–': not run on this machine",
    '(`full` is meant for a GPU).',
    '',
    '| chapter | ' + BUDGETS.map((b) => `${b} (s)`).join(' | ') + ' | results (default budget) |',
    '|---|' + BUDGETS.map(() => '---:|').join('') + '---|',
  ];
  for (const [name, runs] of Object.entries(r.chapters).sort()) {
    const times = BUDGETS.map((b) => (runs[b] ? runs[b].seconds.toFixed(0) : '–'));
    const m = runs.default?.metrics ?? {};
    const shown = Object.entries(m).map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`).join('; ');
    lines.push(`| ${name} | ${times.join(' | ')} | ${shown || '–'} |`);
  }
  return lines.join('\n') + '\n';
}

const START = '<!-- results:start (written by npm run notebooks) -->';
const END = '<!-- results:end -->';

/** Replaces the measured table between the markers in notebooks/README.md, if they are there. */
function quoteInReadme(file: string, table: string): void {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  fs.writeFileSync(file, text.slice(0, a + START.length) + '\n' + table + text.slice(b));
}

async function main(argv: string[]): Promise<number> {
  let budget = 'default';
  let write = true;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--budget') budget = argv[++i] ?? '';
    else if (argv[i] === '--no-write') write = false;
    else only.push(argv[i]);
  }
  if (!(BUDGETS as readonly string[]).includes(budget)) throw new Error(`--budget must be one of ${BUDGETS.join(', ')}, not "${budget}"`);
  const sources = chapterSources(only);
  if (sources.length === 0) throw new Error(`No chapter source matches ${only.join(', ')} in notebooks/source/`);
  const resultsFile = path.join(RESULTS_DIR, 'results.json');
  let failed = 0;
  for (const source of sources) {
    const name = path.basename(source, '.md');
    const nb = buildNotebook(fs.readFileSync(source, 'utf8'), source);
    const started = Date.now();
    const { notebook, errors } = await runNotebook(nb, {
      cwd: NOTEBOOKS_DIR,
      env: { ...process.env, TSDL_BUDGET: budget },
      onCell: (i, total) => process.stderr.write(`\r${name} [${budget}]: cell ${i + 1}/${total}   `),
    });
    const seconds = (Date.now() - started) / 1000;
    if (errors.length) {
      const failedCopy = path.join(os.tmpdir(), `${name}.${budget}.failed.ipynb`);
      writeNotebook(failedCopy, notebook);
      process.stderr.write(`\r${name} [${budget}]: FAILED after ${seconds.toFixed(0)} s (nothing stored; run saved in ${failedCopy})\n`);
      for (const e of errors) process.stderr.write(`  cell ${e.cell}: ${e.ename}: ${e.evalue}\n`);
      failed++;
      continue;
    }
    (notebook.metadata.tsdl as Record<string, unknown>).budget = budget;
    if (budget === 'default' && write) writeNotebook(notebookPathFor(source), notebook);
    const metrics = collectMetrics(notebook);
    process.stderr.write(`\r${name} [${budget}]: ok in ${seconds.toFixed(1)} s ${JSON.stringify(metrics)}\n`);
    if (write) {
      // Re-read just before writing: another refresh may have finished a chapter meanwhile.
      const results = readResults(resultsFile);
      results.chapters[name] = { ...results.chapters[name], [budget]: { seconds: Math.round(seconds * 10) / 10, metrics, measured: new Date().toISOString().slice(0, 10) } };
      results.machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.versions.node };
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      fs.writeFileSync(resultsFile, JSON.stringify(results, null, 1) + '\n');
      fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), resultsMarkdown(results));
      quoteInReadme(path.join(NOTEBOOKS_DIR, 'README.md'), resultsTable(results));
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  });
}
