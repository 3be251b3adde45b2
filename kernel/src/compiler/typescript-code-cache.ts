/**
 * Loads TypeScript with V8's code cache, so a new kernel does not compile TypeScript's 9 MB of
 * JavaScript again. The compiler thread imports this module first, before anything imports
 * `typescript`: importing it loads TypeScript into require's cache, where require() finds it.
 *
 * Loading and compiling `typescript.js` was a sixth of the compiler's warm-up, which a first cell
 * run right after start-up waits for. The cache is written after the warm-up (V8 then includes every function
 * the warm-up compiled) and re-written when V8 rejects it (a new Node or TypeScript); any problem
 * reading or writing it only costs that time again, never the kernel.
 */
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;

/** Where the cache lives: the same folder as tsdl's datasets (`$TSDL_CACHE`, else `~/.cache/tsdl`). */
function cacheFile(typescriptFile: string): string {
  const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(typescriptFile), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const root = process.env.TSDL_CACHE || path.join(os.homedir(), '.cache', 'tsdl');
  return path.join(root, 'v8', `typescript-${version}-node-${process.version}-${process.arch}.bin`);
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** What became of the cache on this start-up; `save` writes it when it was not used. */
export interface CodeCache {
  state: 'used' | 'missing' | 'rejected' | 'unavailable';
  save(): void;
}

const NOTHING_TO_SAVE = (): void => undefined;

/** Loads `typescript` into require's cache, from the code cache when V8 accepts it. */
function loadTypeScript(): CodeCache {
  const localRequire = createRequire(__filename);
  const file = localRequire.resolve('typescript');
  if (localRequire.cache[file]) return { state: 'unavailable', save: NOTHING_TO_SAVE };
  let cachePath: string;
  try {
    cachePath = cacheFile(file);
  } catch {
    return { state: 'unavailable', save: NOTHING_TO_SAVE };
  }
  const cached = readOrUndefined(cachePath);
  const source = fs.readFileSync(file, 'utf8');
  // The wrapper Node puts around every CommonJS module, on the first line so line numbers stay.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  const mod = new Module(file);
  mod.filename = file;
  (script.runInThisContext() as CommonJsWrapper).call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  localRequire.cache[file] = mod;
  if (cached && !script.cachedDataRejected) return { state: 'used', save: NOTHING_TO_SAVE };
  return {
    state: cached ? 'rejected' : 'missing',
    save: () => {
      try {
        fs.mkdirSync(path.dirname(cachePath), { recursive: true });
        // Written aside and renamed, so a kernel starting meanwhile never reads half a file.
        const partial = `${cachePath}.${process.pid}.tmp`;
        fs.writeFileSync(partial, script.createCachedData());
        fs.renameSync(partial, cachePath);
      } catch { /* a read-only home only makes the next start-up slower */ }
    },
  };
}

/** Loaded on import; call `save()` after the warm-up. */
export const typeScriptCodeCache = loadTypeScript();
