/**
 * How a cell's `import` loads a module at run time. CommonJS and ES-module packages import alike:
 * `require` first (fast, and the same instance other CommonJS packages get), then `import()` for
 * packages that `require` cannot load (ESM with top-level await, or `exports` without a
 * "require" condition). Resolution starts at the notebook's folder and falls back to the kernel's
 * own node_modules, so TensorFlow.js and `tsdl` work from any folder. Local `.ts` files are
 * compiled on the fly, as ES modules or CommonJS by their extension and package.json `type`, as
 * Node would run their compiled JavaScript (ES modules through typescript-hooks.ts); `./x.js`
 * finds `x.ts` as tsc does; a local file edited since it was loaded loads afresh when a cell
 * imports it again.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { decodeMappings, DecodedMappings, originalPosition } from './source-map';
import { isEsModuleFile, transpileTypeScript } from './typescript-hooks';

/** What a cell's `import.meta` is: the cell belongs to the notebook's folder. */
export interface CellImportMeta {
  url: string;
  filename: string;
  dirname: string;
  resolve(specifier: string): string;
}

export interface ModuleLoader {
  import(specifier: string): Promise<unknown>;
  meta: CellImportMeta;
  /** The value of a default import, with TypeScript's esModuleInterop rules. */
  defaultOf(mod: unknown): unknown;
  require: NodeJS.Require;
}

const REQUIRE_CANNOT_LOAD = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

// A real dynamic import (TypeScript's CommonJS output would turn `import()` into require()), compiled
// in the main context so it works wherever this module was loaded from.
const dynamicImport = vm.runInThisContext('(url) => import(url)', {
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
} as vm.RunningScriptOptions) as (url: string) => Promise<unknown>;

/** Options for cell scripts so `await import("x")` in a cell works too. */
export const CELL_SCRIPT_OPTIONS = { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } as const;

/**
 * Finds the file an ES-only package exports for `import`, starting from `fromDir`: the packages
 * `require.resolve` refuses (their "exports" has no "require" condition).
 */
export function resolveEsmPackage(specifier: string, fromDir: string): string | undefined {
  const name = packageName(specifier);
  const subpath = '.' + specifier.slice(name.length);
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', name);
    const pkgJson = path.join(pkgDir, 'package.json');
    if (fs.existsSync(pkgJson)) {
      const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { exports?: unknown; module?: string; main?: string };
      const target = exportTarget(pkg.exports, subpath) ?? (subpath === '.' ? pkg.module ?? pkg.main : undefined);
      return target ? path.join(pkgDir, target) : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

const CONDITIONS = ['node', 'import', 'default'];

function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined;
  if (Array.isArray(exports)) return exports.map((e) => exportTarget(e, subpath)).find((t) => t !== undefined);
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length && keys.every((k) => k.startsWith('.'))) {
    if (map[subpath] !== undefined) return conditional(map[subpath]);
    for (const key of keys) {
      const star = key.indexOf('*');
      if (star >= 0 && subpath.startsWith(key.slice(0, star)) && subpath.endsWith(key.slice(star + 1))) {
        const match = subpath.slice(star, subpath.length - (key.length - star - 1));
        return conditional(map[key])?.replace('*', match);
      }
    }
    return undefined;
  }
  return subpath === '.' ? conditional(map) : undefined;
}

function conditional(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(conditional).find((t) => t !== undefined);
  if (value && typeof value === 'object') {
    const map = value as Record<string, unknown>;
    for (const c of CONDITIONS) if (map[c] !== undefined) { const t = conditional(map[c]); if (t) return t; }
  }
  return undefined;
}

