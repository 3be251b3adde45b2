// Grading benchmark: the same batch of submissions graded by `tsdl grade autograde` and by
// nbgrader's `autograde` running the tsdl kernel, one after the other in one run. Reports
// submissions per minute and the peak memory (RSS summed over the grader's whole process tree,
// kernels included, sampled every 100 ms) of each, and whether both gave the same scores.
//
//   node bench/grader/run.js                 (100 submissions; tens of minutes on two cores)
//   node bench/grader/run.js --count 8 --out /tmp/x      (a quick check of the script)
//   node bench/grader/run.js --table         (results.md again from results.json, nothing run)
//
// The batch, built from the fixture assignment (grader/src/__fixtures__/ps1): correct,
// partly correct, broken (syntax error, type error, runtime error, untouched) and hostile (an
// endless loop, process.exit, an output flood, running out of memory, writes outside the folder,
// an import that fails) submissions, in fixed proportions. Both graders get the same per-cell
// time limit (--cell-timeout, default 10 s). Needs `npm run build`, the .venv with nbgrader, and
// the tsdl kernelspec installed into it (the script installs it).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const here = __dirname;
const repo = path.resolve(here, '..', '..');
const venvBin = path.join(repo, '.venv', 'bin');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const COUNT = Number(flag('--count', '100'));
const CELL_TIMEOUT = Number(flag('--cell-timeout', '10'));
const OUT = flag('--out', here);
const JOBS = flag('--jobs', undefined);
const EXTRA = flag('--tsdl-args', '').split(' ').filter(Boolean);
/** The same heap limit for every kernel: tsdl grade's default, and through the kernel's environment for nbgrader's. */
const MEMORY_MB = Number(flag('--memory', '2048'));

/** The kinds of submission, and how many of every hundred. */
const MIX = [
  ['correct', 35], ['partial', 20],
  ['syntax-error', 8], ['type-error', 8], ['runtime-error', 7], ['untouched', 7],
  ['endless-loop', 3], ['process-exit', 3], ['output-flood', 3], ['out-of-memory', 2], ['escapes-folder', 2], ['import-fails', 2],
];

const RELU = 'function relu(x: number): number {\n  return x > 0 ? x : 0;\n}';
const MEAN = 'function mean(xs: number[]): number {\n  let total = 0;\n  for (const x of xs) total += x;\n  return total / xs.length;\n}';
const answersFor = (kind, i) => {
  const tag = `// learner ${i}\n`;
  const base = { relu: tag + RELU, mean: tag + MEAN, why_relu: `Learner ${i}: its gradient does not vanish for x > 0.` };
  switch (kind) {
    case 'partial': return { ...base, mean: tag + 'function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / 3;\n}' };
    case 'syntax-error': return { ...base, relu: tag + 'function relu(x: number): number {\n  return Math.max(0, x +);\n}' };
    case 'type-error': return { ...base, relu: tag + 'function relu(x: number): number {\n  const s: string = x;\n  return x;\n}' };
    case 'runtime-error': return { ...base, mean: tag + 'function mean(xs: number[]): number {\n  return (xs as any).total.length;\n}' };
    case 'untouched': return {};
    case 'endless-loop': return { ...base, relu: tag + 'function relu(x: number): number {\n  while (true) {}\n}' };
    default: return base;
  }
};
const EXTRA_CELL = {
  'process-exit': 'process.exit(1);',
  'output-flood': 'for (let i = 0; i < 200000; i++) console.log("flood line " + i);',
  'out-of-memory': 'const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e6).fill(1));',
  'escapes-folder': 'import * as fs from "node:fs";\nfs.writeFileSync("../../escaped.txt", "x");',
  'import-fails': 'import { nothing } from "no-such-package-anywhere";',
};

function buildSubmissions(released, dir) {
  const kinds = [];
  for (const [kind, per100] of MIX) for (let n = 0; n < Math.round((per100 * COUNT) / 100); n++) kinds.push(kind);
  while (kinds.length < COUNT) kinds.push('correct');
  kinds.length = COUNT;
  // Interleave kinds, so that neither grader meets all the slow ones at the end.
  const order = kinds.map((k, i) => [((i * 37) % COUNT), k]).sort((a, b) => a[0] - b[0]).map(([, k]) => k);
  const students = [];
  order.forEach((kind, i) => {
    const nb = JSON.parse(JSON.stringify(released));
    const answers = answersFor(kind, i);
    for (const cell of nb.cells) {
      const id = cell.metadata?.nbgrader?.grade_id;
      if (id && answers[id] !== undefined) cell.source = answers[id];
    }
    if (EXTRA_CELL[kind]) nb.cells.splice(2, 0, { cell_type: 'code', execution_count: null, id: `extra-${i}`, metadata: {}, outputs: [], source: EXTRA_CELL[kind] });
    const student = `s${String(i).padStart(3, '0')}-${kind}`;
    const folder = path.join(dir, 'submitted', student, 'ps1');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'ps1.ipynb'), JSON.stringify(nb, null, 1) + '\n');
    students.push({ student, kind });
  });
  return students;
}

