// TypeScript 6's checker (what the kernel uses) against TypeScript 7's native one (the `typescript`
// package's 7.x, a Go program answering over its `typescript/unstable/sync` API), on the cells of
// bench/kernel/run.py. It measures the lead for the 100-line cell: is checking, in the other
// checker, fast enough to be worth building the kernel's compile step on?
//
//   npm run build && node bench/kernel/checkers.js [--out DIR]
//
// Checking only, in both: one cell file, replaced for each cell, in a program with the standard
// library, Node's types and the kernel's notebook globals, under the kernel's compiler options
// (kernel/src/compiler/options.ts). No emit, no declarations carried between cells: the kernel's
// whole compile step (check, JavaScript, declarations) is bench/kernel/compile.js. On top, for
// TypeScript 7, the types of every name a cell declares (what the kernel's declaration files need),
// written by its checker — for the 100-line cell as run.py sends it (every name annotated) and for
// one whose 98 constants are inferred.
//
// Each checker runs in a fresh process, three times; the table gives medians of those runs.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { longCell } = require('./cells');

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = 3;
const ONE_LINERS = 20;
const LONG_COLD = 5;
const LONG_WARM = 25;


/** The same, with the constants' types left to inference (as most notebook code is written). */
function inferredCell(tag) {
  return longCell(tag).replace(/: number = /g, ' = ');
}

/** A cell as the checker sees it in the kernel: a module (see CellCompiler.checkedText). */
const asModule = (source) => `${source}\n;export {};\n`;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** A notebook folder with the kernel's options as a tsconfig.json (TypeScript 7 reads only files). */
function notebookFolder(options) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-checkers-'));
  const ts = require('typescript');
  const tsconfig = {
    compilerOptions: {
      strict: true, target: ts.ScriptTarget[options.target].toLowerCase(), module: 'esnext', moduleResolution: 'bundler',
      lib: options.lib.map((l) => l.replace(/^lib\.|\.d\.ts$/g, '')), types: options.types, typeRoots: options.typeRoots,
      skipLibCheck: true, noEmit: true, esModuleInterop: true, resolveJsonModule: true, allowImportingTsExtensions: true,
    },
    files: [path.join(ROOT, 'dist/kernel/src/runtime/notebook-globals.d.ts'), path.join(dir, 'cell.ts')],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  fs.writeFileSync(path.join(dir, 'cell.ts'), 'export {};\n');
  return dir;
}

function kernelOptions() {
  const { loadCompilerOptions } = require(path.join(ROOT, 'dist/kernel/src/compiler/options.js'));
  return loadCompilerOptions(os.tmpdir(), path.join(ROOT, 'node_modules', '@types')).options;
}

/** Cells in the order run.py sends them, each checked; returns milliseconds. */
function measureCells(start, check, declare, checks = true) {
  const t0 = performance.now();
  start();
  const startup = performance.now() - t0;
  const time = (fn) => { const s = performance.now(); const r = fn(); return [performance.now() - s, r]; };
  const [first, firstErrors] = time(() => check('0'));
  if (firstErrors) throw new Error('the first cell did not type-check');
  const oneLiners = Array.from({ length: ONE_LINERS }, (_, i) => time(() => check(`${i + 2}+1`))[0]);
  const long = Array.from({ length: LONG_COLD + LONG_WARM }, (_, i) => {
    const [ms, errors] = time(() => check(longCell(`b${i}`)));
    if (errors) throw new Error(`a 100-line cell did not type-check: ${errors} errors`);
    return ms;
  });
  // A cell with an error must be reported (a checker that answered nothing would be fast too).
  const [, bad] = time(() => check('const n: number = "text";'));
  if (checks && bad !== 1) throw new Error(`expected 1 error in the bad cell, got ${bad}`);
  const result = { startup, first, oneLinerMedian: median(oneLiners), longCold: long.slice(0, LONG_COLD), longWarmMedian: median(long.slice(LONG_COLD)) };
  if (declare) {
    const annotated = Array.from({ length: 6 }, (_, i) => time(() => declare(longCell(`d${i}`)))[0]);
    const inferred = Array.from({ length: 6 }, (_, i) => time(() => declare(inferredCell(`i${i}`)))[0]);
    result.declareAnnotatedMedian = median(annotated);
    result.declareInferredMedian = median(inferred);
  }
  return result;
}

function typescript6() {
  const ts = require('typescript');
  const dir = notebookFolder(kernelOptions());
  const options = { ...kernelOptions(), noEmit: true };
  const cellFile = path.join(dir, 'cell.ts');
  let text = 'export {};\n';
  let version = 0;
  const files = [path.join(ROOT, 'dist/kernel/src/runtime/notebook-globals.d.ts'), cellFile];
  let service;
  const start = () => {
    service = ts.createLanguageService({
      getCompilationSettings: () => options,
      getScriptFileNames: () => files,
      getScriptVersion: (f) => (f === cellFile ? String(version) : '0'),
      getScriptSnapshot: (f) => {
        const content = f === cellFile ? text : ts.sys.readFile(f);
        return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
      },
      getCurrentDirectory: () => dir,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
    });
    service.getProgram().getSemanticDiagnostics(service.getProgram().getSourceFile(cellFile));
  };
  const check = (source) => {
    text = asModule(source);
    version++;
    const program = service.getProgram();
    const sf = program.getSourceFile(cellFile);
    return program.getSyntacticDiagnostics(sf).length + program.getSemanticDiagnostics(sf).length;
  };
  return { version: ts.version, ...measureCells(start, check) };
}

