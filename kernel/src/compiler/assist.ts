/**
 * Completion, inspection (hover) and is-complete for the protocol, from the language service.
 * Positions come and go in Unicode code points, as Jupyter counts them.
 */
import ts from 'typescript';
import type { CellCompiler } from './cell-compiler';
import { codePointToUtf16, utf16ToCodePoint } from './positions';

export interface CompleteReply {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental: Array<{ text: string; type: string; start: number; end: number; signature?: string }> };
}

const IDENTIFIER_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

function wordStart(code: string, pos: number): number {
  let start = pos;
  while (start > 0 && IDENTIFIER_CHAR.test(code[start - 1])) start--;
  return start;
}

/** Jupyter's completion types (what JupyterLab shows as an icon) for TypeScript's element kinds. */
function completionType(kind: string): string {
  switch (kind) {
    case ts.ScriptElementKind.functionElement: case ts.ScriptElementKind.localFunctionElement: return 'function';
    case ts.ScriptElementKind.memberFunctionElement: return 'method';
    case ts.ScriptElementKind.classElement: return 'class';
    case ts.ScriptElementKind.interfaceElement: return 'interface';
    case ts.ScriptElementKind.moduleElement: case ts.ScriptElementKind.externalModuleName: return 'module';
    case ts.ScriptElementKind.keyword: return 'keyword';
    case ts.ScriptElementKind.memberVariableElement: case ts.ScriptElementKind.memberGetAccessorElement: return 'property';
    case ts.ScriptElementKind.constElement: case ts.ScriptElementKind.letElement: case ts.ScriptElementKind.variableElement: return 'variable';
    case ts.ScriptElementKind.typeElement: case ts.ScriptElementKind.alias: return 'type';
    case ts.ScriptElementKind.enumElement: return 'enum';
    default: return kind || 'text';
  }
}

export function complete(compiler: CellCompiler, code: string, cursorPos: number): CompleteReply {
  const pos = codePointToUtf16(code, cursorPos);
  const start = wordStart(code, pos);
  const prefix = code.slice(start, pos);
  const result = compiler.withCode(code, (service, file) => service.getCompletionsAtPosition(file, pos, {
    includeCompletionsWithInsertText: true,
    includeCompletionsForModuleExports: false,
  }));
  const entries = (result?.entries ?? [])
    .filter((e) => e.name.startsWith(prefix) || (prefix && e.name.toLowerCase().startsWith(prefix.toLowerCase())))
    .filter((e) => !e.name.startsWith('__tsdl'))
    .sort((a, b) => {
      const exact = Number(b.name.startsWith(prefix)) - Number(a.name.startsWith(prefix));
      return exact || a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name);
    });
  const cpStart = utf16ToCodePoint(code, start);
  const cpEnd = utf16ToCodePoint(code, pos);
  return {
    matches: entries.map((e) => e.name),
    cursor_start: cpStart,
    cursor_end: cpEnd,
    metadata: {
      _jupyter_types_experimental: entries.map((e) => ({ text: e.name, type: completionType(e.kind), start: cpStart, end: cpEnd })),
    },
  };
}

export interface InspectReply {
  found: boolean;
  data: Record<string, string>;
}

export function inspect(compiler: CellCompiler, code: string, cursorPos: number, detailLevel: number): InspectReply {
  let pos = codePointToUtf16(code, cursorPos);
  // The cursor usually sits just after the name (`tf.matMul|`): look at the name before it.
  if (pos > 0 && (pos === code.length || !IDENTIFIER_CHAR.test(code[pos])) && IDENTIFIER_CHAR.test(code[pos - 1] ?? '')) pos--;
  const info = compiler.withCode(code, (service, file) => service.getQuickInfoAtPosition(file, pos));
  if (!info) return { found: false, data: {} };
  const signature = ts.displayPartsToString(info.displayParts);
  const docs = ts.displayPartsToString(info.documentation);
  const tags = (info.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`.trim());
  const shownTags = detailLevel > 0 ? tags : tags.filter((t) => !t.startsWith('@example'));
  const plain = [signature, docs, ...shownTags].filter(Boolean).join('\n\n');
  const markdown = ['```typescript\n' + signature + '\n```', docs, ...shownTags.map((t) => `*${t.replace(/\n/g, '  \n')}*`)]
    .filter(Boolean).join('\n\n');
  return { found: true, data: { 'text/plain': plain, 'text/markdown': markdown } };
}

export interface IsCompleteReply {
  status: 'complete' | 'incomplete' | 'invalid';
  indent?: string;
}

/** Whether a console should run `code` on Enter or let the user keep typing. */
export function isComplete(code: string): IsCompleteReply {
  if (code.trim() === '') return { status: 'complete' };
  const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: 'complete' };
  // An error at the very end means the parser wanted more (an unclosed brace, string or call).
  const atEnd = diagnostics.some((d) => d.start >= code.trimEnd().length);
  const unterminated = diagnostics.some((d) => d.code === 1002 || d.code === 1010 || d.code === 1160);
  if (atEnd || unterminated) return { status: 'incomplete', indent: indentFor(code) };
  return { status: 'invalid' };
}

function indentFor(code: string): string {
  const lastLine = code.split('\n').pop() ?? '';
  const current = /^\s*/.exec(lastLine)?.[0] ?? '';
  return /[{([]\s*$/.test(lastLine) ? current + '  ' : current;
}
