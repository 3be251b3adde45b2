/**
 * What earlier cells declared, as the type checker of a later cell needs it.
 *
 * Each executed cell leaves one virtual `.d.ts` module: its declaration emit, moved into
 * `declare global { … }` so later cells (each its own module) see the names as globals, plus one
 * `export import name = …` alias per import so `tf` from `import * as tf` stays a namespace, a
 * value and a type. When a later cell declares a name again, the older entry is dropped; that is
 * what lets a notebook re-run `const x = …`.
 */
import ts from 'typescript';
import { CellImport } from './cell-analysis';

/** One declared name's text inside `declare global`. */
interface Entry {
  name: string;
  text: string;
}

export interface CellDeclarations {
  /** Module-level imports the declaration emit needed (`import * as tf from "…"`). */
  imports: string[];
  entries: Entry[];
}

/** Modifiers a declaration loses inside `declare global`. */
export const MODIFIERS = /^(?:(?:export|declare|default)\s+)+/;

/** A statement's doc comments, each on its own line, for its declaration entry. */
export function leadingDocs(text: string, node: ts.Node): string {
  const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
  return ranges.map((r) => text.slice(r.pos, r.end)).filter((c) => c.startsWith('/**')).map((c) => c + '\n').join('');
}

/** Parses a cell's declaration emit into entries, one per declared name. */
export function parseDeclarationEmit(dts: string): CellDeclarations {
  const sf = ts.createSourceFile('cell.d.ts', dts, ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const entries: Entry[] = [];
  const addAll = (statements: readonly ts.Statement[]): void => statements.forEach((st) => addStatement(st));
  const addStatement = (st: ts.Statement): void => {
    if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) {
      imports.push(st.getText(sf));
      return;
    }
    if (ts.isExportDeclaration(st) || ts.isExportAssignment(st)) return;
    // The cell's own `declare global { … }`: its declarations go in with the cell's others.
    if (ts.isModuleDeclaration(st) && st.flags & ts.NodeFlags.GlobalAugmentation) {
      if (st.body && ts.isModuleBlock(st.body)) addAll(st.body.statements);
      return;
    }
    const docs = leadingDocs(dts, st);
    if (ts.isVariableStatement(st)) {
      const keyword = st.declarationList.flags & ts.NodeFlags.Const ? 'const' : st.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) entries.push({ name: d.name.text, text: `${docs}${keyword} ${d.getText(sf)};` });
      }
      return;
    }
    const named = st as ts.Statement & { name?: ts.Node };
    if (named.name && ts.isIdentifier(named.name)) {
      entries.push({ name: named.name.text, text: docs + st.getText(sf).replace(MODIFIERS, '') });
    }
  };
  addAll(sf.statements);
  return { imports, entries };
}

/** The alias entries and module imports that carry a cell's imports over to later cells. */
export function importAliases(cellIndex: number, imports: CellImport[]): { imports: string[]; entries: Entry[] } {
  const result = { imports: [] as string[], entries: [] as Entry[] };
  imports.forEach((imp, i) => {
    const alias = `__tsdl_import_${cellIndex}_${i}`;
    const spec = JSON.stringify(imp.specifier);
    const type = imp.typeOnly ? 'type ' : '';
    const clause = imp.kind === 'namespace' ? `* as ${alias}` : imp.kind === 'default' ? alias
      : imp.kind === 'named' ? `{ ${imp.imported} as ${alias} }` : undefined;
    result.imports.push(clause === undefined ? `import ${alias} = require(${spec});` : `import ${type}${clause} from ${spec};`);
    result.entries.push({ name: imp.local, text: `export import ${imp.local} = ${alias};` });
  });
  return result;
}

/**
 * The text of one cell's virtual declaration file, with only the entries still alive. An empty one
 * still has its (empty) `declare global`: TypeScript reuses a program's structure only when every
 * file keeps its module augmentations, so a slot going from empty to filled would otherwise make
 * the next program resolve every file again (a third of a 100-line cell's compile).
 */
export function declarationFileText(decls: CellDeclarations): string {
  if (decls.entries.length === 0) return 'declare global {}\nexport {};\n';
  return `${decls.imports.join('\n')}\ndeclare global {\n${decls.entries.map((e) => e.text).join('\n')}\n}\nexport {};\n`;
}

/** Drops the entries for `names` (redeclared by a newer cell). Returns whether anything changed. */
export function dropNames(decls: CellDeclarations, names: ReadonlySet<string>): boolean {
  const before = decls.entries.length;
  decls.entries = decls.entries.filter((e) => !names.has(e.name));
  return decls.entries.length !== before;
}
