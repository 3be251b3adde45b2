/**
 * A cell's JavaScript without TypeScript's emitter: the notebook transforms of transformers.ts
 * done as edits of the cell's own text (top-level statements only, positions from TypeScript 6's
 * parse), then SWC (native) strips the types. About a millisecond for a 100-line cell, where
 * TypeScript's emitter on a cold V8 took tens (bench/kernel/checkers-results.md).
 *
 * Same run-time semantics as transformers.ts: top-level declarations become `globalThis`
 * properties, functions are hoisted, imports go through the runtime's loader, the last expression
 * is returned, all inside `(async () => { … })()`. Returns undefined for what it does not handle
 * (classes, enums, namespaces, decorators, `import.meta`…), which TypeScript's emitter then compiles.
 */
import ts from 'typescript';
import { RUNTIME } from '../runtime/ipc';
import { boundNames, CellAnalysis, hasModifier, isUsing } from './cell-analysis';

export interface EmittedCell {
  js: string;
  /** Source map (JSON) from `js` back to the cell source. */
  sourceMap: string;
}

/** A piece of the edited text: copied from the cell at `from`, or written here and mapped to `anchor`. */
type Piece = { copy: true; from: number; to: number } | { copy: false; text: string; anchor: number };

const copy = (from: number, to: number): Piece => ({ copy: true, from, to });
const write = (text: string, anchor: number): Piece => ({ copy: false, text, anchor });

interface Swc {
  transformSync(code: string, options: object): { code: string; map?: string };
}
let swc: Swc | undefined;
function loadSwc(): Swc | undefined {
  try {
    swc ??= require('@swc/core') as Swc;
  } catch {
    return undefined;
  }
  return swc;
}

function importPieces(st: ts.ImportDeclaration | ts.ImportEqualsDeclaration, index: number, sf: ts.SourceFile): Piece[] | undefined {
  const at = st.getStart(sf);
  const moduleVar = `__tsdl_module${index}`;
  const assign = (name: string, value: string): string => `globalThis.${name} = ${value}; `;
  let specifier: string;
  let bindings = '';
  if (ts.isImportEqualsDeclaration(st)) {
    if (st.isTypeOnly) return [];
    const ref = st.moduleReference as ts.ExternalModuleReference;
    specifier = (ref.expression as ts.StringLiteral).text;
    bindings = assign(st.name.text, moduleVar);
  } else {
    specifier = (st.moduleSpecifier as ts.StringLiteral).text;
    const clause = st.importClause;
    if (clause?.isTypeOnly) return [];
    if (clause?.name) bindings += assign(clause.name.text, `${RUNTIME}.defaultOf(${moduleVar})`);
    const named = clause?.namedBindings;
    if (named && ts.isNamespaceImport(named)) bindings += assign(named.name.text, moduleVar);
    else if (named) {
      for (const el of named.elements) {
        if (!el.isTypeOnly) bindings += assign(el.name.text, `${moduleVar}[${JSON.stringify((el.propertyName ?? el.name).text)}]`);
      }
    }
  }
  return [write(`{ const ${moduleVar} = await ${RUNTIME}.import(${JSON.stringify(specifier)}); ${bindings}}\n`, at)];
}

/**
 * `const f = () => 1` names the function "f"; `globalThis.f = () => 1` would not (a property
 * assignment gives no name), but a property in an object literal does: `({ f: () => 1 }).f`.
 */
export function isAnonymousFunction(init: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(init)) init = init.expression;
  return ts.isArrowFunction(init) || ((ts.isFunctionExpression(init) || ts.isClassExpression(init)) && !init.name);
}

function variablePieces(st: ts.VariableStatement, sf: ts.SourceFile): Piece[] {
  const isVar = (st.declarationList.flags & ts.NodeFlags.BlockScoped) === 0;
  const pieces: Piece[] = [];
  for (const d of st.declarationList.declarations) {
    const at = d.getStart(sf);
    const init = d.initializer;
    if (ts.isIdentifier(d.name)) {
      const name = d.name.text;
      pieces.push(write('globalThis.', at), copy(d.name.getStart(sf), d.name.end), write(' = ', at));
      if (init && isAnonymousFunction(init)) pieces.push(write(`({ ${name}: `, at), copy(init.getStart(sf), init.end), write(` }).${name}`, init.end));
      else if (init) pieces.push(copy(init.getStart(sf), init.end));
      else pieces.push(write(isVar ? `globalThis.${name}` : 'void 0', at));
      pieces.push(write(';\n', at));
    } else {
      // Destructuring: bound locally (types already refused by the caller), then copied to globalThis.
      const names = boundNames(d.name);
      pieces.push(write('{ const ', at), copy(d.name.getStart(sf), d.name.end), write(' = ', at));
      pieces.push(init ? copy(init.getStart(sf), init.end) : write('void 0', at));
      pieces.push(write(`; Object.assign(globalThis, { ${names.join(', ')} }); }\n`, at));
    }
  }
  return pieces;
}

/** Where a function's own text starts: `async` or `function`, after `export`. */
function functionStart(fn: ts.FunctionDeclaration, sf: ts.SourceFile): number {
  const asyncModifier = ts.getModifiers(fn)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  if (asyncModifier) return asyncModifier.getStart(sf);
  const keyword = fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
  return keyword ? keyword.getStart(sf) : fn.getStart(sf);
}

