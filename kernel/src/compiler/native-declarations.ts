/**
 * A cell's declarations for later cells (the entries of its declaration slot, see declarations.ts)
 * written from its own syntax and TypeScript 7's inferred types, instead of TypeScript 6's
 * declaration emit: annotated names keep their annotation's text, inferred ones get the type the
 * native checker writes (NativeCheck.inferredTypes), interfaces and type aliases their own text.
 *
 * Only for what that describes exactly; `nativeDeclarable` says which cells. Classes (members,
 * privacy, `this` types), enums and namespaces keep TypeScript 6's declaration emit.
 */
import ts from 'typescript';
import { boundNames, CellAnalysis, hasModifier, isUsing } from './cell-analysis';
import { CellDeclarations, leadingDocs, MODIFIERS } from './declarations';

/** Whether every top-level statement is one this module (and the native path) describes exactly. */
export function nativeDeclarable(sf: ts.SourceFile, analysis: CellAnalysis): boolean {
  if (analysis.declaresGlobals || sf.referencedFiles.length || sf.typeReferenceDirectives.length || sf.libReferenceDirectives.length) return false;
  return sf.statements.every((st) => {
    if (hasModifier(st, ts.SyntaxKind.DefaultKeyword)) return false;
    if (ts.isVariableStatement(st)) {
      // `declare const x: T` has nothing to run, and a typed destructuring pattern has no name to type.
      return !hasModifier(st, ts.SyntaxKind.DeclareKeyword)
        && st.declarationList.declarations.every((d) => ts.isIdentifier(d.name) || !d.type)
        && !isUsing(st.declarationList);
    }
    if (ts.isFunctionDeclaration(st)) return !!st.name && !hasModifier(st, ts.SyntaxKind.DeclareKeyword);
    if (ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st)) return false;
    if (ts.isExportAssignment(st) || ts.isExportDeclaration(st)) return false;
    if (ts.isImportEqualsDeclaration(st)) return ts.isExternalModuleReference(st.moduleReference);
    return true; // imports, interfaces, type aliases, statements
  });
}

/**
 * The cell's own entries (imports' aliases are added by the caller, as for TypeScript 6's emit), or
 * undefined when a name's type is missing from `inferred`.
 */
export function nativeDeclarations(sf: ts.SourceFile, inferred: ReadonlyMap<string, string>): CellDeclarations | undefined {
  const text = sf.text;
  const entries: CellDeclarations['entries'] = [];
  const typed = (name: string, docs: string, keyword: string): boolean => {
    const type = inferred.get(name);
    if (type === undefined || !writableType(name, type)) return false;
    entries.push({ name, text: `${docs}${keyword} ${name}: ${type};` });
    return true;
  };
  for (const st of sf.statements) {
    const docs = leadingDocs(text, st);
    if (ts.isVariableStatement(st)) {
      const list = st.declarationList;
      const keyword = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const d of list.declarations) {
        if (ts.isIdentifier(d.name) && d.type) {
          entries.push({ name: d.name.text, text: `${docs}${keyword} ${d.name.text}: ${d.type.getText(sf)};` });
        } else if (ts.isIdentifier(d.name)) {
          if (!typed(d.name.text, docs, keyword)) return undefined;
        } else {
          for (const name of boundNames(d.name)) if (!typed(name, docs, keyword)) return undefined;
        }
      }
    } else if (ts.isFunctionDeclaration(st) && st.name) {
      // Overloads are one entry: the type written for the name has every signature.
      const name = st.name.text;
      if (entries.some((e) => e.name === name)) continue;
      const written = annotatedSignature(st, sf);
      if (written !== undefined && !hasOverloads(sf, name)) {
        entries.push({ name, text: `${docs}${written}` });
        continue;
      }
      const type = inferred.get(name);
      if (type === undefined || !writableType(name, type)) return undefined;
      const declared = functionDeclarations(name, type);
      entries.push({ name, text: docs + (declared ?? `const ${name}: ${type};`) });
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      entries.push({ name: st.name.text, text: docs + st.getText(sf).replace(MODIFIERS, '') });
    }
  }
  return { imports: [], entries };
}

