/**
 * The compile step on its own: cells in, JavaScript and diagnostics out, no sockets or processes.
 * Compiled cells run in this process (as the runtime would) to prove notebook semantics.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createModuleLoader } from '../runtime/module-loader';
import { complete, inspect, isComplete } from './assist';
import { CellCompiler } from './cell-compiler';

const repoRoot = path.resolve(__dirname, '../../..');
let dir: string;
let compiler: CellCompiler;
let count = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-compiler-'));
  // Jest runs tests in a vm context; compiled cells run in the real global, like in the runtime.
  (vm.runInThisContext('globalThis') as Record<string, unknown>).__tsdl = createModuleLoader(dir, repoRoot, {});
});

/** Set by cell-compiler-native.test.ts, which runs this whole suite again on TypeScript 7's checker. */
const native = process.env.TSDL_TEST_NATIVE_CHECKER === '1';

beforeEach(() => {
  compiler = new CellCompiler({
    notebookDir: dir, kernelRoot: repoRoot,
    globalDeclarationFiles: [path.join(repoRoot, 'kernel/src/runtime/notebook-globals.ts')],
  });
  if (native && !compiler.startNative()) throw new Error('TypeScript 7 did not start (npm install installs typescript-7)');
});

afterEach(() => compiler.close());

/** Compile and run a cell as the kernel does; returns its value, or throws with the diagnostics. */
async function run(source: string): Promise<unknown> {
  const index = count++;
  const cell = compiler.compile(source, index);
  if (!cell.ok) throw new Error(cell.diagnostics.map((d) => `${d.line}:${d.column} TS${d.code} ${d.message}`).join('\n'));
  const value = await (new vm.Script(cell.js, { filename: `In[${index}]` }).runInThisContext() as Promise<unknown>);
  compiler.commit(cell, index);
  return value;
}

test('state carries across cells and the last expression is the result', async () => {
  await run('const a = 40;');
  await run('let b = 1; function add(x: number, y: number) { return x + y; }');
  expect(await run('add(a, b) + 1')).toBe(42);
});

test('re-running a cell that declares const, function and class works', async () => {
  for (let i = 0; i < 2; i++) {
    await run('const k = 1; function f() { return k; } class C { v = 2 }');
  }
  expect(await run('f() + new C().v')).toBe(3);
});

test('a later cell may redeclare a const with another type', async () => {
  await run('const x = 1;');
  await run('const x = "now a string";');
  expect(await run('x.toUpperCase()')).toBe('NOW A STRING');
});

test('a cell re-run unchanged is checked against what is declared now', async () => {
  await run('let value: number = 2;');
  const cell = 'value.toFixed(1)';
  expect(await run(cell)).toBe('2.0');
  expect(await run(cell)).toBe('2.0');
  // The runtime restarted: nothing is declared, and the same text must now fail to check.
  compiler.reset();
  await expect(run(cell)).rejects.toThrow(/Cannot find name 'value'/);
});

test('an import in a cell run twice is visible to later cells both times', async () => {
  const cell = 'import * as p from "node:path";';
  await run(cell);
  await run(cell);
  expect(await run('p.basename("/a/b.txt")')).toBe('b.txt');
});

test('let variables from earlier cells can be reassigned, const ones cannot', async () => {
  await run('let counter = 0; const fixed = 1;');
  await run('counter += 5;');
  expect(await run('counter')).toBe(5);
  await expect(run('fixed = 2;')).rejects.toThrow(/TS2588.*constant/);
});

test('top-level await works', async () => {
  expect(await run('const v = await Promise.resolve(7); v * 2')).toBe(14);
});

test('type errors are reported at the cell line and column and stop the cell', async () => {
  const cell = compiler.compile('const ok = 1;\nconst n: number = "text";', count++);
  expect(cell.ok).toBe(false);
  expect(cell.diagnostics[0]).toMatchObject({ category: 'error', code: 2322, line: 2, column: 7 });
  expect(cell.diagnostics[0].lineText).toBe('const n: number = "text";');
});

