/**
 * The two emit transforms that turn a cell (a module) into notebook code.
 *
 * Notebook semantics: a cell sees everything earlier cells declared, and re-running a cell that
 * declares `const x` must work. We get both by making every top-level declaration a property of
 * `globalThis` (references to it then resolve there, from any later cell or closure), and by
 * wrapping the cell in an async function so top-level `await` works. The type checker, which sees
 * the real declarations, still enforces `const` and types.
 *
 * - `importsToRuntime` (before TypeScript's own transforms): imports become awaited calls to the
 *   runtime's loader, which handles CommonJS and ES modules alike. Imports are never elided: a
 *   later cell may use as a value what this cell used only as a type.
 * - `globalizeCell` (after them, on plain JavaScript): declarations become `globalThis` assignments,
 *   function declarations are hoisted, the last expression is returned, and the whole cell is
 *   wrapped in `(async () => { … })()`.
 */
import ts from 'typescript';
import { RUNTIME } from '../runtime/ipc';
import { boundNames } from './cell-analysis';
import { isAnonymousFunction } from './swc-emit';

type Factory = ts.NodeFactory;

function globalRef(f: Factory, name: string): ts.PropertyAccessExpression {
  return f.createPropertyAccessExpression(f.createIdentifier('globalThis'), name);
}

function assignGlobal(f: Factory, name: string, value: ts.Expression): ts.ExpressionStatement {
  return f.createExpressionStatement(f.createAssignment(globalRef(f, name), value));
}

function runtimeCall(f: Factory, method: string, args: ts.Expression[]): ts.CallExpression {
  return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), method), undefined, args);
}

function importStatements(f: Factory, st: ts.ImportDeclaration | ts.ImportEqualsDeclaration, index: number): ts.Statement[] {
  let specifier: string;
  const bindings: ts.Statement[] = [];
  const moduleVar = f.createIdentifier(`__tsdl_module${index}`);
  if (ts.isImportEqualsDeclaration(st)) {
    const ref = st.moduleReference as ts.ExternalModuleReference;
    specifier = (ref.expression as ts.StringLiteral).text;
    if (st.isTypeOnly) return [];
    bindings.push(assignGlobal(f, st.name.text, moduleVar));
  } else {
    specifier = (st.moduleSpecifier as ts.StringLiteral).text;
    const clause = st.importClause;
    if (clause?.isTypeOnly) return [];
    if (clause?.name) bindings.push(assignGlobal(f, clause.name.text, runtimeCall(f, 'defaultOf', [moduleVar])));
    const named = clause?.namedBindings;
    if (named && ts.isNamespaceImport(named)) {
      bindings.push(assignGlobal(f, named.name.text, moduleVar));
    } else if (named) {
      for (const el of named.elements) {
        if (el.isTypeOnly) continue;
        const imported = (el.propertyName ?? el.name).text;
        bindings.push(assignGlobal(f, el.name.text, f.createElementAccessExpression(moduleVar, f.createStringLiteral(imported))));
      }
    }
  }
  const load = f.createAwaitExpression(runtimeCall(f, 'import', [f.createStringLiteral(specifier)]));
  const block = f.createBlock([
    f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(moduleVar, undefined, undefined, load)], ts.NodeFlags.Const)),
    ...bindings,
  ], true);
  return [ts.setTextRange(block, st)];
}

/** `import.meta` -> `__tsdl.meta`: a cell runs as a script, where `import.meta` is a syntax error. */
function importMetaToRuntime(context: ts.TransformationContext, sf: ts.SourceFile): ts.SourceFile {
  if (!sf.text.includes('import.meta')) return sf;
  const f = context.factory;
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      return ts.setTextRange(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), 'meta'), node);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitEachChild(sf, visit, context);
}

/**
 * Imports -> `{ const m = await __tsdl.import("x"); globalThis.a = m["a"]; }`; exports dropped;
 * `import.meta` -> the runtime's `__tsdl.meta`.
 */
export function importsToRuntime(context: ts.TransformationContext): ts.Transformer<ts.SourceFile> {
  const f = context.factory;
  return (original) => {
    const sf = importMetaToRuntime(context, original);
    let index = 0;
    const statements = sf.statements.flatMap((st): ts.Statement[] => {
      if (ts.isImportDeclaration(st)) return importStatements(f, st, index++);
      if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) return importStatements(f, st, index++);
      if (ts.isExportDeclaration(st)) return [];
      if (ts.isExportAssignment(st)) return [ts.setTextRange(f.createExpressionStatement(st.expression), st)];
      return [st];
    });
    return f.updateSourceFile(sf, statements);
  };
}

