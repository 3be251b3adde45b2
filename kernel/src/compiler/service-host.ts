/**
 * The TypeScript 6 language service's view of the notebook: the kernel's in-memory files (the
 * cell, earlier cells' declaration slots) over the files on disk, and module resolution as the
 * kernel resolves at run time (the notebook's packages, then the kernel's, and its aliases).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import type { CompilerConfig } from './cell-types';

/** Versions are unique across compilers: the shared document registry caches parsed files by path and version. */
let nextVersion = 1;

/** Files that exist only in memory, each with the version the language service compares. */
export class VirtualFiles {
  private readonly files = new Map<string, { text: string; version: number }>();

  set(name: string, text: string): void {
    const old = this.files.get(name);
    if (old && old.text === text) return;
    this.files.set(name, { text, version: nextVersion++ });
  }

  get(name: string): { text: string; version: number } | undefined {
    return this.files.get(name);
  }

  text(name: string): string | undefined {
    return this.files.get(name)?.text;
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  names(): IterableIterator<string> {
    return this.files.keys();
  }
}

export function createServiceHost(config: CompilerConfig, options: ts.CompilerOptions, files: VirtualFiles): ts.LanguageServiceHost {
  const cache = ts.createModuleResolutionCache(config.notebookDir, (f) => f, options);
  const aliases = config.moduleAliases ?? {};
  const fallbackFrom = path.join(config.kernelRoot, '__tsdl_fallback__.ts');
  const installedDir = path.join(config.kernelRoot, 'dist') + path.sep;
  const moduleHost: ts.ModuleResolutionHost = {
    fileExists: (f) => files.has(f) || ts.sys.fileExists(f),
    readFile: (f) => files.get(f)?.text ?? ts.sys.readFile(f),
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  };
  // `mode`: whether the import is an ES module's or CommonJS's (Node16…NodeNext), which decides
  // `exports` conditions and whether a relative import needs its extension, as under tsc.
  const resolveOne = (name: string, containingFile: string, mode: ts.ResolutionMode): ts.ResolvedModuleWithFailedLookupLocations => {
    const alias = aliases[name];
    if (alias) {
      return { resolvedModule: { resolvedFileName: alias, extension: extensionOf(alias), isExternalLibraryImport: false } };
    }
    const found = ts.resolveModuleName(name, containingFile, options, moduleHost, cache, undefined, mode);
    if (found.resolvedModule || name.startsWith('.')) return found;
    // Packages the kernel ships (TensorFlow.js, danfo…) work from any notebook folder.
    return ts.resolveModuleName(name, fallbackFrom, options, moduleHost, cache, undefined, mode);
  };
  // A program that cannot reuse the last one's structure (a cell's declaration file came or went)
  // resolves every import of every file again, Node's types alone have hundreds: TypeScript's
  // cache answers, but slowly. Found modules are remembered here, by folder like that cache; one
  // not found is looked up again, so a package installed later is found.
  const found = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
  const resolveRemembered = (name: string, containingFile: string, mode: ts.ResolutionMode): ts.ResolvedModuleWithFailedLookupLocations => {
    const key = `${path.dirname(containingFile)}\0${mode}\0${name}`;
    const known = found.get(key);
    if (known) return known;
    const result = resolveOne(name, containingFile, mode);
    if (result.resolvedModule) found.set(key, result);
    return result;
  };
  // getModuleResolutionCache is honoured by the language service but missing from its public type.
  const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [...(config.globalDeclarationFiles ?? []), ...files.names()],
    getScriptVersion: (f) => {
      const virtual = files.get(f);
      return virtual ? String(virtual.version) : diskVersion(f, installedDir);
    },
    getScriptSnapshot: (f) => {
      const virtual = files.get(f);
      return virtual ? ts.ScriptSnapshot.fromString(virtual.text) : diskSnapshot(f, installedDir);
    },
    getCurrentDirectory: () => config.notebookDir,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: moduleHost.fileExists,
    readFile: moduleHost.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
    resolveModuleNameLiterals: (literals, containingFile, _redirected, options, containingSourceFile) =>
      literals.map((l) => resolveRemembered(l.text, containingFile, ts.getModeForUsageLocation(containingSourceFile, l, options))),
    // Without these two, every new program re-parsed every package.json and lower-cased every path.
    getModuleResolutionCache: () => cache,
    useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
  };
  return host;
}

/**
 * Files on disk, read once per version. Re-reading every library file (TensorFlow.js has hundreds
 * of .d.ts files) for each cell's program was most of a cell's compile time.
 */
const diskCache = new Map<string, { version: string; snapshot: ts.IScriptSnapshot | undefined }>();

const TYPESCRIPT_LIB = path.dirname(ts.getDefaultLibFilePath({})) + path.sep;

/**
 * Installed packages and the kernel's own compiled files (`installedDir`: the notebook globals'
 * types, the library's) do not change under a running kernel (the runtime would not reload them
 * either); the user's own files may. Every program asks for every file's version, so a `stat`
 * here was paid per file, per cell.
 */
function diskVersion(file: string, installedDir: string): string {
  if (file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(TYPESCRIPT_LIB) || file.startsWith(installedDir)) return 'installed';
  try {
    return String(fs.statSync(file).mtimeMs);
  } catch {
    return 'missing';
  }
}

function diskSnapshot(file: string, installedDir: string): ts.IScriptSnapshot | undefined {
  const version = diskVersion(file, installedDir);
  const cached = diskCache.get(file);
  if (cached && cached.version === version) return cached.snapshot;
  const text = ts.sys.readFile(file);
  const snapshot = text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  diskCache.set(file, { version, snapshot });
  return snapshot;
}

function extensionOf(file: string): ts.Extension {
  if (file.endsWith('.d.ts')) return ts.Extension.Dts;
  if (file.endsWith('.ts')) return ts.Extension.Ts;
  return ts.Extension.Js;
}

/** The kernel's own `@types` (Node's), which every notebook gets. */
export function kernelTypeRoot(kernelRoot: string): string | undefined {
  const dir = path.join(kernelRoot, 'node_modules', '@types');
  return fs.existsSync(dir) ? dir : undefined;
}