test('types from earlier cells are known: interfaces, inferred types, functions', async () => {
  await run('interface Point { x: number; y: number }\nconst origin: Point = { x: 0, y: 0 };');
  await run('function norm(p: Point) { return Math.hypot(p.x, p.y); }');
  const bad = compiler.compile('norm({ x: 1 })', count++);
  expect(bad.ok).toBe(false);
  expect(bad.diagnostics[0].message).toMatch(/y/);
  expect(await run('norm({ x: 3, y: 4 })')).toBe(5);
});

test('@ts-ignore and @ts-nocheck are the ways through a type error', async () => {
  expect(await run('// @ts-ignore\nconst s: number = "still runs"; s')).toBe('still runs');
  expect(await run('// @ts-nocheck\nconst t: number = "runs too"; t')).toBe('runs too');
});

test('Node globals and modules work with their types', async () => {
  expect(await run('import * as os from "node:os";\ntypeof os.cpus().length')).toBe('number');
  expect(await run('import path from "path";\npath.join("a", "b")')).toBe(path.join('a', 'b'));
  expect(await run('os.platform() === process.platform')).toBe(true);
});

test('an import is visible in later cells as value, namespace and type', async () => {
  await run('import { EventEmitter } from "node:events";');
  expect(await run('const e: EventEmitter = new EventEmitter(); e instanceof EventEmitter')).toBe(true);
});

test('destructuring, enums and namespaces declare globals', async () => {
  await run('const { p, q: [r] } = { p: 1, q: [2] };\nenum Color { Red, Green }\nnamespace NS { export const z = 3; }');
  expect(await run('p + r + Color.Green + NS.z')).toBe(7);
});

test('relative imports of local .ts files work', async () => {
  fs.writeFileSync(path.join(dir, 'helper.ts'), 'export function twice(n: number): number { return 2 * n; }\n');
  expect(await run('import { twice } from "./helper";\ntwice(21)')).toBe(42);
});

test('ESM-only packages import like CommonJS ones', async () => {
  const pkg = path.join(dir, 'node_modules', 'esm-only');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'esm-only', type: 'module', exports: { import: './index.js', types: './index.d.ts' } }));
  fs.writeFileSync(path.join(pkg, 'index.js'), 'await Promise.resolve();\nexport const answer = 42;\nexport default "dflt";\n');
  fs.writeFileSync(path.join(pkg, 'index.d.ts'), 'export declare const answer: number;\ndeclare const d: string;\nexport default d;\n');
  expect(await run('import dflt, { answer } from "esm-only";\n`${dflt}:${answer}`')).toBe('dflt:42');
});

test('completion offers members of imported packages and earlier declarations', async () => {
  await run('const myLongName = 1;');
  const r = complete(compiler, 'myLo', 4);
  expect(r.matches).toContain('myLongName');
  expect(r.cursor_start).toBe(0);
  const m = complete(compiler, 'Math.ab', 7);
  expect(m.matches[0]).toBe('abs');
  expect(m.cursor_start).toBe(5);
});

test('inspection shows a signature and its documentation', async () => {
  await run('/** Adds one. */\nfunction inc(n: number): number { return n + 1; }');
  const r = inspect(compiler, 'inc', 3, 0);
  expect(r.found).toBe(true);
  expect(r.data['text/plain']).toContain('function inc(n: number): number');
  expect(r.data['text/plain']).toContain('Adds one.');
});

test('is_complete tells unfinished code from finished and invalid code', () => {
  expect(isComplete('const a = 1;').status).toBe('complete');
  expect(isComplete('function f() {').status).toBe('incomplete');
  expect(isComplete('const s = `abc').status).toBe('incomplete');
  expect(isComplete('const = = 2;').status).toBe('invalid');
});

test('typecheck "warn" runs a cell with type errors and reports them as warnings', async () => {
  const lenient = new CellCompiler({ notebookDir: dir, kernelRoot: repoRoot, typecheck: 'warn' });
  const cell = lenient.compile('const w: number = "runs";\nw', count++);
  expect(cell.ok).toBe(true);
  expect(cell.diagnostics[0]).toMatchObject({ category: 'warning', code: 2322, line: 1 });
});