function variableStatements(f: Factory, st: ts.VariableStatement): ts.Statement[] {
  const isVar = (st.declarationList.flags & ts.NodeFlags.BlockScoped) === 0;
  return st.declarationList.declarations.map((d) => {
    let out: ts.Statement;
    if (ts.isIdentifier(d.name)) {
      const name = d.name.text;
      // `var x;` keeps an existing value (JavaScript's var semantics); `let x;` resets it.
      let value = d.initializer ?? (isVar ? globalRef(f, name) : f.createVoidZero());
      // `({ f: () => 1 }).f`: see isAnonymousFunction.
      if (d.initializer && isAnonymousFunction(d.initializer)) {
        value = f.createPropertyAccessExpression(f.createParenthesizedExpression(
          f.createObjectLiteralExpression([f.createPropertyAssignment(name, d.initializer)])), name);
      }
      out = assignGlobal(f, name, value);
    } else {
      // Destructuring: declare locally, then copy every bound name to globalThis.
      const names = boundNames(d.name);
      out = f.createBlock([
        f.createVariableStatement(undefined, f.createVariableDeclarationList([d], ts.NodeFlags.Const)),
        f.createExpressionStatement(f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier('Object'), 'assign'), undefined,
          [f.createIdentifier('globalThis'), f.createObjectLiteralExpression(names.map((n) => f.createShorthandPropertyAssignment(n)))])),
      ], true);
    }
    return ts.setTextRange(out, d);
  });
}

function functionAsExpression(f: Factory, fn: ts.FunctionDeclaration): ts.FunctionExpression {
  const modifiers = ts.getModifiers(fn)?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  return ts.setTextRange(f.createFunctionExpression(modifiers, fn.asteriskToken, fn.name, fn.typeParameters, fn.parameters,
    fn.type, fn.body ?? f.createBlock([])), fn);
}

function classAsExpression(f: Factory, cls: ts.ClassDeclaration): ts.ClassExpression {
  const modifiers = ts.getModifiers(cls)?.filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
  return ts.setTextRange(f.createClassExpression(modifiers, cls.name, cls.typeParameters, cls.heritageClauses, cls.members), cls);
}

/**
 * Makes the globalize transform for one cell. `lastExpression` is the cell's original last
 * statement if it is an expression: its value is returned as the cell's result.
 */
export function globalizeCell(lastExpression: ts.Node | undefined): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    const f = context.factory;
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    const statements = sf.statements;
    statements.forEach((st) => {
      if (ts.isVariableStatement(st)) {
        body.push(...variableStatements(f, st));
      } else if (ts.isFunctionDeclaration(st)) {
        if (!st.body) return; // an overload signature
        const fn = functionAsExpression(f, st);
        if (st.name) hoisted.push(ts.setTextRange(assignGlobal(f, st.name.text, fn), st));
        else body.push(f.createExpressionStatement(fn));
      } else if (ts.isClassDeclaration(st)) {
        const cls = classAsExpression(f, st);
        body.push(st.name ? ts.setTextRange(assignGlobal(f, st.name.text, cls), st) : f.createExpressionStatement(cls));
      } else if (ts.isExportDeclaration(st) || ts.isExportAssignment(st) || ts.isImportDeclaration(st)) {
        // Nothing left to do at run time: the names are globals already.
      } else if (lastExpression && ts.isExpressionStatement(st) && ts.getOriginalNode(st) === lastExpression) {
        body.push(ts.setTextRange(f.createReturnStatement(st.expression), st));
      } else {
        body.push(st);
      }
    });
    const useStrict = f.createExpressionStatement(f.createStringLiteral('use strict'));
    const wrapper = f.createCallExpression(
      f.createParenthesizedExpression(f.createArrowFunction([f.createModifier(ts.SyntaxKind.AsyncKeyword)], undefined, [], undefined,
        f.createToken(ts.SyntaxKind.EqualsGreaterThanToken), f.createBlock([useStrict, ...hoisted, ...body], true))),
      undefined, []);
    return f.updateSourceFile(sf, [f.createExpressionStatement(wrapper)]);
  };
}