async function typescript7() {
  const { API } = await import('typescript-7/unstable/sync');
  const { SyntaxKind } = await import('typescript-7/unstable/ast');
  const dir = notebookFolder(kernelOptions());
  const config = path.join(dir, 'tsconfig.json');
  const cellFile = path.join(dir, 'cell.ts');
  const files = { [cellFile]: 'export {};\n' };
  let api;
  let snapshot;
  const start = () => {
    // The cell's text is handed over from memory, as the kernel's compiler would.
    api = new API({ cwd: dir, fs: { readFile: (f) => files[f], fileExists: (f) => (f in files ? true : undefined) } });
    snapshot = api.updateSnapshot({ openProjects: [config] });
    snapshot.getProject(config).program.getSemanticDiagnostics(cellFile);
  };
  const update = (source) => {
    files[cellFile] = asModule(source);
    snapshot = api.updateSnapshot({ fileChanges: { changed: [cellFile] } });
    return snapshot.getProject(config);
  };
  const check = (source) => {
    const { program } = update(source);
    return program.getSyntacticDiagnostics(cellFile).length + program.getSemanticDiagnostics(cellFile).length;
  };
  /** Check, then the type of every declared name as text: what a declaration file for later cells needs. */
  const declare = (source) => {
    const project = update(source);
    if (project.program.getSemanticDiagnostics(cellFile).length) throw new Error('the declaration cell did not type-check');
    const names = [];
    for (const st of project.program.getSourceFile(cellFile).statements) {
      if (st.kind === SyntaxKind.VariableStatement) for (const d of st.declarationList.declarations) names.push(d.name);
      else if (st.kind === SyntaxKind.FunctionDeclaration && st.name) names.push(st.name);
    }
    const types = project.checker.getTypeAtLocation(names);
    const texts = types.map((type, i) => project.checker.typeToString(type, names[i].parent));
    if (texts.length !== 99 || texts[0] !== 'number' || texts[98] !== '(xs: number[]) => number') {
      throw new Error(`unexpected declared types: ${texts.length} names, ${texts[0]} … ${texts[98]}`);
    }
    return texts;
  };
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/typescript-7/package.json'), 'utf8')).version;
  try {
    return { version, ...measureCells(start, check, declare) };
  } finally {
    api?.close();
  }
}

/**
 * The kernel's whole compile step on TypeScript 6 (check, JavaScript, declarations, committed as
 * the kernel does), with checking on or off: what is left once checking costs nothing.
 */
function compileStep(typecheck) {
  const { CellCompiler } = require(path.join(ROOT, 'dist/kernel/src/compiler/cell-compiler.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-checkers-'));
  let compiler;
  let index = 0;
  const start = () => {
    compiler = new CellCompiler({
      notebookDir: dir, kernelRoot: ROOT, moduleAliases: {}, typecheck,
      globalDeclarationFiles: [path.join(ROOT, 'dist/kernel/src/runtime/notebook-globals.d.ts')],
    });
    compiler.compile('export {};', -1);
  };
  const check = (source) => {
    const cell = compiler.compile(source, index);
    if (cell.ok) compiler.commit(cell, index++);
    return cell.diagnostics.filter((d) => d.category === 'error').length;
  };
  return { version: require('typescript').version, ...measureCells(start, check, undefined, typecheck !== 'off') };
}

/**
 * What JavaScript from a native transpiler costs: SWC (the dev dependency jest uses) stripping the
 * types of the same cells, wrapped as the kernel wraps them, with a source map. Only the types
 * are stripped: the kernel's notebook transforms (transformers.ts) are not applied.
 */
function swcStrip() {
  const swc = require('@swc/core');
  const options = { filename: 'cell.ts', isModule: false, sourceMaps: true, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } };
  const time = (source) => {
    const s = performance.now();
    const out = swc.transformSync(`(async () => {${source}\n})()`, options);
    if (!out.code.includes('async') || out.code.includes(': number') || !out.map) throw new Error(`SWC gave no code, kept a type or made no source map: ${out.code.slice(0, 200)}`);
    return performance.now() - s;
  };
  const first = time('0');
  const long = Array.from({ length: LONG_COLD + LONG_WARM }, (_, i) => time(longCell(`s${i}`)));
  return { version: require('@swc/core/package.json').version, first, longCold: long.slice(0, LONG_COLD), longWarmMedian: median(long.slice(LONG_COLD)) };
}