test('a type that declaration emit cannot write stops the cell like a type error ("warn" runs it)', () => {
  // TS4094: later cells would see C through declaration emit, which cannot describe a private member.
  const source = 'const C = class { private secret = 1 };\nC';
  const strict = compiler.compile(source, count++);
  expect(strict.ok).toBe(false);
  expect(strict.diagnostics[0]).toMatchObject({ category: 'error', code: 4094, line: 1 });
  const lenient = new CellCompiler({ notebookDir: dir, kernelRoot: repoRoot, typecheck: 'warn' });
  const cell = lenient.compile(source, count++);
  expect(cell.ok).toBe(true);
  expect(cell.diagnostics[0]).toMatchObject({ category: 'warning', code: 4094 });
});

test('many declaring cells, with redeclarations freeing and reusing declaration files, all stay visible', async () => {
  for (let i = 0; i < 40; i++) await run(`const many${i} = ${i};`);
  // Each of these empties an earlier cell's declarations, whose file a later cell then takes over.
  for (let i = 0; i < 40; i += 3) await run(`const many${i} = "s${i}";`);
  for (let i = 40; i < 45; i++) await run(`const many${i} = ${i};`);
  expect(await run('[many0.length, many1 + many44, many39.toUpperCase()]')).toEqual([2, 45, 'S39']);
});

/** For what only TypeScript 6's path does: in the TypeScript 7 rerun such cells take the native path, where the test could not fail. */
const typescript6Only = native ? test.skip : test;

typescript6Only('cells that need nothing new are checked beside the program: no new program per cell', async () => {
  await run('const base = 2;');
  const program = compiler.languageService.getProgram();
  for (let i = 0; i < 5; i++) expect(await run(`base * ${i}`)).toBe(2 * i);
  // Type errors, @ts-ignore and line positions are as for any cell.
  expect(() => compiler.compile('1;\nbase.toUpperCase()', count++)).not.toThrow();
  expect(compiler.compile('1;\nbase.toUpperCase()', count++).diagnostics[0]).toMatchObject({ code: 2339, line: 2, column: 6 });
  expect(await run('// @ts-ignore\nbase.missing ?? "ignored"')).toBe('ignored');
  expect(compiler.languageService.getProgram()).toBe(program);
});

test('a cell checked beside the program declares names for later cells, also redeclaring them', async () => {
  await run('const beside = 1;');
  await run('interface Shape { sides: number }\nconst square: Shape = { sides: 4 };');
  await run('const beside = "text";');
  expect(await run('`${beside} ${square.sides}`')).toBe('text 4');
});

test('a global declared by one cell reaches later cells, and one only compiled reaches none', async () => {
  // `declare global` needs the program: such a cell goes into it, and must not leak when not run.
  expect(compiler.compile('declare global { var neverRun: number }\n1', count++).ok).toBe(true);
  expect(compiler.compile('neverRun', count++).diagnostics[0]).toMatchObject({ code: 2304 });
  await run('declare global { var shared: number }\nglobalThis.shared = 7;');
  expect(await run('shared + 1')).toBe(8);
});

// TypeScript 6's own machinery: on the native path cells are not checked beside its program.
(native ? test.skip : test)('after many cells beside one program the checker is renewed and cells still check', async () => {
  await run('const renew = 1;');
  const program = compiler.languageService.getProgram();
  for (let i = 0; i < 105; i++) compiler.compile(`renew + ${i}`, count++);
  expect(compiler.languageService.getProgram()).not.toBe(program);
  expect(await run('renew + 1')).toBe(2);
  expect(compiler.compile('renew.toUpperCase()', count++).ok).toBe(false);
});

test('cells run back to back take earlier cells\' declarations along instead of a new program each', async () => {
  await run('const first = 1;');
  const newPrograms = jest.spyOn(compiler.languageService, 'getProgram');
  // Every kind of declaration, with documentation, as later cells must see it.
  await run('/** A documented value. */\nconst second: number = first + 1;\nfunction twice(x: number) { return 2 * x; }');
  await run('interface Box { size: number }\nclass Crate { constructor(public box: Box) {} }\nenum Mode { A, B }\ntype Id = string;');
  await run('const first = "redeclared";');
  const value = await run('const id: Id = first;\nnew Crate({ size: twice(second) }).box.size + Mode.B + id.length');
  expect(value).toBe(4 + 1 + 'redeclared'.length);
  expect(compiler.compile('first.toFixed()', count++).diagnostics[0]).toMatchObject({ code: 2551 });
  // None of the earlier cells' declarations became this cell's own: later cells see one of each.
  await run('const third = second + 1;');
  expect(await run('[third, twice(third), first]')).toEqual([3, 6, 'redeclared']);
  // All checked beside the first cell's program: no new program (a few ms each) per cell. (On the
  // native path the class and enum cell is TypeScript 6's, whose program it then makes.)
  if (!native) expect(newPrograms).not.toHaveBeenCalled();
});

