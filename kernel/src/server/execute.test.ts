/**
 * executeCell with a fake compiler and runtime (as tslab tests its handlers): what a frontend is
 * sent for each way a cell can end, without sockets, threads or processes.
 */
import type { CompileResult } from '../compiler/compiler-client';
import type { CellDiagnostic } from '../compiler/cell-types';
import type { JsonObject } from '../protocol/messages';
import type { CellEvents, CellOutcome } from '../runtime/runtime-process';
import { executeCell, ExecuteCompiler, ExecuteRuntime } from './execute';

const diagnostic = (category: 'error' | 'warning', message: string): CellDiagnostic =>
  ({ category, code: 2322, message, line: 1, column: 7, length: 1, lineText: 'const n: number = "x";' });

function fakes(compiled: Partial<CompileResult>, run: (events: CellEvents) => CellOutcome | Promise<CellOutcome>) {
  const calls: string[] = [];
  const compiler: ExecuteCompiler = {
    compile: async (source, cellIndex) => { calls.push(`compile ${cellIndex}`); return { ok: true, diagnostics: [], js: '/*js*/', sourceMap: '{}', declaredNames: [], ...compiled }; },
    commit: async (cellIndex) => { calls.push(`commit ${cellIndex}`); },
    reset: async () => { calls.push('reset'); },
  };
  const runtime: ExecuteRuntime = {
    execute: async (cell, events) => { calls.push(`run ${cell.cellName} ${cell.js}`); return run(events); },
  };
  const published: Array<[string, JsonObject]> = [];
  let interrupted = false;
  const io = {
    publish: (type: string, content: JsonObject) => { published.push([type, content]); },
    input: async () => 'typed',
    interrupted: () => interrupted,
  };
  return { compiler, runtime, io, calls, published, interrupt: () => { interrupted = true; } };
}

const request = (code: string, extra = {}) => ({ code, silent: false, store_history: true, allow_stdin: true, ...extra });

test('a cell that runs: its prints, displays and result are published in order, then its declarations committed', async () => {
  const f = fakes({}, async (events) => {
    events.stream('stdout', 'hi\n');
    events.display({ 'text/html': '<b>x</b>' }, {}, 'd1', false);
    events.display({ 'text/html': '<b>y</b>' }, {}, 'd1', true);
    expect(await events.input('Name?', false)).toBe('typed');
    return { status: 'ok', result: { 'text/plain': '42' } };
  });
  const outcome = await executeCell(request('x'), 3, 7, f.compiler, f.runtime, f.io);
  expect(outcome).toEqual({ status: 'ok', result: { 'text/plain': '42' } });
  expect(f.published.map(([type]) => type)).toEqual(['stream', 'display_data', 'update_display_data', 'execute_result']);
  expect(f.published[1][1]).toEqual({ data: { 'text/html': '<b>x</b>' }, metadata: {}, transient: { display_id: 'd1' } });
  expect(f.published[3][1]).toEqual({ execution_count: 3, data: { 'text/plain': '42' }, metadata: {} });
  expect(f.calls).toEqual(['compile 7', 'run In[3] /*js*/', 'commit 7']);
});

test('a type error: the error is published and the cell never reaches the runtime', async () => {
  const f = fakes({ ok: false, diagnostics: [diagnostic('error', "Type 'string' is not assignable to type 'number'.")] }, () => { throw new Error('ran'); });
  const outcome = await executeCell(request('const n: number = "x";'), 1, 0, f.compiler, f.runtime, f.io);
  expect(outcome.error?.ename).toBe('TypeScriptError');
  expect(outcome.error?.evalue).toBe("In[1]:1:7: Type 'string' is not assignable to type 'number'.");
  expect(f.published.map(([type]) => type)).toEqual(['error']);
  expect(f.calls).toEqual(['compile 0']);
});

test('warnings are printed on stdout and the cell still runs', async () => {
  const f = fakes({ diagnostics: [diagnostic('warning', 'untyped import')] }, () => ({ status: 'ok' }));
  await executeCell(request('import x from "y"'), 1, 0, f.compiler, f.runtime, f.io);
  expect(f.published[0][0]).toBe('stream');
  expect(String(f.published[0][1].text)).toMatch(/warning TS2322.*untyped import/);
  expect(f.calls).toContain('run In[1] /*js*/');
});

test('an interrupt while the cell compiles stops it before it runs', async () => {
  const f = fakes({}, () => { throw new Error('ran'); });
  const compile = f.compiler.compile;
  f.compiler.compile = async (source, i) => { f.interrupt(); return compile(source, i); };
  const outcome = await executeCell(request('for (;;) {}'), 1, 0, f.compiler, f.runtime, f.io);
  expect(outcome.error?.ename).toBe('Interrupted');
  expect(outcome.error?.traceback.join('')).toMatch(/while it was being compiled; it did not run/);
  expect(f.calls).toEqual(['compile 0']);
});

test('an interrupt while the cell compiles is answered at once, without waiting for the compile', async () => {
  const f = fakes({}, () => { throw new Error('ran'); });
  f.compiler.compile = () => new Promise(() => undefined); // a compile that takes as long as it likes
  let interrupt!: () => void;
  const whenInterrupted = new Promise<void>((resolve) => { interrupt = resolve; });
  const outcome = executeCell(request('for (;;) {}'), 1, 0, f.compiler, f.runtime, { ...f.io, whenInterrupted });
  interrupt();
  expect((await outcome).error?.ename).toBe('Interrupted');
  expect(f.published.map(([type]) => type)).toEqual(['error']);
  expect(f.calls).toEqual([]);
});

test('a runtime that died resets the compiler (its declarations are gone) instead of committing', async () => {
  const f = fakes({}, () => ({ status: 'error', runtimeDied: true, error: { ename: 'RuntimeDied', evalue: 'stopped', traceback: [] } }));
  const outcome = await executeCell(request('process.abort()'), 2, 4, f.compiler, f.runtime, f.io);
  expect(outcome.error?.ename).toBe('RuntimeDied');
  expect(f.calls).toEqual(['compile 4', 'run In[2] /*js*/', 'reset']);
  expect(f.published).toEqual([['error', { ename: 'RuntimeDied', evalue: 'stopped', traceback: [] }]]);
});

test('a silent request publishes nothing of its own and is named apart from counted cells', async () => {
  const f = fakes({}, (events) => {
    events.stream('stdout', 'quiet');
    events.display({ 'text/plain': 'x' }, {}, undefined, false);
    events.clear(false);
    return { status: 'ok', result: { 'text/plain': '1' } };
  });
  const outcome = await executeCell(request('1', { silent: true }), 5, 9, f.compiler, f.runtime, f.io);
  expect(outcome.result).toEqual({ 'text/plain': '1' });
  expect(f.published).toEqual([]);
  expect(f.calls).toContain('run In[silent 9] /*js*/');
});
