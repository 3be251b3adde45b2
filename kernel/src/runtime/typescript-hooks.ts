/**
 * Node module hooks (`module.register`, run on Node's loader thread) for the notebook's own
 * TypeScript files that are ES modules: `.mts` files, and `.ts` files under a package.json with
 * `"type": "module"`. Node runs them as it would their compiled JavaScript:
 *
 * - `load`: the file's types stripped by TypeScript (`transpileModule`, ES module output), so
 *   `import.meta`, top-level await and `export` work as in the compiled project.
 * - `resolve`: `./utils.js` finds `utils.ts` when there is no `utils.js` (and `.mjs` `.mts`,
 *   `.cjs` `.cts`), the rule `tsc` checks NodeNext imports by.
 * - Reloading: when a notebook file loaded through here has changed on disk, the next import of a
 *   notebook file loads the whole graph of notebook files afresh (their URLs get a new
 *   `?tsdl-reload=N`), as a restart under `node --watch` would; packages in node_modules stay.
 *
 * CommonJS `.ts` files go through the kernel's require hook instead (module-loader.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ResolveContext { parentURL?: string; conditions: string[] }
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
interface LoadContext { format?: string | null; conditions: string[] }
interface LoadResult { format: string; source?: string | Buffer | null; shortCircuit?: boolean }
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const TYPESCRIPT_FILE = /\.(?:[mc]?ts|tsx)$/;
const RELOAD = 'tsdl-reload';

/** Notebook files (outside node_modules) loaded in this generation, with their modification time then. */
const loaded = new Map<string, number>();
/** Every notebook module URL loaded here: imports from them are not a cell's. */
const modules = new Set<string>();
let generation = 0;

function isNotebookFile(url: string): boolean {
  return url.startsWith('file:') && !url.includes('/node_modules/');
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** The URL with this generation's reload query, so that a changed graph loads as new modules. */
function withGeneration(url: string, gen: number): string {
  if (gen === 0 || !isNotebookFile(url)) return url;
  const u = new URL(url);
  u.searchParams.set(RELOAD, String(gen));
  return u.href;
}

function parentGeneration(parentURL: string | undefined): number | undefined {
  if (!parentURL?.startsWith('file:')) return undefined;
  const value = new URL(parentURL).searchParams.get(RELOAD);
  return value === null ? 0 : Number(value);
}

/** `./x.js` -> `./x.ts` (`.mjs` -> `.mts`, `.cjs` -> `.cts`, `.jsx` -> `.tsx`): TypeScript's rule for imports of its own files. */
function typeScriptSpecifier(specifier: string): string | undefined {
  const m = /\.([mc]?)js(x?)$/.exec(specifier);
  return m ? `${specifier.slice(0, m.index)}.${m[1]}ts${m[2]}` : undefined;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  let result: ResolveResult;
  try {
    result = await nextResolve(specifier, context);
  } catch (e) {
    const ts = (specifier.startsWith('.') || specifier.startsWith('file:') || specifier.startsWith('/')) && typeScriptSpecifier(specifier);
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !ts) throw e;
    result = await nextResolve(ts, context);
  }
  // An import from a notebook module keeps that module's generation; one from a cell starts a new
  // generation when a notebook file loaded before has changed since.
  let gen: number;
  if (context.parentURL && modules.has(context.parentURL)) gen = parentGeneration(context.parentURL) ?? 0;
  else {
    if ([...loaded].some(([file, time]) => mtime(file) !== time)) {
      generation++;
      loaded.clear();
    }
    gen = generation;
  }
  return { ...result, url: withGeneration(result.url, gen) };
}

/** package.json `type` of the folder a file is in, as Node reads it. */
function packageType(file: string): 'module' | 'commonjs' {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

/** Whether Node runs this TypeScript file as an ES module (its compiled `.js` would be one). */
export function isEsModuleFile(file: string): boolean {
  if (file.endsWith('.mts')) return true;
  if (file.endsWith('.cts')) return false;
  return packageType(file) === 'module';
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  if (isNotebookFile(url)) {
    modules.add(url);
    if (!loaded.has(file)) loaded.set(file, mtime(file));
  }
  if (!TYPESCRIPT_FILE.test(file)) return nextLoad(url, context);
  // CommonJS: Node's require, through the kernel's hook for .ts files.
  if (!isEsModuleFile(file)) return nextLoad(url, { ...context, format: 'commonjs' });
  return { format: 'module', source: transpileTypeScript(file, fs.readFileSync(file, 'utf8'), true).code, shortCircuit: true };
}

/**
 * A notebook's own TypeScript file as the JavaScript Node runs: types stripped, an ES module or
 * CommonJS. Deterministic, so the runtime can make the same source map again to map a stack frame
 * (runtime-main.ts) without keeping one for every file loaded.
 */
export function transpileTypeScript(file: string, source: string, esModule: boolean): { code: string; map: string } {
  // Loaded only when a notebook runs or fails in a .ts file of its own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: esModule ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: true,
    },
  });
  return { code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), map: out.sourceMapText ?? '' };
}
