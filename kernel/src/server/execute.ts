/**
 * execute_request, start to finish: compile, run, publish what the cell prints and shows, reply.
 * A plain function over small interfaces (no sockets), so it is testable on its own.
 */
import type { CompilerClient } from '../compiler/compiler-client';
import type { CellDiagnostic } from '../compiler/cell-types';
import type { MimeBundle } from '../../../display/src/mime';
import type { ErrorContent, ExecuteRequest, JsonObject } from '../protocol/messages';
import type { BackgroundEvent, CellOutcome, RuntimeProcess } from '../runtime/runtime-process';
import { codeFrame, interruptedError } from '../runtime/traceback';

/** What executeCell needs of the compiler: CompilerClient, or a fake in a test. */
export type ExecuteCompiler = Pick<CompilerClient, 'compile' | 'commit' | 'reset'>;
/** What executeCell needs of the runtime: RuntimeProcess, or a fake in a test. */
export type ExecuteRuntime = Pick<RuntimeProcess, 'execute'>;

export interface ExecuteIo {
  /** Publish on IOPub under the request. */
  publish(msgType: string, content: JsonObject): void;
  /** Ask the frontend for input over stdin (only when the request allows it). */
  input(prompt: string, password: boolean): Promise<string>;
  /**
   * Whether an interrupt came for this cell before it reached the runtime (while it compiled: the
   * runtime, idle then, would not see it, and the cell would run after all).
   */
  interrupted(): boolean;
  /**
   * Resolves when an interrupt comes for this cell: one that comes while the cell compiles is
   * answered at once (a long cell can take seconds to check), the compile finishing unused.
   */
  whenInterrupted?: Promise<void>;
}

const RED = '\x1b[0;31m';
const YELLOW = '\x1b[0;33m';
const RESET = '\x1b[0m';

function diagnosticLines(cellName: string, source: string, d: CellDiagnostic): string[] {
  const color = d.category === 'error' ? RED : YELLOW;
  return [`${color}${d.category} TS${d.code}${RESET} ${cellName}:${d.line}:${d.column}: ${d.message}`,
    ...codeFrame(source, d.line, d.column)];
}

/** A cell that did not type-check, as a Jupyter error. */
export function compileError(cellName: string, source: string, diagnostics: CellDiagnostic[]): ErrorContent {
  const errors = diagnostics.filter((d) => d.category === 'error');
  const first = errors[0];
  return {
    ename: 'TypeScriptError',
    evalue: `${cellName}:${first.line}:${first.column}: ${first.message}` + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''),
    traceback: [
      ...errors.flatMap((d) => diagnosticLines(cellName, source, d)),
      `${errors.length} type error${errors.length > 1 ? 's' : ''}: the cell did not run. ` +
      'Fix them, or add `// @ts-ignore` above a line (`// @ts-nocheck` at the top of the cell) to run it anyway.',
    ],
  };
}

/**
 * Publishes what the runtime sent between cells. The caller passes a `publish` bound to the last
 * execute_request, so frontends show it under that cell (ipykernel's convention).
 */
export function publishBackground(event: BackgroundEvent, publish: ExecuteIo['publish']): void {
  switch (event.type) {
    case 'stream': publish('stream', { name: event.name, text: event.text }); break;
    case 'display':
      publish(event.update ? 'update_display_data' : 'display_data',
        { data: event.data, metadata: event.metadata, transient: event.displayId ? { display_id: event.displayId } : {} });
      break;
    case 'clear': publish('clear_output', { wait: event.wait }); break;
    case 'uncaught': publish('error', { ...event.error }); break;
  }
}

export interface ExecuteOutcome {
  status: 'ok' | 'error';
  error?: ErrorContent;
  result?: MimeBundle;
}

/**
 * Runs one cell. The caller owns busy/idle, execute_input, the reply and the execution counter;
 * this publishes the cell's own output (streams, displays, result, error).
 */
export async function executeCell(
  request: ExecuteRequest, executionCount: number, cellIndex: number, compiler: ExecuteCompiler, runtime: ExecuteRuntime, io: ExecuteIo,
): Promise<ExecuteOutcome> {
  // Silent requests (frontends' own queries) do not advance the count, so they get their own name.
  const cellName = request.silent ? `In[silent ${cellIndex}]` : `In[${executionCount}]`;
  const source = request.code;
  const compiling = compiler.compile(source, cellIndex);
  const compiled = io.whenInterrupted ? await Promise.race([compiling, io.whenInterrupted.then(() => undefined)]) : await compiling;
  if (!compiled) {
    // The compiler thread finishes this compile before the next; its result is not used.
    compiling.catch(() => undefined);
    const error = interruptedError('the cell was interrupted while it was being compiled; it did not run.');
    io.publish('error', { ...error });
    return { status: 'error', error };
  }
  const warnings = compiled.diagnostics.filter((d) => d.category === 'warning');
  if (warnings.length && !request.silent) {
    io.publish('stream', { name: 'stdout', text: warnings.flatMap((d) => diagnosticLines(cellName, source, d)).join('\n') + '\n' });
  }
  if (!compiled.ok) {
    const error = compileError(cellName, source, compiled.diagnostics);
    io.publish('error', { ...error });
    return { status: 'error', error };
  }
  if (io.interrupted()) {
    const error = interruptedError('the cell was interrupted while it was being compiled; it did not run.');
    io.publish('error', { ...error });
    return { status: 'error', error };
  }
  const outcome: CellOutcome = await runtime.execute({
    cellName, source, js: compiled.js, sourceMap: compiled.sourceMap, allowStdin: request.allow_stdin !== false,
  }, {
    stream: (name, text) => { if (!request.silent) io.publish('stream', { name, text }); },
    display: (data, metadata, displayId, update) => {
      if (request.silent) return;
      io.publish(update ? 'update_display_data' : 'display_data', { data, metadata, transient: displayId ? { display_id: displayId } : {} });
    },
    clear: (wait) => { if (!request.silent) io.publish('clear_output', { wait }); },
    input: io.input,
  });
  // Not awaited: the compiler thread handles requests in order, so the next cell's compile sees
  // this; the reply need not wait for it.
  if (outcome.status === 'error' && outcome.runtimeDied) {
    void compiler.reset();
  } else {
    // A cell that failed half-way still declared what it reached; keep its types for later cells.
    void compiler.commit(cellIndex);
  }
  if (outcome.status === 'error') {
    io.publish('error', { ...outcome.error });
    return { status: 'error', error: outcome.error };
  }
  if (outcome.result && !request.silent) {
    io.publish('execute_result', { execution_count: executionCount, data: outcome.result, metadata: {} });
  }
  return { status: 'ok', result: outcome.result };
}