export function createModuleLoader(notebookDir: string, kernelRoot: string, aliases: Record<string, string>): ModuleLoader {
  const fromNotebook = createRequire(path.join(notebookDir, '__notebook__.js'));
  const fromKernel = createRequire(path.join(kernelRoot, '__kernel__.js'));
  registerTypeScriptFiles();

  const resolve = (specifier: string): { req: NodeJS.Require; resolved: string } => {
    if (aliases[specifier]) return { req: fromKernel, resolved: aliases[specifier] };
    try {
      return { req: fromNotebook, resolved: fromNotebook.resolve(specifier) };
    } catch (first) {
      if (specifier.startsWith('.') || path.isAbsolute(specifier)) throw first;
      try {
        return { req: fromKernel, resolved: fromKernel.resolve(specifier) };
      } catch {
        throw first;
      }
    }
  };

  /** A relative, absolute or file: specifier as a file, found as tsc finds it (`./x.js` -> `x.ts`). */
  const resolveLocal = (specifier: string): string => {
    const base = specifier.startsWith('file:') ? fileURLToPath(specifier) : path.resolve(notebookDir, specifier);
    const candidates = [base, typeScriptPath(base)].filter((c): c is string => c !== undefined);
    for (const candidate of candidates) {
      try {
        return fromNotebook.resolve(candidate);
      } catch {
        // the next candidate
      }
    }
    const error = new Error(`Cannot find '${specifier}' from ${notebookDir}: there is no ${candidates.join(' nor ')}. ` +
      'Check the path: relative imports start at the notebook\'s folder.');
    (error as Error & { code: string }).code = 'MODULE_NOT_FOUND';
    throw error;
  };

  const loadLocal = async (specifier: string): Promise<unknown> => {
    const file = resolveLocal(specifier);
    if (TYPESCRIPT_FILE.test(file) && isEsModuleFile(file)) {
      registerTypeScriptHooks();
      return dynamicImport(pathToFileURL(file).href);
    }
    forgetChangedTypeScriptFiles();
    try {
      return fromNotebook(file);
    } catch (e) {
      if (!REQUIRE_CANNOT_LOAD.has((e as { code?: string }).code ?? '')) throw e;
      return dynamicImport(pathToFileURL(file).href);
    }
  };

  const load = async (specifier: string): Promise<unknown> => {
    if (specifier.startsWith('node:') || isBuiltin(specifier)) return fromNotebook(specifier);
    if (specifier.startsWith('.') || path.isAbsolute(specifier) || specifier.startsWith('file:')) return loadLocal(specifier);
    let target: { req: NodeJS.Require; resolved: string };
    try {
      target = resolve(specifier);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'ERR_REQUIRE_ESM' || code === 'MODULE_NOT_FOUND') {
        const file = resolveEsmPackage(specifier, notebookDir) ?? resolveEsmPackage(specifier, kernelRoot);
        if (file) return dynamicImport(pathToFileURL(file).href);
      }
      if (code === 'MODULE_NOT_FOUND') {
        throw new Error(`Cannot find module '${specifier}' from ${notebookDir}. Install it there with \`npm install ${packageName(specifier)}\`, or check the path.`);
      }
      throw e;
    }
    try {
      return target.req(target.resolved);
    } catch (e) {
      if (!REQUIRE_CANNOT_LOAD.has((e as { code?: string }).code ?? '')) throw e;
      return dynamicImport(pathToFileURL(target.resolved).href);
    }
  };

  const filename = path.join(notebookDir, '__notebook__.ts');
  const meta: CellImportMeta = {
    url: pathToFileURL(filename).href,
    filename,
    dirname: notebookDir,
    resolve: (specifier) => {
      if (specifier.startsWith('node:') || isBuiltin(specifier)) return specifier.startsWith('node:') ? specifier : `node:${specifier}`;
      if (specifier.startsWith('.') || path.isAbsolute(specifier) || specifier.startsWith('file:')) return pathToFileURL(resolveLocal(specifier)).href;
      try {
        return pathToFileURL(resolve(specifier).resolved).href;
      } catch (e) {
        const file = resolveEsmPackage(specifier, notebookDir) ?? resolveEsmPackage(specifier, kernelRoot);
        if (file) return pathToFileURL(file).href;
        throw e;
      }
    },
  };

  return {
    import: load,
    meta,
    defaultOf: (mod) => {
      if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return mod;
      const m = mod as { __esModule?: boolean; default?: unknown; [Symbol.toStringTag]?: string };
      if (m[Symbol.toStringTag] === 'Module') return m.default; // an ES module namespace
      return m.__esModule ? m.default : mod;
    },
    require: fromNotebook,
  };
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(specifier: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:module') as { builtinModules: string[] }).builtinModules.includes(specifier);
}