function medianRuns(runs) {
  const pick = (f) => median(runs.map(f));
  const out = {
    version: runs[0].version,
    startup: pick((r) => r.startup), first: pick((r) => r.first), oneLinerMedian: pick((r) => r.oneLinerMedian),
    longCold: runs[0].longCold.map((_, i) => pick((r) => r.longCold[i])), longColdMedian: pick((r) => median(r.longCold)),
    longWarmMedian: pick((r) => r.longWarmMedian),
  };
  if (runs[0].declareAnnotatedMedian !== undefined) {
    out.declareAnnotatedMedian = pick((r) => r.declareAnnotatedMedian);
    out.declareInferredMedian = pick((r) => r.declareInferredMedian);
  }
  return out;
}

async function main() {
  if (process.argv[2] === '--child') {
    const which = process.argv[3];
    const result = which === '7' ? await typescript7() : which === '6' ? typescript6() : which === 'swc' ? swcStrip() : compileStep(which);
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const outArg = process.argv.indexOf('--out');
  const out = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : __dirname;
  const run = (which) => JSON.parse(execFileSync(process.execPath, [__filename, '--child', which], { encoding: 'utf8' }));
  const raw = { ts6: [], ts7: [], compile: [], compileUnchecked: [], swc: [] };
  for (let i = 0; i < RUNS; i++) {
    raw.ts6.push(run('6'));
    raw.ts7.push(run('7'));
    raw.compile.push(run('error'));
    raw.compileUnchecked.push(run('off'));
    raw.swc.push(run('swc'));
  }
  const results = {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
    ts6: medianRuns(raw.ts6), ts7: medianRuns(raw.ts7),
    compile: medianRuns(raw.compile), compileUnchecked: medianRuns(raw.compileUnchecked),
    swc: {
      version: raw.swc[0].version, first: median(raw.swc.map((r) => r.first)),
      longColdMedian: median(raw.swc.map((r) => median(r.longCold))), longWarmMedian: median(raw.swc.map((r) => r.longWarmMedian)),
    },
    raw,
  };
  const f = (x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
  const { ts6: a, ts7: b, compile: c, compileUnchecked: u, swc: w } = results;
  const md = [
    '# Type checkers: TypeScript 6 (the kernel\'s) and TypeScript 7 (native)',
    '',
    `Produced by \`node bench/kernel/checkers.js\` on ${results.date}: Node ${results.node}, ${results.cpu} (${results.cores} cores);`,
    `median of ${RUNS} fresh processes for each. Checking only: each cell replaces one cell file, in a program with the standard`,
    'library, Node\'s types and the notebook globals, under the kernel\'s options; no JavaScript or declarations are emitted (the',
    'kernel\'s whole compile step is compile-results.md). TypeScript 7 runs as a separate Go process reached through its',
    '`typescript/unstable/sync` API; its times include that round trip.',
    '',
    `| | TypeScript ${a.version} | TypeScript ${b.version} |`,
    '|---|---|---|',
    `| start-up: standard library and Node's types loaded and checked | ${f(a.startup)} | ${f(b.startup)} |`,
    `| first cell (\`0\`) | ${f(a.first)} | ${f(b.first)} |`,
    `| one-liners that differ (median of ${ONE_LINERS}) | ${f(a.oneLinerMedian)} | ${f(b.oneLinerMedian)} |`,
    `| 100-line cells, first ${LONG_COLD} | ${a.longCold.map(f).join(', ')} | ${b.longCold.map(f).join(', ')} |`,
    `| 100-line cells, first ${LONG_COLD} (median) | ${f(a.longColdMedian)} | ${f(b.longColdMedian)} |`,
    `| 100-line cells, next ${LONG_WARM} (median) | ${f(a.longWarmMedian)} | ${f(b.longWarmMedian)} |`,
    `| check + the 99 declared names' types as text, names annotated (median of 6) | | ${f(b.declareAnnotatedMedian)} |`,
    `| the same, the 98 constants' types inferred (median of 6) | | ${f(b.declareInferredMedian)} |`,
    '',
    'The kernel\'s whole compile step on TypeScript 6 (CellCompiler: check, JavaScript, declarations, each cell committed),',
    'as it is and with checking switched off (`typecheck: "off"`, which still emits JavaScript and declarations):',
    '',
    '| | compile step | the same, checking off |',
    '|---|---|---|',
    `| 100-line cells, first ${LONG_COLD} (median) | ${f(c.longColdMedian)} | ${f(u.longColdMedian)} |`,
    `| 100-line cells, next ${LONG_WARM} (median) | ${f(c.longWarmMedian)} | ${f(u.longWarmMedian)} |`,
    '',
    `JavaScript without TypeScript: SWC ${w.version} (\`@swc/core\`, native) stripping the types of the same cells in a fresh`,
    'process, wrapped as the kernel wraps a cell, with a source map; the notebook transforms are not applied:',
    `first call ${f(w.first)}; 100-line cells, first ${LONG_COLD} (median) ${f(w.longColdMedian)}, next ${LONG_WARM} (median) ${f(w.longWarmMedian)}.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'checkers-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'checkers-results.md'), md);
  process.stdout.write(md);
}

main().catch((e) => { console.error(e); process.exit(1); });