/**
 * Whether the checker's text for a name's type can stand in a declaration file: not an anonymous
 * class (`(Anonymous class)`), not the name's own `typeof` (a class or function expression
 * assigned to it), and valid syntax. What is not, TypeScript 6's declaration emit handles (and
 * reports, e.g. TS4094 for a class expression with private members).
 */
function writableType(name: string, type: string): boolean {
  if (type.includes('(Anonymous') || new RegExp(`\\btypeof ${name}\\b`).test(type)) return false;
  const sf = ts.createSourceFile('check.d.ts', `declare let x: ${type};`, ts.ScriptTarget.Latest);
  return (sf as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics?.length === 0 && sf.statements.length === 1;
}

/** `function f<T>(a: A, b?: B): R;` from a function whose parameters and result are all annotated; else undefined. */
function annotatedSignature(fn: ts.FunctionDeclaration, sf: ts.SourceFile): string | undefined {
  if (!fn.name || !fn.type || fn.asteriskToken || fn.parameters.some((p) => !p.type || !ts.isIdentifier(p.name))) return undefined;
  const params = fn.parameters.map((p) =>
    `${p.dotDotDotToken ? '...' : ''}${p.name.getText(sf)}${p.questionToken || p.initializer ? '?' : ''}: ${p.type!.getText(sf)}`);
  const typeParams = fn.typeParameters ? `<${fn.typeParameters.map((t) => t.getText(sf)).join(', ')}>` : '';
  return `function ${fn.name.text}${typeParams}(${params.join(', ')}): ${fn.type.getText(sf)};`;
}

function hasOverloads(sf: ts.SourceFile, name: string): boolean {
  return sf.statements.filter((st) => ts.isFunctionDeclaration(st) && st.name?.text === name).length > 1;
}

/**
 * The names whose types nativeDeclarations needs from the checker (NativeCheck.typesAt), each with
 * the position of its name in the cell: unannotated variables and destructured names, and
 * functions that are not fully annotated or have overloads.
 */
export function namesToInfer(sf: ts.SourceFile): Map<string, number> {
  const names = new Map<string, number>();
  const visitBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.set(name.text, name.getStart(sf));
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) visitBinding(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (!ts.isIdentifier(d.name) || !d.type) visitBinding(d.name);
    } else if (ts.isFunctionDeclaration(st) && st.name && (annotatedSignature(st, sf) === undefined || hasOverloads(sf, st.name.text))) {
      if (!names.has(st.name.text)) names.set(st.name.text, st.name.getStart(sf));
    }
  }
  return names;
}

/**
 * `function f(…): R;` for each call signature of a function's type as the checker wrote it
 * (`(n: number) => number`, or `{ (a: string): string; (a: number): number; }` for overloads), so
 * inspecting `f` later shows a function, as TypeScript 6's declaration emit did. Undefined for a
 * type of another shape (the caller then declares a const of that type).
 */
export function functionDeclarations(name: string, type: string): string | undefined {
  const sf = ts.createSourceFile('type.ts', `type __T = ${type};`, ts.ScriptTarget.Latest, true);
  const alias = sf.statements[0];
  if (!alias || !ts.isTypeAliasDeclaration(alias) || sf.statements.length !== 1) return undefined;
  const node = alias.type;
  const text = (n: ts.Node | undefined): string => (n ? n.getText(sf) : '');
  const signature = (s: ts.SignatureDeclarationBase): string =>
    `function ${name}${s.typeParameters ? `<${s.typeParameters.map(text).join(', ')}>` : ''}(${s.parameters.map(text).join(', ')}): ${text(s.type)};`;
  if (ts.isFunctionTypeNode(node)) return signature(node);
  if (ts.isTypeLiteralNode(node) && node.members.length > 0 && node.members.every(ts.isCallSignatureDeclaration)) {
    return node.members.map((m) => signature(m as ts.CallSignatureDeclaration)).join('\n');
  }
  return undefined;
}

