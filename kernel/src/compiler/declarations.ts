/**
 * What earlier cells declared, as the type checker of a later cell needs it.
 *
 * Each executed cell leaves one virtual `.d.ts` module: its declaration emit, moved into
 * `declare global { … }` so later cells (each its own module) see the names as globals, plus one
 * `export import name = …` alias per import, so an imported name keeps every meaning it has (a
 * value, a type, a namespace: `tf` from `import * as tf`, a class, an overloaded function). When a
 * later cell declares a name again, the older entry is dropped; that is what lets a notebook
 * re-run `const x = …`.
 */
import ts from 'typescript';
import { CellImport } from './cell-analysis';

/** One declared name's text inside `declare global`. */
interface Entry {
  name: string;
  text: string;
}

export interface CellDeclarations {
  /** Module-level imports and re-exports: what the declaration emit needed (`import * as tf from "…"`), and importAliases's. */
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

/** The namespace through which a declaration file's entries reach its own re-exports (see importAliases). */
const SELF = '__tsdl_self';

/**
 * The alias entries and module-level statements that carry a cell's imports over to later cells.
 *
 * `import a = b` resolves `b` as a namespace only, so an alias of `import { readFileSync }` (a
 * function) or of a default-exported object would lose its value and its type; `import a = b.c`
 * resolves every meaning of `c`. So a default or named import becomes a re-export of the file,
 * `export { readFileSync as __tsdl_import_3_0 } from "node:fs"` (resolved exactly as the cell's
 * import was, `export =` modules and esModuleInterop included), and the global entry aliases it
 * through the file's own namespace: `export import readFileSync = __tsdl_self.__tsdl_import_3_0`.
 */
export function importAliases(cellIndex: number, imports: CellImport[]): { imports: string[]; entries: Entry[] } {
  const result = { imports: [] as string[], entries: [] as Entry[] };
  imports.forEach((imp, i) => {
    const alias = `__tsdl_import_${cellIndex}_${i}`;
    const spec = JSON.stringify(imp.specifier);
    const type = imp.typeOnly ? 'type ' : '';
    let target = alias;
    if (imp.kind === 'namespace') result.imports.push(`import ${type}* as ${alias} from ${spec};`);
    else if (imp.kind === 'require') result.imports.push(`import ${alias} = require(${spec});`);
    else {
      const imported = imp.kind === 'default' ? 'default' : exportName(imp.imported ?? imp.local);
      result.imports.push(`export ${type}{ ${imported} as ${alias} } from ${spec};`);
      target = `${SELF}.${alias}`;
    }
    result.entries.push({ name: imp.local, text: `export import ${imp.local} = ${target};` });
  });
  return result;
}

/** An export's name as an export clause spells it: `"a-b"` for a name that is not an identifier. */
function exportName(name: string): string {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name) ? name : JSON.stringify(name);
}

/**
 * The text of one cell's virtual declaration file, with only the entries still alive. An empty one
 * still has its (empty) `declare global`: TypeScript reuses a program's structure only when every
 * file keeps its module augmentations, so a slot going from empty to filled would otherwise make
 * the next program resolve every file again (a third of a 100-line cell's compile).
 */
export function declarationFileText(decls: CellDeclarations, selfSpecifier: string): string {
  if (decls.entries.length === 0) return 'declare global {}\nexport {};\n';
  const self = decls.entries.some((e) => e.text.includes(`= ${SELF}.`)) ? `import * as ${SELF} from ${JSON.stringify(selfSpecifier)};\n` : '';
  return `${self}${decls.imports.join('\n')}\ndeclare global {\n${decls.entries.map((e) => e.text).join('\n')}\n}\nexport {};\n`;
}

/** Drops the entries for `names` (redeclared by a newer cell). Returns whether anything changed. */
export function dropNames(decls: CellDeclarations, names: ReadonlySet<string>): boolean {
  const before = decls.entries.length;
  decls.entries = decls.entries.filter((e) => !names.has(e.name));
  return decls.entries.length !== before;
}
