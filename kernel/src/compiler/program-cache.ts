/**
 * TypeScript 6's programs for cells: the language service's program, and cells checked *beside* it.
 *
 * Most cells need nothing the program lacks, so they are checked beside it: their own file, bound
 * and checked by the program's existing checker, instead of a new program with the cell file
 * changed. A new program costs a walk over every library file and a new checker that merges every
 * global again; a file beside it, its own parse, bind and check. The cell is a module, so nothing
 * it declares leaks into the program.
 */
import * as path from 'node:path';
import ts from 'typescript';
import type { CellAnalysis } from './cell-analysis';
import type { DeclarationSlots, SlotChanges } from './declaration-slots';
import type { VirtualFiles } from './service-host';

/** The cell file's name without its extension. */
export const CELL_FILE = '__tsdl_cell__';
/** The cell file's text when it holds no cell (see besideProgram). */
export const EMPTY_CELL = 'export {};\n';
/** Text that declares something for every file of a program (matched loosely: a false match only costs the faster path). */
export const AUGMENTS_GLOBALS = /\bdeclare\s+(?:global|module)\b/;
/** Cells checked beside one program before a new program (and checker) is made; see besideProgram. */
const CELLS_PER_CHECKER = 100;
/**
 * Declarations of cells run since the program was made that a cell beside it takes along (see
 * DeclarationSlots.pendingDeclarations); TypeScript 7's path takes far more (native-path.ts).
 */
const MAX_PENDING = 150;
/** TypeScript's binder: public in the typescript package's namespace though not in its types. */
const bindSourceFile = (ts as unknown as { bindSourceFile?: (file: ts.SourceFile, options: ts.CompilerOptions) => void }).bindSourceFile;
/** The file identity TypeScript keeps internally; a file made outside a program must carry it too. */
type InternalSourceFile = ts.SourceFile & {
  path: string; resolvedPath: string; originalFileName: string;
  imports: readonly ts.StringLiteralLike[]; moduleAugmentations: readonly (ts.StringLiteral | ts.Identifier)[]; ambientModuleNames: readonly string[];
};

export class ProgramCache {
  /** Slots changed since the program was made (cells beside it take them along). */
  private readonly changes: SlotChanges;
  /** The program cells are checked beside, and how many were. */
  private beside: { program: ts.Program; cells: number } | undefined;
  /** Names each file beside a program apart: the checker caches diagnostics by path. */
  private besideSerial = 0;

  constructor(private readonly service: ts.LanguageService, private readonly files: VirtualFiles, private readonly cellPath: string,
    private readonly slots: DeclarationSlots) {
    this.changes = slots.track();
  }

  cellFileOf(program: ts.Program): ts.SourceFile {
    const sf = program.getSourceFile(this.cellPath);
    if (!sf) throw new Error('internal error: the TypeScript program lost the cell file');
    return sf;
  }

  setCellText(text: string): void {
    this.files.set(this.cellPath, text);
  }

  /** Whether the cell file's text declares anything for other files (a cell put into the program, a completion). */
  get cellAugments(): boolean {
    return AUGMENTS_GLOBALS.test(this.files.text(this.cellPath) ?? '');
  }
  /**
   * Most cells need nothing the program lacks, so they are checked *beside* it: their own file,
   * bound and checked by the program's existing checker, instead of a new program with the cell
   * file changed. A new program costs a walk over every library file and a new checker that merges
   * every global again (~5 ms warm, 10–15 cold, for a one-liner); a file beside it, its own parse,
   * bind and check. The cell is a module, so nothing it declares leaks into the program. Cells
   * that ran since the program was made come along as pendingDeclarations; a new program is made
   * when they cannot, when the cell file declares globals, and after CELLS_PER_CHECKER cells so
   * the checker's caches of cells long gone are let go. Returns undefined where no cell can be
   * checked beside a program (then the cell goes into one).
   */
  besideProgram(cell: CellAnalysis, source: string): { program: ts.Program; suffix: string } | undefined {
    if (!bindSourceFile) return undefined;
    const base = this.beside;
    if (base && !this.cellAugments && base.cells < CELLS_PER_CHECKER && !source.includes('globalThis')) {
      const suffix = this.slots.pendingDeclarations(new Set(cell.declaredNames), this.changes, MAX_PENDING);
      if (suffix !== undefined) {
        base.cells++;
        return { program: base.program, suffix };
      }
    }
    // A cell file declaring globals (`declare global`) would show them to the cell beside it; a
    // checker that has seen many cells is let go by changing the cell file, which makes a new one.
    if (this.cellAugments) this.setCellText(EMPTY_CELL);
    else if (base && base.cells >= CELLS_PER_CHECKER) this.setCellText(this.files.text(this.cellPath) === EMPTY_CELL ? `${EMPTY_CELL}\n` : EMPTY_CELL);
    const program = this.current();
    if (!program) return undefined;
    this.beside!.cells++;
    return { program, suffix: '' };
  }

  /** The language service's program, with every slot as it is now. */
  current(): ts.Program | undefined {
    const program = this.service.getProgram();
    if (program && program !== this.beside?.program) this.beside = { program, cells: 0 };
    this.changes.clear();
    return program;
  }

  /** A bound source file for `text` next to the cell file, new to `program`'s checker. */
  fileBeside(program: ts.Program, text: string): ts.SourceFile {
    const cellFile = this.cellFileOf(program) as InternalSourceFile;
    const name = `__tsdl_cell_${++this.besideSerial}__${path.extname(this.cellPath)}`;
    const ownName = path.basename(this.cellPath);
    const fileName = this.cellPath.slice(0, -ownName.length) + name;
    const sf = ts.createSourceFile(fileName, text,
      { languageVersion: cellFile.languageVersion, impliedNodeFormat: cellFile.impliedNodeFormat }, true, ts.ScriptKind.TS) as InternalSourceFile;
    // The checker caches each file's diagnostics by path: every cell beside the program has its own.
    sf.path = sf.resolvedPath = cellFile.path.slice(0, -ownName.length) + name;
    sf.originalFileName = fileName;
    // What a program records of each of its files' module references while it is made; a cell
    // beside it has none (CellCompiler sends those that do into a program).
    sf.imports = [];
    sf.moduleAugmentations = [];
    sf.ambientModuleNames = [];
    bindSourceFile!(sf, program.getCompilerOptions());
    return sf;
  }

  /** After checking beside the program failed inside TypeScript: the next cell goes into a program. */
  forgetBeside(): void {
    this.beside = undefined;
  }

  /** Makes the program (and checker) the next cell will be checked beside. */
  prepare(): void {
    if (this.cellAugments) this.setCellText(EMPTY_CELL);
    this.current()?.getTypeChecker();
  }
}
