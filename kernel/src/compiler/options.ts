/**
 * Compiler options for notebook cells: the user's `tsconfig.json` (the nearest one to the
 * notebook), read as `tsc -p` reads it, with the few settings a notebook cannot work without
 * forced on top. docs/kernel.md ("tsdl for TypeScript projects") says what differs and why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface LoadedOptions {
  options: ts.CompilerOptions;
  /** The tsconfig.json used, if any. */
  configPath: string | undefined;
  /** Problems reading it: shown to the user once, never fatal. */
  warnings: string[];
}

/** Module kinds in which a file may use top-level `await`, as every cell may. */
const TOP_LEVEL_AWAIT_MODULES = new Set([ts.ModuleKind.ES2022, ts.ModuleKind.ESNext, ts.ModuleKind.Node16, ts.ModuleKind.Node18,
  ts.ModuleKind.Node20, ts.ModuleKind.NodeNext, ts.ModuleKind.Preserve]);

/** Whether files are ES modules or CommonJS by their extension and package.json `type`, as in Node (Node16…NodeNext). */
export function followsNodeFormats(options: ts.CompilerOptions): boolean {
  const m = options.module;
  return m !== undefined && m >= ts.ModuleKind.Node16 && m <= ts.ModuleKind.NodeNext;
}

/**
 * The module system cells are checked in: the project's own when a file there can use top-level
 * await (ES2022, ESNext, Node16…NodeNext, Preserve) with its moduleResolution (or TypeScript's
 * default for it); otherwise, or without a tsconfig, ESNext resolved as bundlers and Node resolve
 * packages (`exports`, extensionless relative imports).
 */
function moduleOptions(user: ts.CompilerOptions): Pick<ts.CompilerOptions, 'module' | 'moduleResolution'> {
  if (user.module !== undefined && TOP_LEVEL_AWAIT_MODULES.has(user.module)) return { module: user.module, moduleResolution: user.moduleResolution };
  return { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
}

/** Options a notebook depends on; everything else is the user's to choose. */
function forced(user: ts.CompilerOptions): ts.CompilerOptions {
  // Top-level await needs ES2017; below it, ES2022 (the default without a tsconfig).
  const target = user.target === undefined || user.target < ts.ScriptTarget.ES2017 ? ts.ScriptTarget.ES2022 : user.target;
  return {
    ...moduleOptions(user),
    target,
    // Emit goes to memory; declaration emit is how later cells learn this cell's types.
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: false,
    declarationMap: false,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: false,
    outDir: undefined,
    outFile: undefined,
    rootDir: undefined,
    composite: false,
    incremental: false,
    isolatedModules: false,
    verbatimModuleSyntax: false,
    // A name imported or declared in one cell and used in the next is normal in a notebook.
    noUnusedLocals: false,
    noUnusedParameters: false,
    allowImportingTsExtensions: true,
    esModuleInterop: true,
    allowSyntheticDefaultImports: true,
    skipLibCheck: true,
    noEmitOnError: false,
    removeComments: false,
  };
}

/**
 * The defaults of a notebook with no tsconfig.json: strict, Node's types, and ES2023 without the
 * DOM (cells run in Node, not a browser; leaving out lib.dom.d.ts also makes the kernel's first
 * cell about a quarter faster). A tsconfig.json replaces them all, as for tsc: its `lib` (or the
 * default lib of its `target`) and its strictness; only Node's types stay (see loadCompilerOptions).
 */
const NOTEBOOK_DEFAULTS: ts.CompilerOptions = {
  strict: true,
  types: ['node'],
  lib: ['lib.es2023.d.ts'],
  resolveJsonModule: true,
};

export function loadCompilerOptions(notebookDir: string, extraTypeRoot: string | undefined): LoadedOptions {
  const configPath = ts.findConfigFile(notebookDir, (f) => fs.existsSync(f), 'tsconfig.json');
  const warnings: string[] = [];
  let user: ts.CompilerOptions | undefined;
  if (configPath) {
    const read = ts.readConfigFile(configPath, (f) => fs.readFileSync(f, 'utf8'));
    if (read.error) {
      warnings.push(`Could not read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}. Using notebook defaults.`);
    } else {
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
      for (const d of parsed.errors) {
        // "No inputs were found" only means the tsconfig's include does not list notebooks.
        if (d.code !== 18003) warnings.push(`${configPath}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
      user = parsed.options;
    }
  }
  const options: ts.CompilerOptions = { ...(user ? {} : NOTEBOOK_DEFAULTS), ...user, ...forced(user ?? {}) };
  if (!user?.types) options.types = ['node'];
  if (extraTypeRoot) {
    // Node's types come with the kernel, so `process` and `Buffer` type-check in any folder.
    options.typeRoots = [...(user?.typeRoots ?? defaultTypeRoots(notebookDir)), extraTypeRoot];
  }
  return { options, configPath, warnings };
}

/** What TypeScript uses when typeRoots is unset: node_modules/@types in every ancestor folder. */
function defaultTypeRoots(dir: string): string[] {
  const roots: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', '@types');
    if (fs.existsSync(candidate)) roots.push(candidate);
    if (path.dirname(d) === d) return roots;
  }
}
