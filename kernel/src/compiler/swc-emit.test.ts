/**
 * The JavaScript path without TypeScript's emitter (swc-emit.ts). Its run-time semantics are
 * proved by the whole compile-step suite on the native path (cell-compiler-native.test.ts); here,
 * what that suite does not look at: exact positions for tracebacks, and what it leaves to
 * TypeScript's emitter.
 */
import * as vm from 'node:vm';
import ts from 'typescript';
import { decodeMappings, originalPosition } from '../runtime/source-map';
import { analyzeCell } from './cell-analysis';
import { emitCellJs } from './swc-emit';

function emit(source: string): { js: string; sourceMap: string } | undefined {
  const sf = ts.createSourceFile('/nb/__tsdl_cell__.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return emitCellJs(source, sf, analyzeCell(sf), '/nb/__tsdl_cell__.ts');
}

/** Where `token` (its `nth` occurrence) in the JavaScript comes from in the cell, 1-based. */
function origin(out: { js: string; sourceMap: string }, token: string, nth = 0): { line: number; column: number } | undefined {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = out.js.indexOf(token, at + 1);
  const before = out.js.slice(0, at).split('\n');
  const map = decodeMappings((JSON.parse(out.sourceMap) as { mappings: string }).mappings);
  return originalPosition(map, before.length, before[before.length - 1].length + 1);
}

test('a position in the JavaScript maps back to the line and column the user wrote, on rewritten lines too', () => {
  const source = 'const a: number = 1;\nconst b: string = missing.name;\n  a + b.length';
  const out = emit(source)!;
  expect(out.js).toContain('globalThis.b = missing.name');
  expect(out.js).not.toContain(': string');
  expect(origin(out, 'missing')).toEqual({ line: 2, column: 19 });
  expect(origin(out, 'b.length')).toEqual({ line: 3, column: 7 });
});

test('a thrown error in the cell reports the cell line through the map', async () => {
  const source = 'let n: number = 1;\nfunction boom(): never { throw new Error("x"); }\nn = 2;\nboom()';
  const out = emit(source)!;
  let stack = '';
  try {
    await (new vm.Script(out.js, { filename: 'In[1]' }).runInThisContext() as Promise<unknown>);
  } catch (e) {
    stack = (e as Error).stack ?? '';
  }
  const frame = /In\[1\]:(\d+):(\d+)/.exec(stack)!;
  const map = decodeMappings((JSON.parse(out.sourceMap) as { mappings: string }).mappings);
  expect(originalPosition(map, Number(frame[1]), Number(frame[2]))?.line).toBe(2);
});

test('cells with classes, enums, namespaces or decorators are left to TypeScript\'s emitter', () => {
  expect(emit('class C {}')).toBeUndefined();
  expect(emit('enum E { A }')).toBeUndefined();
  expect(emit('namespace N { export const x = 1; }')).toBeUndefined();
  expect(emit('@sealed\nclass D {}')).toBeUndefined();
  expect(emit('const x = 1;')).toBeDefined();
});

test('functions keep the names the user wrote: no renaming for a global of the same name, arrows named by their const', () => {
  const out = emit('function parse(s: string) { return s; }\nconst arrow = () => 1;\nfunction outer() { const total = 1; return total; }\nparse("x"); total;')!;
  expect(out.js).toContain('function parse(');
  expect(out.js).not.toMatch(/parse1|total1/);
  // The cell's declarations happen before its first await: they are there when the script returns.
  const context = vm.createContext({ total: 0 });
  void vm.runInContext(out.js, context);
  expect((context.arrow as () => number).name).toBe('arrow');
  expect(origin(out, 'parse("x")')).toEqual({ line: 4, column: 1 });
});