test('a cell beside the program whose declarations name a type from a module compiles there', async () => {
  await run('const before = 1;');
  const newPrograms = jest.spyOn(compiler.languageService, 'getProgram');
  // Declaration emit must write `import("…/display").DisplayHandle` for this, from a cell beside the program.
  await run('const makeHandle = () => newDisplay();');
  expect(newPrograms).not.toHaveBeenCalled();
  expect(await run('typeof makeHandle')).toBe('function');
});

test('a value typed by an imported package keeps that type in later cells', () => {
  // Compiled and committed without running (no TensorFlow.js loaded): later cells need the type as
  // the cell names it (`tf.Sequential`), or `layer` below is implicitly `any`, a type error.
  for (const source of ['import * as tf from "@tensorflow/tfjs";', 'const model = tf.sequential();\nconst points = [{ x: 1, label: "a" }];']) {
    const cell = compiler.compile(source, count);
    expect(cell.diagnostics).toEqual([]);
    compiler.commit(cell, count++);
  }
  const later = compiler.compile('model.layers.map((layer) => layer.name);\npoints[0].label.toUpperCase()', count++);
  expect(later.diagnostics).toEqual([]);
});

describe('imported names keep their types in later cells', () => {
  /** The diagnostics of a cell that must not check, as one string. */
  const rejected = (source: string): string => {
    const cell = compiler.compile(source, count++);
    expect(cell.ok).toBe(false);
    return cell.diagnostics.map((d) => `TS${d.code} ${d.message}`).join('\n');
  };

  test('a named import from a Node module', async () => {
    await run('import { readFileSync } from "node:fs";');
    expect(rejected('const z: number = readFileSync("/etc/hostname", "utf8");')).toMatch(/TS2322 Type 'string' is not assignable to type 'number'/);
  });

  test('a named import from a local module, and its interface', async () => {
    fs.writeFileSync(path.join(dir, 'geometry.ts'), 'export interface Pt { x: number }\nexport function len(p: Pt): number { return p.x; }\n');
    await run('import { len, Pt } from "./geometry";');
    expect(rejected('const s: string = len({ x: 1 });')).toMatch(/TS2322/);
    expect(rejected('const p: Pt = { y: 1 };')).toMatch(/TS2353|TS2741/);
  });

  test('a default import of an ES-only package', async () => {
    const pkg = path.join(dir, 'node_modules', 'esm-default-object');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'esm-default-object', type: 'module', exports: { '.': { types: './index.d.ts', import: './index.js' } } }));
    fs.writeFileSync(path.join(pkg, 'index.js'), 'export default { shout: (s) => s.toUpperCase() };\n');
    fs.writeFileSync(path.join(pkg, 'index.d.ts'), 'declare const lib: { shout(s: string): string };\nexport default lib;\n');
    await run('import lib from "esm-default-object";');
    expect(rejected('const n: number = lib.shout("a");')).toMatch(/TS2322/);
    expect(await run('lib.shout("hi")')).toBe('HI');
    expect(complete(compiler, 'lib.sh', 6).matches).toContain('shout');
  });

  test('a class, a generic interface and a type-only import keep every meaning', async () => {
    fs.writeFileSync(path.join(dir, 'shapes.ts'), 'export class Box<T> { constructor(public value: T) {} }\nexport interface Pair<A, B> { a: A; b: B }\n');
    await run('import { Box } from "./shapes";\nimport type { Pair } from "./shapes";');
    expect(await run('const box: Box<number> = new Box(3);\nconst pair: Pair<string, number> = { a: "x", b: box.value };\npair.b')).toBe(3);
    expect(rejected('const bad: Box<string> = new Box(3);')).toMatch(/TS2322/);
    expect(rejected('const p2: Pair<string, number> = { a: 1, b: 2 };')).toMatch(/TS2322/);
  });
});
