/**
 * The compile step of the kernel: (earlier cells' declarations, cell source) -> (JavaScript to run,
 * diagnostics against the cell's own lines, this cell's declarations). Also completion, inspection
 * and is-complete, all from one TypeScript language service that sees every earlier cell.
 *
 * CellCompiler compiles, commits, resets and prepares; the parts it does that over are units of
 * their own: earlier cells' declaration files (declaration-slots.ts), TypeScript 6's programs and
 * the cells checked beside them (program-cache.ts), TypeScript 7's path (native-path.ts), and the
 * language service's host (service-host.ts).
 *
 * Knows TypeScript; knows nothing of sockets or of running code.
 */
import * as path from 'node:path';
import ts from 'typescript';
import { analyzeCell, CellAnalysis } from './cell-analysis';
import type { CellDiagnostic, CompiledCell, CompilerConfig, TypecheckMode } from './cell-types';
import { DeclarationSlots } from './declaration-slots';
import { CellDeclarations, importAliases, parseDeclarationEmit } from './declarations';
import { NativePath } from './native-path';
import { followsNodeFormats, loadCompilerOptions } from './options';
import { lineAndColumn, lineText } from './positions';
import { AUGMENTS_GLOBALS, CELL_FILE, EMPTY_CELL, ProgramCache } from './program-cache';
import { createServiceHost, kernelTypeRoot, VirtualFiles } from './service-host';
import { globalizeCell, importsToRuntime } from './transformers';

/** Diagnostics that are advice in a notebook, not reasons to refuse a cell. */
const WARNING_CODES = new Set([
  7016, // Could not find a declaration file for module: untyped packages still run.
]);

/**
 * What only a program can give a cell: modules to resolve (`import`, `export … from`) and
 * declarations for every file (`declare global`, `declare module`, `/// <reference>`). Matched
 * loosely: a false match only costs the faster path.
 */
const NEEDS_PROGRAM = new RegExp(String.raw`\bimport\b|\bfrom\s*['"\`]|\/\/\/\s*<reference|` + AUGMENTS_GLOBALS.source);
/** TypeScript's internal EmitOnly.Js: see compileIn. */
const JS_ONLY = 0;
/** Parsed library files (lib.*.d.ts, @types/node, TensorFlow.js) are shared by every compiler. */
const documentRegistry = ts.createDocumentRegistry();

export class CellCompiler {
  private readonly files = new VirtualFiles();
  private readonly slots: DeclarationSlots;
  private readonly service: ts.LanguageService;
  private readonly programs: ProgramCache;
  private readonly options: ts.CompilerOptions;
  private readonly cellPath: string;
  /**
   * The extension of the cell and declaration files: `.mts` where files are ES modules or CommonJS
   * as Node decides (Node16…NodeNext), because cells are ES modules whatever the package's `type`
   * (they use top-level await); `.ts` otherwise.
   */
  private readonly extension: '.ts' | '.mts';
  private readonly typecheck: TypecheckMode;
  readonly configWarnings: string[];
  readonly configPath: string | undefined;

  constructor(private readonly config: CompilerConfig) {
    const loaded = loadCompilerOptions(config.notebookDir, kernelTypeRoot(config.kernelRoot));
    this.options = loaded.options;
    this.configWarnings = loaded.warnings;
    this.configPath = loaded.configPath;
    this.typecheck = config.typecheck ?? 'error';
    this.extension = followsNodeFormats(this.options) ? '.mts' : '.ts';
    this.cellPath = path.join(config.notebookDir, CELL_FILE + this.extension);
    // The cell file first, then the slots: the language service's list of files keeps that order.
    this.files.set(this.cellPath, EMPTY_CELL);
    this.slots = new DeclarationSlots(config.notebookDir, this.extension, (file, text) => this.files.set(file, text));
    this.service = ts.createLanguageService(createServiceHost(config, this.options, this.files), documentRegistry);
    this.programs = new ProgramCache(this.service, this.files, this.cellPath, this.slots);
  }

  /**
   * Starts TypeScript 7's native checker, which then checks every cell it can (native-path.ts),
   * TypeScript 6 the rest. Returns whether it runs. `TSDL_NATIVE_CHECKER=0` keeps to TypeScript 6.
   */
  startNative(): boolean {
    if (!this.nativeTried) {
      this.nativeTried = true;
      this.native = NativePath.start({
        notebookDir: this.config.notebookDir, kernelRoot: this.config.kernelRoot, options: this.options,
        moduleAliases: this.config.moduleAliases ?? {}, globalDeclarationFiles: this.config.globalDeclarationFiles ?? [],
        cellPath: this.cellPath,
      }, this.slots, this.files, (found, source) => this.typecheck === 'off' ? []
        : found.map((d) => this.cellDiagnostic(d.start, d.length, d.code, d.category, d.message, source, false)));
    }
    return this.native?.running ?? false;
  }

