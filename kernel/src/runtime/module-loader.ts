/**
 * How a cell's `import` loads a module at run time. CommonJS and ES-module packages import alike:
 * `require` first (fast, and the same instance other CommonJS packages get), then `import()` for
 * packages that `require` cannot load (ESM with top-level await, or `exports` without a
 * "require" condition). Resolution starts at the notebook's folder and falls back to the kernel's
 * own node_modules, so TensorFlow.js and `tsdl` work from any folder. Local `.ts` files are
 * compiled on the fly.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';

export interface ModuleLoader {
  import(specifier: string): Promise<unknown>;
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

  const load = async (specifier: string): Promise<unknown> => {
    if (specifier.startsWith('node:') || isBuiltin(specifier)) return fromNotebook(specifier);
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

  return {
    import: load,
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

let tsRegistered = false;

/** `require('./util.ts')` (and imports of it) compiles the file with TypeScript, CommonJS output. */
function registerTypeScriptFiles(): void {
  if (tsRegistered) return;
  tsRegistered = true;
  const extensions = (require('node:module') as { _extensions: Record<string, (m: NodeModule & { _compile(code: string, file: string): void }, file: string) => void> })._extensions;
  const compile = (m: NodeModule & { _compile(code: string, file: string): void }, file: string): void => {
    // Loaded lazily: a notebook that imports no local .ts file never pays for it here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require('typescript') as typeof import('typescript');
    const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
    });
    m._compile(out.outputText, file);
  };
  for (const ext of ['.ts', '.mts', '.cts', '.tsx']) if (!extensions[ext]) extensions[ext] = compile;
}
