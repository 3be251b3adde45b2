/**
 * What the compile step takes and gives: its configuration, a compiled cell and a diagnostic.
 * Shared by the compiler's units, its thread's client and the server, so that none of them
 * imports the compiler itself for a type.
 */
import type { CellDeclarations } from './declarations';

export type TypecheckMode = 'error' | 'warn' | 'off';

export interface CellDiagnostic {
  category: 'error' | 'warning';
  code: number;
  message: string;
  /** 1-based, in the cell's own lines. */
  line: number;
  column: number;
  length: number;
  lineText: string;
}

export interface CompiledCell {
  /** False when errors stop the cell from running; `diagnostics` says why. */
  ok: boolean;
  diagnostics: CellDiagnostic[];
  /** JavaScript that evaluates to a promise of the cell's result. */
  js: string;
  /** Source map (JSON) from `js` back to the cell source. */
  sourceMap: string;
  /** Names the cell declares; pass the whole result to {@link CellCompiler.commit} after running it. */
  declaredNames: string[];
  /** @internal what commit() installs. */
  declarations: CellDeclarations;
}

export interface CompilerConfig {
  /** Folder of the notebook: relative imports, node_modules and tsconfig.json are found from here. */
  notebookDir: string;
  /** Root of the tsdl package: its node_modules are the fallback for packages and Node's types. */
  kernelRoot: string;
  /** Module name -> file, for modules the kernel provides (`tslab`, `tsdl`). */
  moduleAliases?: Record<string, string>;
  /** Extra declaration files every cell sees (the kernel's globals: display, input…). */
  globalDeclarationFiles?: string[];
  typecheck?: TypecheckMode;
}
