/**
 * TypeScript 7's native checker (a Go process, reached through the `typescript` package's 7.x
 * `unstable/sync` API, installed as `typescript-7`), holding the same files as the kernel's
 * TypeScript 6 program: the notebook globals, earlier cells' declaration slots and the cell.
 *
 * It checks a 100-line cell in a few milliseconds where TypeScript 6 on a cold V8 takes tens
 * (bench/kernel/checkers-results.md), and writes the types of the names a cell declares. Module
 * resolution matches CellCompiler's host: `moduleAliases` through `paths`, and packages the kernel
 * ships found after the notebook's own (see `kernelPackagesAt`). Anything it cannot mirror
 * faithfully (an option it would read differently) makes `start` return undefined, and the
 * kernel keeps to TypeScript 6 alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** The few shapes of the unstable API used here (its own types need module resolution this build lacks). */
interface NativeDiagnostic {
  pos: number; end: number; code: number; category: number; text: string;
  messageChain?: readonly NativeDiagnostic[];
}
interface NativeProgram {
  getSemanticDiagnostics(file: string): readonly NativeDiagnostic[];
  getConfigFileParsingDiagnostics(): readonly NativeDiagnostic[];
  getGlobalDiagnostics(): readonly NativeDiagnostic[];
  /** The file's syntax tree; only passed back as a scope here. */
  getSourceFile(file: string): object | undefined;
}
interface NativeChecker {
  getTypeAtPosition(file: string, positions: readonly number[]): (object | undefined)[];
  typeToString(type: object, enclosing?: object, flags?: number): string;
}
interface NativeProject { program: NativeProgram; checker: NativeChecker }
interface NativeSnapshot { getProject(config: string): NativeProject | undefined; dispose(): void }
interface NativeApi {
  updateSnapshot(params: object): NativeSnapshot;
  close(): void;
}
interface FileSystem {
  readFile(f: string): string | null | undefined;
  fileExists(f: string): boolean | undefined;
  directoryExists(d: string): boolean | undefined;
  realpath(p: string): string | undefined;
  getAccessibleEntries(d: string): { files: string[]; directories: string[] } | undefined;
}

export interface NativeDiagnosticOut {
  start: number; length: number; code: number; category: ts.DiagnosticCategory; message: string;
}

export interface NativeConfig {
  notebookDir: string;
  kernelRoot: string;
  options: ts.CompilerOptions;
  moduleAliases: Record<string, string>;
  globalDeclarationFiles: string[];
  cellPath: string;
}

/** TypeFormatFlags.NoTruncation: a declaration must say the whole type. */
const NO_TRUNCATION = 1;

const ENUM_OPTIONS: Record<string, (value: number) => string | undefined> = {
  target: (v) => (v === ts.ScriptTarget.ESNext ? 'esnext' : ts.ScriptTarget[v]?.toLowerCase()),
  module: (v) => (v === ts.ModuleKind.ESNext ? 'esnext' : ts.ModuleKind[v]?.toLowerCase()),
  moduleResolution: (v) => (v === ts.ModuleResolutionKind.Bundler ? 'bundler' : v === ts.ModuleResolutionKind.NodeNext ? 'nodenext' : v === ts.ModuleResolutionKind.Node16 ? 'node16' : undefined),
  jsx: (v) => ({ [ts.JsxEmit.Preserve]: 'preserve', [ts.JsxEmit.React]: 'react', [ts.JsxEmit.ReactJSX]: 'react-jsx', [ts.JsxEmit.ReactJSXDev]: 'react-jsxdev', [ts.JsxEmit.ReactNative]: 'react-native' } as Record<number, string>)[v],
  moduleDetection: (v) => ({ [ts.ModuleDetectionKind.Auto]: 'auto', [ts.ModuleDetectionKind.Force]: 'force', [ts.ModuleDetectionKind.Legacy]: 'legacy' } as Record<number, string>)[v],
};
/** Emit settings: the native checker only checks. */
const EMIT_ONLY = new Set(['noEmit', 'declaration', 'emitDeclarationOnly', 'declarationMap', 'sourceMap', 'inlineSourceMap', 'inlineSources',
  'outDir', 'outFile', 'rootDir', 'composite', 'incremental', 'noEmitOnError', 'removeComments', 'configFilePath', 'newLine', 'pathsBasePath', 'tsBuildInfoFile']);

