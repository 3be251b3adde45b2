/**
 * What a cell declares at its top level: the names later cells will see, and its imports.
 * Read from the parsed cell alone (no type checker), so it is cheap and pure.
 */
import ts from 'typescript';

export interface CellImport {
  /** Name the cell binds (`tf` in `import * as tf from "x"`). */
  local: string;
  /** What is imported: the whole namespace, the default export, a named export, or `require`. */
  kind: 'namespace' | 'default' | 'named' | 'require';
  /** The exported name for `named` imports (`matMul` in `import { matMul as mm }`). */
  imported?: string;
  specifier: string;
  typeOnly: boolean;
}

export interface CellAnalysis {
  /** Every top-level name the cell declares (values, types and imports), in source order. */
  declaredNames: string[];
  /** Names the cell declares that need `export { … }` appended so declaration emit describes them. */
  namesToExport: string[];
  imports: CellImport[];
  /** Whether the cell has a `declare global { … }`, whose declarations later cells see too. */
  declaresGlobals: boolean;
  /** The cell's last statement when it is an expression: its value is the cell's result. */
  lastExpression: ts.ExpressionStatement | undefined;
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** `using` / `await using` (their flags overlap `const`'s, hence the comparison). */
export function isUsing(list: ts.VariableDeclarationList): boolean {
  const kind = list.flags & ts.NodeFlags.BlockScoped;
  return kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing;
}

/** Identifiers bound by a declaration name: `x`, or every leaf of `{ a, b: [c, ...d] }`. */
export function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : boundNames(el.name)));
}

function importsOf(statement: ts.ImportDeclaration): CellImport[] {
  const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
  const clause = statement.importClause;
  if (!clause) return [];
  const typeOnly = clause.isTypeOnly;
  const result: CellImport[] = [];
  if (clause.name) result.push({ local: clause.name.text, kind: 'default', specifier, typeOnly });
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    result.push({ local: bindings.name.text, kind: 'namespace', specifier, typeOnly });
  } else if (bindings) {
    for (const el of bindings.elements) {
      result.push({
        local: el.name.text, kind: 'named', imported: (el.propertyName ?? el.name).text, specifier,
        typeOnly: typeOnly || el.isTypeOnly,
      });
    }
  }
  return result;
}

export function analyzeCell(sf: ts.SourceFile): CellAnalysis {
  const declared: string[] = [];
  const toExport: string[] = [];
  const imports: CellImport[] = [];
  let declaresGlobals = false;
  const add = (names: string[], exported: boolean): void => {
    for (const n of names) {
      if (!declared.includes(n)) declared.push(n);
      if (!exported && !toExport.includes(n)) toExport.push(n);
    }
  };
  // `inGlobal`: inside `declare global { … }`, whose names are already global (nothing to export).
  const visit = (st: ts.Statement, inGlobal: boolean): void => {
    const exported = inGlobal || hasModifier(st, ts.SyntaxKind.ExportKeyword);
    if (ts.isImportDeclaration(st)) {
      const found = importsOf(st);
      imports.push(...found);
      add(found.map((i) => i.local), true);
    } else if (ts.isImportEqualsDeclaration(st)) {
      if (ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
        imports.push({ local: st.name.text, kind: 'require', specifier: st.moduleReference.expression.text, typeOnly: st.isTypeOnly });
        add([st.name.text], true);
      } else {
        add([st.name.text], exported);
      }
    } else if (ts.isVariableStatement(st)) {
      add(st.declarationList.declarations.flatMap((d) => boundNames(d.name)), exported);
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
      add([st.name.text], exported || hasModifier(st, ts.SyntaxKind.DefaultKeyword));
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) {
      add([st.name.text], exported);
    } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
      // `declare global { … }` is not a name, what it declares is; namespaces are names.
      if (st.flags & ts.NodeFlags.GlobalAugmentation) {
        declaresGlobals = true;
        if (st.body && ts.isModuleBlock(st.body)) st.body.statements.forEach((inner) => visit(inner, true));
      } else add([st.name.text], exported);
    }
  };
  sf.statements.forEach((st) => visit(st, false));
  const last = sf.statements[sf.statements.length - 1];
  return {
    declaredNames: declared,
    namesToExport: toExport,
    imports,
    declaresGlobals,
    lastExpression: last && ts.isExpressionStatement(last) ? last : undefined,
  };
}