const TYPESCRIPT_FILE = /\.(?:[mc]?ts|tsx)$/;

/** `/a/x.js` -> `/a/x.ts` (`.mjs` -> `.mts`, `.cjs` -> `.cts`, `.jsx` -> `.tsx`), as TypeScript maps imports of its own files. */
function typeScriptPath(file: string): string | undefined {
  const m = /\.([mc]?)js(x?)$/.exec(file);
  return m ? `${file.slice(0, m.index)}.${m[1]}ts${m[2]}` : undefined;
}

let hooksRegistered = false;

/** Node's loader hooks for ES-module TypeScript files (typescript-hooks.ts), registered on first use. */
function registerTypeScriptHooks(): void {
  if (hooksRegistered) return;
  const hooks = path.join(__dirname, 'typescript-hooks.js');
  if (!fs.existsSync(hooks)) throw new Error(`Importing an ES-module .ts file needs ${hooks}: build the kernel with \`npm run build\`.`);
  (require('node:module') as { register(specifier: string): void }).register(pathToFileURL(hooks).href);
  hooksRegistered = true;
}

/** CommonJS .ts files compiled by the require hook, with their modification time then. */
const compiledTypeScript = new Map<string, number>();

function modifiedTime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * When a notebook's CommonJS .ts file changed since it was compiled, every one of them is let go
 * from require's cache, so the import that follows runs the edited code, and the files that import
 * it run again with it (the whole local graph, as a restart under `node --watch` would).
 */
function forgetChangedTypeScriptFiles(): void {
  if (![...compiledTypeScript].some(([file, time]) => modifiedTime(file) !== time)) return;
  for (const file of compiledTypeScript.keys()) delete require.cache[file];
  compiledTypeScript.clear();
}

const fileMaps = new Map<string, { time: number; map: DecodedMappings }>();

/**
 * A position in the JavaScript Node runs for one of the notebook's own TypeScript files, as a
 * position in the file, or undefined for any other file. `file` as a stack frame names it: a path,
 * or a file: URL (ES modules; with the reload query, see typescript-hooks.ts).
 */
export function typeScriptFilePosition(file: string, line: number, column: number): { line: number; column: number } | undefined {
  if (!TYPESCRIPT_FILE.test(file.replace(/\?.*$/, '')) || file.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
  const filePath = file.startsWith('file:') ? fileURLToPath(file.replace(/\?.*$/, '')) : file;
  const time = modifiedTime(filePath);
  let known = fileMaps.get(filePath);
  if (!known || known.time !== time) {
    try {
      const { map } = transpileTypeScript(filePath, fs.readFileSync(filePath, 'utf8'), isEsModuleFile(filePath));
      known = { time, map: decodeMappings((JSON.parse(map) as { mappings: string }).mappings) };
    } catch {
      return undefined;
    }
    fileMaps.set(filePath, known);
  }
  return originalPosition(known.map, line, column);
}

let tsRegistered = false;

/** `require('./util.ts')` (and imports of it) compiles the file with TypeScript, CommonJS output. */
function registerTypeScriptFiles(): void {
  if (tsRegistered) return;
  tsRegistered = true;
  const extensions = (require('node:module') as { _extensions: Record<string, (m: NodeModule & { _compile(code: string, file: string): void }, file: string) => void> })._extensions;
  const compile = (m: NodeModule & { _compile(code: string, file: string): void }, file: string): void => {
    if (!file.includes(`${path.sep}node_modules${path.sep}`)) compiledTypeScript.set(file, modifiedTime(file));
    m._compile(transpileTypeScript(file, fs.readFileSync(file, 'utf8'), false).code, file);
  };
  for (const ext of ['.ts', '.mts', '.cts', '.tsx']) if (!extensions[ext]) extensions[ext] = compile;
}
