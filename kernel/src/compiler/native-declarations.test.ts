import ts from 'typescript';
import { functionDeclarations, nativeDeclarations } from './native-declarations';

const parse = (source: string): ts.SourceFile => ts.createSourceFile('/nb/cell.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

test('a function keeps its function form in later cells (inspection shows `function f`), overloads too', () => {
  expect(functionDeclarations('f', '(x: number) => number')).toBe('function f(x: number): number;');
  expect(functionDeclarations('g', '<T>(x: T, ...rest: T[]) => T[]')).toBe('function g<T>(x: T, ...rest: T[]): T[];');
  expect(functionDeclarations('h', '{ (a: string): string; (a: number): number; }')).toBe('function h(a: string): string;\nfunction h(a: number): number;');
  expect(functionDeclarations('k', 'number')).toBeUndefined();
});

test('annotated names keep their annotation, inferred ones the checker\'s type, types their text', () => {
  const sf = parse('/** Doc. */\nconst a: Array<number> = [];\nlet b = 1, [c] = [true];\nfunction f(x: number, y: number = 2): string { return ""; }\ninterface P { x: number }');
  const decls = nativeDeclarations(sf, new Map([['b', 'number'], ['c', 'boolean']]));
  expect(decls?.entries).toEqual([
    { name: 'a', text: '/** Doc. */\nconst a: Array<number>;' },
    { name: 'b', text: 'let b: number;' },
    { name: 'c', text: 'let c: boolean;' },
    { name: 'f', text: 'function f(x: number, y?: number): string;' },
    { name: 'P', text: 'interface P { x: number }' },
  ]);
});

test('a type a declaration file cannot hold sends the cell to TypeScript 6 (undefined)', () => {
  expect(nativeDeclarations(parse('const C = class {};'), new Map([['C', 'typeof C']]))).toBeUndefined();
  expect(nativeDeclarations(parse('const o = f();'), new Map([['o', '(Anonymous class)']]))).toBeUndefined();
  expect(nativeDeclarations(parse('const m = 1;'), new Map())).toBeUndefined();
});