/** The kernel's options as tsconfig.json's `compilerOptions`, or undefined when one cannot be carried over. */
export function nativeCompilerOptions(options: ts.CompilerOptions, aliases: Record<string, string>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || EMIT_ONLY.has(key)) continue;
    if (key === 'baseUrl') return undefined; // TypeScript 7 reads `paths` without it; a user's baseUrl would mean something else
    if (key === 'lib') {
      out.lib = (value as string[]).map((l) => path.basename(l).replace(/^lib\./, '').replace(/\.d\.ts$/, ''));
    } else if (typeof value === 'number') {
      const name = ENUM_OPTIONS[key]?.(value);
      if (name === undefined) return undefined;
      out[key] = name;
    } else if (typeof value === 'boolean' || typeof value === 'string' || Array.isArray(value) || key === 'paths') {
      out[key] = value;
    } else {
      return undefined;
    }
  }
  const paths: Record<string, string[]> = { ...(out.paths as Record<string, string[]> | undefined) };
  for (const [name, file] of Object.entries(aliases)) paths[name] = [file];
  out.paths = paths;
  out.noEmit = true;
  return out;
}

/**
 * Where the kernel's own packages appear to the native checker: a `node_modules` at the root of the
 * file system, which module resolution reaches last, after every `node_modules` above the notebook —
 * the order CellCompiler's host resolves in (the notebook's packages, then the kernel's).
 */
export function kernelPackagesAt(notebookDir: string): string {
  return path.join(path.parse(notebookDir).root, 'node_modules');
}

export class NativeCheck {
  private readonly changed = new Set<string>();
  private readonly created = new Set<string>();
  private snapshot: NativeSnapshot;
  private project: NativeProject;
  private readonly configPath: string;

  private constructor(private readonly api: NativeApi, private readonly config: NativeConfig,
    private readonly configText: (files: string[]) => string, private readonly files: Map<string, string>) {
    this.configPath = path.join(config.notebookDir, '__tsdl_tsconfig__.json');
    this.files.set(config.cellPath, 'export {};\n');
    this.files.set(this.configPath, configText(this.fileList()));
    this.snapshot = api.updateSnapshot({ openProjects: [this.configPath] });
    this.project = this.currentProject();
  }

  /** A native checker for `config`, or undefined when TypeScript 7 is missing or would not check as TypeScript 6 does. */
  static start(config: NativeConfig, initialFiles: ReadonlyMap<string, string>): NativeCheck | undefined {
    if (process.env.TSDL_NATIVE_CHECKER === '0') return undefined;
    const compilerOptions = nativeCompilerOptions(config.options, config.moduleAliases);
    if (!compilerOptions) return undefined;
    let api: NativeApi | undefined;
    try {
      // require() of an ES module: Node 20.19 and later load it synchronously.
      const sync = require('typescript-7/unstable/sync') as { API: new (options: object) => NativeApi };
      // The files TypeScript 7 reads from memory; NativeCheck keeps them.
      const files = new Map<string, string>();
      api = new sync.API({ cwd: config.notebookDir, fs: virtualFileSystem(config, files), tsserverPath: nativeLauncher(config.kernelRoot) });
      const configText = (list: string[]): string => JSON.stringify({ compilerOptions, files: list });
      const self = new NativeCheck(api, config, configText, files);
      for (const [file, text] of initialFiles) self.setFile(file, text);
      self.sync();
      const program = self.project.program;
      // A setting TypeScript 7 reads differently (or no longer knows) is reported here: keep to TypeScript 6.
      if (program.getConfigFileParsingDiagnostics().length || program.getGlobalDiagnostics().length) {
        self.close();
        return undefined;
      }
      return self;
    } catch (e) {
      if (process.env.TSDL_DEBUG_NATIVE) process.stderr.write(`TypeScript 7 did not start: ${String(e)}\n`);
      api?.close();
      return undefined;
    }
  }

  private fileList(): string[] {
    return [...this.config.globalDeclarationFiles, ...[...this.files.keys()].filter((f) => f !== this.configPath)];
  }

  private currentProject(): NativeProject {
    const project = this.snapshot.getProject(this.configPath);
    if (!project) throw new Error('internal error: TypeScript 7 opened no project for the notebook');
    return project;
  }

  /** Sets a file's text (a declaration slot, the cell); a new file also goes into the project's list. */
  setFile(file: string, text: string): void {
    if (this.files.get(file) === text) return;
    const isNew = !this.files.has(file);
    this.files.set(file, text);
    if (isNew) {
      this.created.add(file);
      this.files.set(this.configPath, this.configText(this.fileList()));
      this.changed.add(this.configPath);
    } else {
      this.changed.add(file);
    }
  }

  /** Hands TypeScript 7 the files changed since, so the next check need not wait for it (e.g. while the kernel is idle). */
  sync(): void {
    if (this.changed.size === 0 && this.created.size === 0) return;
    const old = this.snapshot;
    this.snapshot = this.api.updateSnapshot({ fileChanges: { changed: [...this.changed], created: [...this.created] } });
    this.changed.clear();
    this.created.clear();
    old.dispose();
    this.project = this.currentProject();
  }

