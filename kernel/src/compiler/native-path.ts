/**
 * The native path of the compile step: TypeScript 7 checks the cell and writes the types of what
 * it declares (native-checker.ts, native-declarations.ts), SWC strips the types (swc-emit.ts);
 * TypeScript 6 only parses it. A cell this path does not describe exactly (classes, enums,
 * `declare global`…; see nativeDeclarable and emitCellJs) is left to TypeScript 6, whose
 * declarations reach TypeScript 7 through the slots like any other's.
 */
import ts from 'typescript';
import type { CellAnalysis } from './cell-analysis';
import type { CellDiagnostic, CompiledCell } from './cell-types';
import type { DeclarationSlots, SlotChanges } from './declaration-slots';
import { NativeCheck, NativeConfig, NativeDiagnosticOut } from './native-checker';
import { namesToInfer, nativeDeclarable, nativeDeclarations } from './native-declarations';
import type { VirtualFiles } from './service-host';
import { emitCellJs } from './swc-emit';

/** Declarations of cells run since TypeScript 7 was last given the slots that a cell takes along (see compile). */
const MAX_PENDING = 3000;

export class NativePath {
  /** Undefined once TypeScript 7 failed: TypeScript 6 then compiles every cell. */
  private check: NativeCheck | undefined;
  /**
   * Slots whose text TypeScript 7 has not been given yet. A changed declaration file makes it start
   * its checker over (~50 ms); so, as for TypeScript 6's checker, cells that come back to back
   * carry the declarations of the cells before them in their own text, and the slots go over when
   * the kernel is idle (prepare) or when that would not be exact.
   */
  private readonly changes: SlotChanges;
  /** Bumped whenever TypeScript 7 is given changed slots: a cached result is then stale. */
  private generation = 0;
  /** The last compile, its cell's own declarations without import aliases. */
  private last: { text: string; generation: number; result: CompiledCell } | undefined;

  /**
   * TypeScript 7's path, or undefined when it is missing or would not check as TypeScript 6 does.
   * `diagnose` turns its diagnostics into the cell's (the kernel's typecheck mode decides which stop it).
   */
  static start(config: NativeConfig, slots: DeclarationSlots, files: VirtualFiles,
    diagnose: (found: NativeDiagnosticOut[], source: string) => CellDiagnostic[]): NativePath | undefined {
    const initial = new Map(slots.paths().map((f) => [f, files.text(f)!] as [string, string]));
    const check = NativeCheck.start(config, initial);
    return check && new NativePath(check, config.cellPath, slots, files, diagnose);
  }

  private constructor(check: NativeCheck, private readonly cellPath: string, private readonly slots: DeclarationSlots,
    private readonly files: VirtualFiles, private readonly diagnose: (found: NativeDiagnosticOut[], source: string) => CellDiagnostic[]) {
    this.check = check;
    this.changes = slots.track();
  }

  get running(): boolean {
    return this.check !== undefined;
  }

  /**
   * The cell compiled on this path (its own declarations, without import aliases), or undefined
   * for a cell it leaves to TypeScript 6. `checked`: the cell's text as the checker sees it.
   */
  compile(source: string, checked: string, parsed: ts.SourceFile, analysis: CellAnalysis): CompiledCell | undefined {
    const check = this.check;
    // A syntax error is TypeScript 6's to report (it parsed the cell already).
    if (!check || (parsed as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics?.length
      || !nativeDeclarable(parsed, analysis)) return undefined;
    let suffix = this.slots.pendingDeclarations(new Set(analysis.declaredNames), this.changes, MAX_PENDING);
    if (suffix === undefined) {
      this.flush();
      suffix = '';
    }
    const text = checked + suffix;
    // A cell run again unchanged, with nothing declared since, gets its last result again.
    const last = this.last;
    if (last && last.text === text && last.generation === this.generation) return last.result;
    const result = this.compileText(check, text, source, parsed, analysis);
    if (result) this.last = { text, generation: this.generation, result };
    return result;
  }

  /** Gives TypeScript 7 the slots and makes its checker for the next cell, e.g. while the kernel is idle. */
  prepare(): void {
    if (!this.check) return;
    this.flush();
    try {
      this.check.sync();
    } catch {
      this.stop();
    }
  }

  close(): void {
    this.check?.close();
  }

  private flush(): void {
    if (this.changes.any) this.generation++;
    for (const slot of this.changes.slots) this.check?.setFile(this.slots.slotPath(slot), this.files.text(this.slots.slotPath(slot))!);
    this.changes.clear();
  }

  private stop(): void {
    this.check?.close();
    this.check = undefined;
  }

  private compileText(check: NativeCheck, text: string, source: string, parsed: ts.SourceFile, analysis: CellAnalysis): CompiledCell | undefined {
    const emitted = emitCellJs(source, parsed, analysis, this.cellPath);
    if (!emitted) return undefined;
    let found: NativeDiagnosticOut[];
    let inferred: Map<string, string>;
    try {
      found = check.check(text);
      inferred = check.typesAt(namesToInfer(parsed));
    } catch {
      // The native checker failed (its process died?): TypeScript 6 compiles this cell and every later one.
      this.stop();
      return undefined;
    }
    const diagnostics = this.diagnose(found.filter((d) => d.start < source.length), source);
    if (diagnostics.some((d) => d.category === 'error')) {
      return { ok: false, diagnostics, js: '', sourceMap: '', declaredNames: analysis.declaredNames, declarations: { imports: [], entries: [] } };
    }
    const own = nativeDeclarations(parsed, inferred);
    if (!own) return undefined;
    return { ok: true, diagnostics, js: emitted.js, sourceMap: emitted.sourceMap, declaredNames: analysis.declaredNames, declarations: own };
  }
}