/** RSS of a process and all its descendants, in bytes, from /proc. */
function treeRss(rootPid) {
  const children = new Map();
  const rss = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      rss.set(Number(entry), Number(fields[21]) * 4096);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while being read
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Run a command to the end, sampling its process tree's memory; wall time and peak RSS. */
function measured(cmd, cmdArgs, opts) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const loadBefore = os.loadavg()[0];
    const child = spawn(cmd, cmdArgs, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-20000)));
    const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid))), 100);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, loadAverage: [loadBefore, os.loadavg()[0]].map((x) => Math.round(x * 10) / 10), seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRssMiB: Math.round(peak / 1048576), stdout: out, stderrTail: err.split('\n').slice(-8).join('\n') });
    });
  });
}

function table(r) {
  const rows = [
    ['Submissions graded', r.tsdl.graded, r.nbgrader.graded],
    ['Wall time', `${r.tsdl.seconds.toFixed(0)} s`, `${r.nbgrader.seconds.toFixed(0)} s`],
    ['Submissions per minute', r.tsdl.perMinute.toFixed(1), r.nbgrader.perMinute.toFixed(1)],
    ['Peak RSS of the process tree', `${r.tsdl.peakRssMiB} MiB`, `${r.nbgrader.peakRssMiB} MiB`],
  ];
  return [
    '# Grading benchmark',
    '',
    `Produced by \`bench/grader/run.js\` on ${r.date} — ${r.count} submissions of the fixture assignment (ps1: two autograded exercises, one written answer), graded by each tool in turn in one run.`,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGB} GB. Versions: tsdl ${r.versions.tsdl}, nbgrader ${r.versions.nbgrader}, node ${r.versions.node}.`,
    `Mix: ${MIX.map(([k, n]) => `${k} ${n}%`).join(', ')}. Per-cell time limit ${r.cellTimeout} s and kernel heap limit ${r.memoryMb} MB for both (nbgrader's kernels through TSDL_MEMORY_LIMIT_MB).`,
    `tsdl: \`${r.tsdl.command}\`. nbgrader: \`nbgrader autograde ps1\` with grader/nbgrader/nbgrader_config.py (one kernel at a time: nbgrader grades sequentially).`,
    '',
    '| | tsdl grade | nbgrader autograde | tsdl / nbgrader |',
    '|---|---|---|---|',
    ...rows.map(([label, a, b], i) => `| ${label} | ${a} | ${b} | ${i === 2 ? (r.tsdl.perMinute / r.nbgrader.perMinute).toFixed(2) : i === 3 ? (r.tsdl.peakRssMiB / r.nbgrader.peakRssMiB).toFixed(2) : ''} |`),
    '',
    `Load average (1 min) before and after each run, on a machine shared with other work: tsdl ${r.tsdl.loadAverage?.join(' → ')}, nbgrader ${r.nbgrader.loadAverage?.join(' → ')}.`,
    '',
    `Scores: ${r.agreement.same} of ${r.agreement.compared} submissions got the same per-cell scores from both${r.agreement.differ.length ? `; differing: ${r.agreement.differ.slice(0, 10).map((d) => `${d.student} (tsdl ${JSON.stringify(d.tsdl)}, nbgrader ${JSON.stringify(d.nbgrader)})`).join('; ')}` : ''}.`,
    '',
  ].join('\n');
}