  /** Type errors of the cell file holding `text` (free of syntax errors: the caller parsed it), positions in `text`. */
  check(text: string): NativeDiagnosticOut[] {
    this.setFile(this.config.cellPath, text);
    this.sync();
    return this.project.program.getSemanticDiagnostics(this.config.cellPath).map(toDiagnostic);
  }

  /**
   * The type, as text, of each name at `positions` in the cell file (the declarations' names, found
   * by the caller in its own parse of the same text). Call after `check` on that text.
   */
  typesAt(positions: ReadonlyMap<string, number>): Map<string, string> {
    const names = [...positions.keys()];
    const result = new Map<string, string>();
    if (names.length === 0) return result;
    const checker = this.project.checker;
    const types = checker.getTypeAtPosition(this.config.cellPath, names.map((n) => positions.get(n)!));
    // Written as seen from the cell's top level, so a type is named the way the cell can name it
    // (`tf.Tensor` through the cell's or an earlier cell's import), not by a name only its module knows.
    const scope = this.project.program.getSourceFile(this.config.cellPath);
    names.forEach((name, i) => {
      const type = types[i];
      if (type) result.set(name, checker.typeToString(type, scope, NO_TRUNCATION));
    });
    return result;
  }

  close(): void {
    try {
      this.api.close();
    } catch { /* already gone */ }
  }
}

/**
 * What the API starts: on POSIX, kernel/bin/own-session, which runs the native compiler in a
 * session of its own so that Jupyter's interrupt (SIGINT to the kernel's process group) does not
 * reach it (see that script). The API spawns with this thread's environment, which names the
 * compiler.
 */
function nativeLauncher(kernelRoot: string): string {
  const exe = nativeExecutable();
  if (process.platform === 'win32') return exe;
  process.env.TSDL_OWN_SESSION_EXE = exe;
  return path.join(kernelRoot, 'kernel', 'bin', 'own-session');
}

/**
 * The native compiler inside the platform package (`@typescript/typescript-<platform>-<arch>`).
 * Found here rather than by the API, which looks with `import.meta`, which jest's CommonJS lacks.
 */
function nativeExecutable(): string {
  const pkg = require.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(pkg), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
}

function toDiagnostic(d: NativeDiagnostic): NativeDiagnosticOut {
  return { start: d.pos, length: d.end - d.pos, code: d.code, category: d.category as ts.DiagnosticCategory, message: flatten(d, 0) };
}

/** As ts.flattenDiagnosticMessageText: the chain below a message, indented two spaces a level. */
function flatten(d: NativeDiagnostic, depth: number): string {
  let text = `${'  '.repeat(depth)}${d.text}`;
  for (const next of d.messageChain ?? []) text += `\n${flatten(next, depth + 1)}`;
  return text;
}

/**
 * The files TypeScript 7 reads through the kernel: the virtual ones (cell, slots, config) from
 * memory, and the kernel's packages under `kernelPackagesAt`. Everything else is read from disk
 * by TypeScript 7 itself (undefined here).
 */
function virtualFileSystem(config: NativeConfig, files: ReadonlyMap<string, string>): FileSystem {
  const root = kernelPackagesAt(config.notebookDir);
  const kernelPackages = path.join(config.kernelRoot, 'node_modules');
  const disabled = fs.existsSync(root); // a real /node_modules: leave it be (the kernel's packages are then not a fallback)
  const mapped = (p: string): string | undefined =>
    !disabled && (p === root || p.startsWith(root + path.sep)) ? kernelPackages + p.slice(root.length) : undefined;
  const stat = (p: string): fs.Stats | undefined => { try { return fs.statSync(p); } catch { return undefined; } };
  return {
    readFile: (f) => {
      const text = files.get(f);
      if (text !== undefined) return text;
      const m = mapped(f);
      if (m === undefined) return undefined;
      try { return fs.readFileSync(m, 'utf8'); } catch { return null; }
    },
    fileExists: (f) => {
      if (files.has(f)) return true;
      const m = mapped(f);
      return m === undefined ? undefined : stat(m)?.isFile() ?? false;
    },
    directoryExists: (d) => {
      const m = mapped(d);
      return m === undefined ? undefined : stat(m)?.isDirectory() ?? false;
    },
    realpath: (p) => {
      const m = mapped(p);
      if (m === undefined) return undefined;
      try { return fs.realpathSync(m); } catch { return m; }
    },
    getAccessibleEntries: (d) => {
      const m = mapped(d);
      if (m === undefined) return undefined;
      try {
        const entries = fs.readdirSync(m, { withFileTypes: true });
        return { files: entries.filter((e) => e.isFile()).map((e) => e.name), directories: entries.filter((e) => e.isDirectory()).map((e) => e.name) };
      } catch { return { files: [], directories: [] }; }
    },
  };
}
