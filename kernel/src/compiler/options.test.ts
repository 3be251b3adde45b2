/**
 * The compiler options a notebook's cells get from its project's tsconfig.json: tsc's reading of
 * it, with only what a notebook cannot do without changed (docs/kernel.md, "tsdl for TypeScript
 * projects").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { followsNodeFormats, loadCompilerOptions } from './options';

function optionsFor(tsconfig: object | undefined): ts.CompilerOptions {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-options-'));
  if (tsconfig) fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  return loadCompilerOptions(dir, undefined).options;
}

test('a NodeNext project keeps its module, resolution, target and the library of its target', () => {
  const options = optionsFor({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true } });
  expect(options.module).toBe(ts.ModuleKind.NodeNext);
  expect(options.moduleResolution).toBe(ts.ModuleResolutionKind.NodeNext);
  expect(options.target).toBe(ts.ScriptTarget.ES2022);
  expect(options.lib).toBeUndefined(); // TypeScript then takes the default library of the target, as tsc
  expect(followsNodeFormats(options)).toBe(true);
});

test('a project\'s own lib is kept', () => {
  expect(optionsFor({ compilerOptions: { target: 'ES2022', lib: ['ES2022', 'DOM'] } }).lib).toEqual(['lib.es2022.d.ts', 'lib.dom.d.ts']);
});

test('a module kind without top-level await becomes ESNext with bundler resolution; an old target ES2022', () => {
  const options = optionsFor({ compilerOptions: { module: 'CommonJS', target: 'ES5' } });
  expect(options.module).toBe(ts.ModuleKind.ESNext);
  expect(options.moduleResolution).toBe(ts.ModuleResolutionKind.Bundler);
  expect(options.target).toBe(ts.ScriptTarget.ES2022);
  expect(followsNodeFormats(options)).toBe(false);
});

test('without a tsconfig the notebook defaults apply: strict, ES2023 without the DOM, Node\'s types', () => {
  const options = optionsFor(undefined);
  expect(options).toMatchObject({ strict: true, lib: ['lib.es2023.d.ts'], types: ['node'], module: ts.ModuleKind.ESNext });
});