async function main() {
  if (args.includes('--table')) {
    const r = JSON.parse(fs.readFileSync(path.join(here, 'results.json'), 'utf8'));
    fs.writeFileSync(path.join(here, 'results.md'), table(r));
    return;
  }
  const env = { ...process.env, PATH: `${venvBin}${path.delimiter}${process.env.PATH}` };
  execFileSync('node', [path.join(repo, 'bin', 'tsdl.js'), 'install', '--sys-prefix'], { cwd: repo, env, stdio: 'ignore' });
  const course = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-bench-grader-'));
  try {
    fs.mkdirSync(path.join(course, 'source', 'ps1'), { recursive: true });
    fs.copyFileSync(path.join(repo, 'grader', 'src', '__fixtures__', 'ps1', 'ps1.ipynb'), path.join(course, 'source', 'ps1', 'ps1.ipynb'));
    fs.writeFileSync(path.join(course, 'nbgrader_config.py'), fs.readFileSync(path.join(repo, 'grader', 'nbgrader', 'nbgrader_config.py'), 'utf8') + `\nc.Execute.timeout = ${CELL_TIMEOUT}\n`);
    execFileSync('nbgrader', ['generate_assignment', 'ps1', '--force'], { cwd: course, env, stdio: 'ignore' });
    const released = JSON.parse(fs.readFileSync(path.join(course, 'release', 'ps1', 'ps1.ipynb'), 'utf8'));
    const students = buildSubmissions(released, course);
    console.error(`${students.length} submissions in ${course}`);

    const tsdlArgs = [path.join(repo, 'bin', 'tsdl.js'), 'grade', 'autograde', '--source', path.join(course, 'source', 'ps1', 'ps1.ipynb'), '--out', path.join(course, 'tsdl-autograded'), '--cell-timeout', String(CELL_TIMEOUT), '--memory', String(MEMORY_MB), ...(JOBS ? ['--jobs', JOBS] : []), ...EXTRA, ...students.map((s) => path.join(course, 'submitted', s.student, 'ps1'))];
    console.error('tsdl grade autograde …');
    const tsdl = await measured('node', tsdlArgs, { cwd: course, env });
    console.error(`  ${tsdl.seconds.toFixed(0)} s, exit ${tsdl.code}`);
    console.error('nbgrader autograde …');
    const nbgrader = await measured('nbgrader', ['autograde', 'ps1', '--force'], { cwd: course, env: { ...env, TSDL_MEMORY_LIMIT_MB: String(MEMORY_MB) } });
    console.error(`  ${nbgrader.seconds.toFixed(0)} s, exit ${nbgrader.code}`);

    const ours = {};
    const reasons = {};
    for (const r of JSON.parse(fs.readFileSync(path.join(course, 'tsdl-autograded', 'results.json'), 'utf8'))) {
      ours[r.submission] = Object.fromEntries(r.cells.map((c) => [c.gradeId, c.status === 'graded-by-teacher' ? c.autoScore : c.score]));
      reasons[r.submission] = Object.fromEntries(r.cells.filter((c) => c.reason).map((c) => [c.gradeId, c.reason]));
    }
    const script = [
      'import json',
      'from nbgrader.api import Gradebook',
      'out = {}',
      'with Gradebook("sqlite:///gradebook.db") as gb:',
      '    for sub in gb.assignment_submissions("ps1"):',
      '        for nb in sub.notebooks:',
      '            out[sub.student.id] = {g.name: g.auto_score for g in nb.grades}',
      'print(json.dumps(out))',
    ].join('\n');
    const theirs = JSON.parse(execFileSync(path.join(venvBin, 'python'), ['-c', script], { cwd: course, env, encoding: 'utf8' }));
    const differ = [];
    let same = 0;
    for (const { student } of students) {
      const a = ours[student];
      const b = theirs[student];
      if (a && b && JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(a).sort())) same++;
      else differ.push({ student, tsdl: a ?? null, nbgrader: b ?? null, tsdlReasons: reasons[student] ?? null });
    }
    const version = (cmd, a) => { try { return execFileSync(cmd, a, { env, encoding: 'utf8' }).trim(); } catch { return 'unknown'; } };
    const commit = version('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']);
    const result = {
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      count: students.length,
      cellTimeout: CELL_TIMEOUT,
      memoryMb: MEMORY_MB,
      machine: { cpu: os.cpus()[0].model, cores: os.cpus().length, memGB: Math.round(os.totalmem() / 1e8) / 10 },
      versions: { tsdl: `${require(path.join(repo, 'package.json')).version} @ ${commit}`, nbgrader: version(path.join(venvBin, 'python'), ['-c', 'import nbgrader; print(nbgrader.__version__)']), node: process.version },
      // The machine is shared: its 1-minute load average before and after each grader's run.
      tsdl: { loadAverage: tsdl.loadAverage, command: `tsdl grade autograde --cell-timeout ${CELL_TIMEOUT}${JOBS ? ` --jobs ${JOBS}` : ''}${EXTRA.length ? ' ' + EXTRA.join(' ') : ''} (default --jobs: one per core)`, exit: tsdl.code, seconds: tsdl.seconds, peakRssMiB: tsdl.peakRssMiB, graded: Object.keys(ours).length, perMinute: (Object.keys(ours).length / tsdl.seconds) * 60, stderrTail: tsdl.stderrTail },
      nbgrader: { loadAverage: nbgrader.loadAverage, exit: nbgrader.code, seconds: nbgrader.seconds, peakRssMiB: nbgrader.peakRssMiB, graded: Object.keys(theirs).length, perMinute: (Object.keys(theirs).length / nbgrader.seconds) * 60, stderrTail: nbgrader.stderrTail.slice(-2000) },
      agreement: { compared: students.length, same, differ },
      kinds: Object.fromEntries(students.map((s) => [s.student, s.kind])),
    };
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(result, null, 2) + '\n');
    fs.writeFileSync(path.join(OUT, 'results.md'), table(result));
    process.stdout.write(table(result));
  } finally {
    if (!args.includes('--keep')) fs.rmSync(course, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