  /** TypeScript 7's path once started (see startNative). */
  private native: NativePath | undefined;
  private nativeTried = false;

  close(): void {
    this.native?.close();
  }

  /** The text the checker sees for a cell: the cell, then exports that make declaration emit describe it. */
  private checkedText(source: string, analysis: CellAnalysis): string {
    const exportList = analysis.namesToExport.length ? `export { ${analysis.namesToExport.join(', ')} };` : 'export {};';
    return `${source}\n;${exportList}\n`;
  }

  compile(source: string, cellIndex: number): CompiledCell {
    return this.compileCell(source, cellIndex);
  }

  /**
   * Compiles `source` only to warm the compilers up (libraries parsed, the JIT trained): nothing of
   * it is committed, so it has no cell index and its imports no aliases.
   */
  warmUp(source: string): void {
    this.compileCell(source, undefined);
  }

  private compileCell(source: string, cellIndex: number | undefined): CompiledCell {
    const parsed = ts.createSourceFile(this.cellPath, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const analysis = analyzeCell(parsed);
    const checked = this.checkedText(source, analysis);
    const fast = this.native?.compile(source, checked, parsed, analysis);
    if (fast) {
      if (!fast.ok) return fast;
      // The import aliases are named after the cell's index, so they are added per run.
      const aliases = aliasesOf(cellIndex, analysis);
      return { ...fast, declarations: { imports: aliases.imports, entries: [...fast.declarations.entries, ...aliases.entries] } };
    }
    const beside = NEEDS_PROGRAM.test(source) ? undefined : this.programs.besideProgram(analysis, source);
    let result: CompiledCell | undefined;
    if (beside) {
      try {
        result = this.compileOnce(beside.program, checked + beside.suffix, source, analysis, true);
      } catch {
        // Checking a file beside a program is a path TypeScript itself does not take; should some
        // case of it fail inside TypeScript, the cell goes into a program like any other.
        this.programs.forgetBeside();
      }
    }
    if (!result) {
      this.programs.setCellText(checked);
      const program = this.programs.current();
      if (!program) throw new Error('internal error: TypeScript made no program');
      result = this.compileOnce(program, checked, source, analysis, false);
    }
    if (!result.ok) return result;
    const aliases = aliasesOf(cellIndex, analysis);
    const declarations: CellDeclarations = {
      imports: [...result.declarations.imports, ...aliases.imports],
      entries: [...result.declarations.entries, ...aliases.entries],
    };
    return { ...result, declarations };
  }

  private lastCompiled: { program: ts.Program; text: string; result: CompiledCell } | undefined;

  /**
   * Compiles `text` (the cell, then what checkedText and pendingDeclarations add) against
   * `program`, beside it or as its cell file. A cell run again unchanged, with nothing declared
   * since, compiles against the same program to the same text: its last result is reused.
   */
  private compileOnce(program: ts.Program, text: string, source: string, analysis: CellAnalysis, beside: boolean): CompiledCell {
    const last = this.lastCompiled;
    if (last && last.program === program && last.text === text) return last.result;
    const result = this.compileIn(program, beside ? this.programs.fileBeside(program, text) : this.programs.cellFileOf(program), source, analysis);
    this.lastCompiled = { program, text, result };
    return result;
  }

  /** Checks and emits the cell file of `program`; `declarations` holds the emitted ones only. */
  private compileIn(program: ts.Program, sf: ts.SourceFile, source: string, analysis: CellAnalysis): CompiledCell {
    // From the program, not the language service: each service call first re-checks every file's
    // version, and its semantic diagnostics would run the declaration transform that emit runs again.
    const syntactic = program.getSyntacticDiagnostics(sf);
    const semantic = this.typecheck === 'off' || syntactic.length ? [] : program.getSemanticDiagnostics(sf);
    // Past the cell's own text is only the export list checkedText appended: nothing of the user's.
    const inCell = (d: ts.Diagnostic): boolean => d.start === undefined || d.start < source.length;
    const diagnostics = [...syntactic, ...semantic].filter(inCell)
      .map((d) => this.toCellDiagnostic(d, source, syntactic.includes(d as ts.DiagnosticWithLocation)));
    const blocked = (): boolean => diagnostics.some((d) => d.category === 'error');
    const notRun = (): CompiledCell =>
      ({ ok: false, diagnostics, js: '', sourceMap: '', declaredNames: analysis.declaredNames, declarations: { imports: [], entries: [] } });
    if (blocked()) return notRun();

    let js = '';
    let sourceMap = '';
    let dts = '';
    // A cell that declares nothing (`1+1`, a plot) has no declarations for later cells: emit only its
    // JavaScript. TypeScript's public `emit` takes a boolean "declarations only" here; internally it
    // is an enum whose 0 means "JavaScript only" (EmitOnly.Js, stable since TypeScript 4.x). Should
    // that change, declarations would be emitted anyway (slower, still correct).
    const jsOnly = analysis.namesToExport.length === 0 && !analysis.declaresGlobals ? (JS_ONLY as unknown as boolean) : false;
    const emit = program.emit(sf, (name, text) => {
      if (/\.d\.m?ts$/.test(name)) dts = text;
      else if (name.endsWith('.map')) sourceMap = text;
      else if (/\.m?js$/.test(name)) js = text;
    }, undefined, jsOnly, { before: [importsToRuntime], after: [globalizeCell(analysis.lastExpression && findOriginal(sf, analysis))] });
    // Declaration diagnostics (a type that declaration emit cannot name), as the language service
    // would give them; they also make TypeScript skip the .d.ts, so they come before emitSkipped.
    if (this.typecheck !== 'off' && emit.diagnostics.length) {
      diagnostics.push(...emit.diagnostics.filter(inCell).map((d) => this.toCellDiagnostic(d, source, false)));
      if (blocked()) return notRun();
    }
    if (!js) throw new Error('internal error: TypeScript skipped emitting the cell');
    js = js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
    return { ok: true, diagnostics, js, sourceMap, declaredNames: analysis.declaredNames,
      declarations: dts ? ownDeclarations(parseDeclarationEmit(dts), analysis) : { imports: [], entries: [] } };
  }

  private toCellDiagnostic(d: ts.Diagnostic, source: string, syntactic: boolean): CellDiagnostic {
    return this.cellDiagnostic(d.start ?? 0, d.length ?? 0, d.code, d.category, ts.flattenDiagnosticMessageText(d.messageText, '\n'), source, syntactic);
  }

  /** A diagnostic at `start` in the cell, from either checker; an error only if it stops the cell under this typecheck mode. */
  private cellDiagnostic(start: number, length: number, code: number, category: ts.DiagnosticCategory, message: string, source: string,
    syntactic: boolean): CellDiagnostic {
    const { line, column } = lineAndColumn(source, start);
    const isError = category === ts.DiagnosticCategory.Error && (syntactic || this.typecheck === 'error') && !WARNING_CODES.has(code);
    return { category: isError ? 'error' : 'warning', code, message, line, column, length, lineText: lineText(source, line) };
  }

  /** After the cell ran: later cells see its declarations, and older ones of the same names go. */
  commit(cell: CompiledCell, cellIndex: number): void {
    this.slots.commit(cellIndex, cell.declaredNames, cell.declarations);
  }

  /** Forget every cell (the runtime restarted). */
  reset(): void {
    this.slots.reset();
  }

  /** Sets the cell file to code being edited (for completion and inspection). */
  private edit(code: string): void {
    const parsed = ts.createSourceFile(this.cellPath, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    this.programs.setCellText(this.checkedText(code, analyzeCell(parsed)));
  }

  /** Makes the program (and checker) the next cell will be checked beside, e.g. while the kernel is idle. */
  prepare(): void {
    this.native?.prepare();
    this.programs.prepare();
  }

  get languageService(): ts.LanguageService {
    return this.service;
  }

  /** Runs `fn` with the cell file holding `code`; positions in `code` are positions in the file. */
  withCode<T>(code: string, fn: (service: ts.LanguageService, fileName: string) => T): T {
    this.edit(code);
    return fn(this.service, this.cellPath);
  }
}

/**
 * The cell's own entries of its declaration emit. Declaration emit also writes the file's local
 * declarations that exported ones refer to: the pending declarations of earlier cells a cell
 * beside the program takes along, which are not this cell's.
 */
function ownDeclarations(decls: CellDeclarations, analysis: CellAnalysis): CellDeclarations {
  const own = new Set(analysis.declaredNames);
  return { imports: decls.imports, entries: decls.entries.filter((e) => own.has(e.name)) };
}

/** The declarations that carry a cell's imports to later cells (none for a warm-up compile, never committed). */
function aliasesOf(cellIndex: number | undefined, analysis: CellAnalysis): CellDeclarations {
  return cellIndex === undefined ? { imports: [], entries: [] } : importAliases(cellIndex, analysis.imports);
}

function findOriginal(sf: ts.SourceFile, analysis: CellAnalysis): ts.Node | undefined {
  // The analysis parsed its own copy; find the same statement in the program's source file.
  const last = analysis.lastExpression;
  if (!last) return undefined;
  return sf.statements.find((s) => s.pos === last.pos && ts.isExpressionStatement(s));
}