/** The edited cell (still TypeScript) as pieces, or undefined for a statement it does not handle. */
export function cellPieces(sf: ts.SourceFile, analysis: CellAnalysis): Piece[] | undefined {
  // Rewritten to the runtime's `__tsdl.meta` by TypeScript's emitter (transformers.ts), wherever it is.
  if (sf.text.includes('import.meta')) return undefined;
  const hoisted: Piece[] = [];
  const body: Piece[] = [];
  let imports = 0;
  for (const st of sf.statements) {
    if (ts.canHaveDecorators(st) && ts.getDecorators(st)?.length) return undefined;
    if (hasModifier(st, ts.SyntaxKind.DeclareKeyword) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) continue;
    if (ts.isImportDeclaration(st) || (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference))) {
      const pieces = importPieces(st, imports++, sf);
      if (!pieces) return undefined;
      body.push(...pieces);
    } else if (ts.isVariableStatement(st)) {
      if (isUsing(st.declarationList)) return undefined;
      if (st.declarationList.declarations.some((d) => !ts.isIdentifier(d.name) && d.type)) return undefined;
      body.push(...variablePieces(st, sf));
    } else if (ts.isFunctionDeclaration(st)) {
      if (!st.body) continue; // an overload signature
      if (!st.name) return undefined;
      hoisted.push(write(`globalThis.${st.name.text} = `, st.getStart(sf)), copy(functionStart(st, sf), st.end), write(';\n', st.end));
    } else if (ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st) || ts.isImportEqualsDeclaration(st)
      || ts.isExportDeclaration(st) || ts.isExportAssignment(st)) {
      return undefined;
    } else if (st === analysis.lastExpression) {
      const expr = (st as ts.ExpressionStatement).expression;
      body.push(write('return (', st.getStart(sf)), copy(expr.getStart(sf), expr.end), write(');\n', expr.end));
    } else {
      body.push(copy(st.getStart(sf), st.end), write('\n', st.end));
    }
  }
  return [write('(async () => { "use strict";\n', 0), ...hoisted, ...body, write('})()\n', sf.text.length)];
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}

/** Token starts within copied text: where a mapping keeps columns exact. */
const TOKEN = /[A-Za-z_$\d][\w$]*|[^\s\w$]/g;

/** The edited text and a source map from it back to `source` (one mapping per copied token). */
export function render(pieces: Piece[], source: string, fileName: string): { text: string; map: string } {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const position = (offset: number): [number, number] => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return [lo, offset - lineStarts[lo]];
  };
  let text = '';
  let genLine = 0;
  let genCol = 0;
  const lines: string[][] = [[]];
  let prev = { genCol: 0, line: 0, col: 0 };
  const mark = (offset: number): void => {
    const [line, col] = position(offset);
    lines[genLine].push(vlq(genCol - prev.genCol) + vlq(0) + vlq(line - prev.line) + vlq(col - prev.col));
    prev = { genCol, line, col };
  };
  const append = (chunk: string): void => {
    for (const ch of chunk) {
      text += ch;
      if (ch === '\n') {
        genLine++;
        genCol = 0;
        prev.genCol = 0;
        lines.push([]);
      } else genCol++;
    }
  };
  for (const p of pieces) {
    if (!p.copy) {
      mark(p.anchor);
      append(p.text);
      continue;
    }
    const chunk = source.slice(p.from, p.to);
    let last = 0;
    for (const m of chunk.matchAll(TOKEN)) {
      append(chunk.slice(last, m.index));
      mark(p.from + m.index!);
      append(m[0]);
      last = m.index! + m[0].length;
    }
    append(chunk.slice(last));
  }
  const map = { version: 3, file: fileName.replace(/\.ts$/, '.js'), sources: [fileName], names: [], mappings: lines.map((l) => l.join(',')).join(';') };
  return { text, map: JSON.stringify(map) };
}

/** Every identifier the cell's text mentions (more than its free names; a superset does no harm). */
function identifierNames(sf: ts.SourceFile): string[] {
  const names = new Set<string>(['globalThis']);
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...names];
}

/** The cell's JavaScript and source map, or undefined when this path does not handle the cell. */
export function emitCellJs(source: string, sf: ts.SourceFile, analysis: CellAnalysis, fileName: string): EmittedCell | undefined {
  const compiler = loadSwc();
  const pieces = compiler && cellPieces(sf, analysis);
  if (!compiler || !pieces) return undefined;
  const edited = render(pieces, source, fileName);
  // SWC renames a local binding that has the name of a global the cell uses (`function parse` in
  // a cell that calls the global `parse()` became `parse1`, which stack traces then showed). A
  // first line declaring every name the cell mentions makes those globals bindings of SWC's own
  // scope, which it leaves alone, and nothing shadows them wrongly; the line is dropped after.
  const prelude = `var ${identifierNames(sf).join(', ')};\n`;
  const inputMap = JSON.parse(edited.map) as { mappings: string };
  inputMap.mappings = ';' + inputMap.mappings;
  try {
    const out = compiler.transformSync(prelude + edited.text, {
      filename: fileName, isModule: false, sourceMaps: true, inputSourceMap: JSON.stringify(inputMap), swcrc: false, configFile: false,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true } },
    });
    if (!out.map || !out.code.startsWith('var ')) return undefined;
    const map = JSON.parse(out.map) as { mappings: string };
    // The prelude's line must map nowhere, so that dropping it leaves every other mapping as it was.
    if (!map.mappings.startsWith(';')) return undefined;
    map.mappings = map.mappings.slice(1);
    return { js: out.code.slice(out.code.indexOf('\n') + 1), sourceMap: JSON.stringify(map) };
  } catch {
    return undefined; // SWC refused something TypeScript accepted: TypeScript's emitter takes the cell
  }
}
