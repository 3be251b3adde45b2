/**
 * The execute step alone, on the fake kernel (../__fixtures__/fakeKernel.ts): every code cell runs
 * in order, and whatever goes wrong — an error, an endless loop, a dead kernel, the total time
 * running out, the grader itself failing — ends up as an error output on the cell it happened in,
 * worded for the learner, while the cells after it still run.
 */
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CellRun } from '../runner';
import type { ErrorOutput, Notebook, Output } from '../notebook';
import { Harness, type TestCellVerdict } from '../sandbox/harness';
import { fakeKernel, type FakeKernelLog } from '../__fixtures__/fakeKernel';
import { answer, cellOf, code, markdown, notebook, test } from '../__fixtures__/steps/cells';
import { execute, type ExecuteContext } from './execute';

let tmp: string;
beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-execute-step-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

type Hooks = Parameters<typeof fakeKernel>[1];

async function runNotebook(nb: Notebook, hooks: Hooks = {}, extra: Partial<ExecuteContext> = {}) {
  const log: FakeKernelLog = { started: [], ran: [], stopped: 0 };
  const runner = await fakeKernel(log, hooks)({ cwd: tmp, env: {} });
  const ctx: ExecuteContext = { runner, cellTimeoutMs: 5_000, totalTimeoutMs: 60_000, deadline: Date.now() + 60_000, ...extra };
  return { out: await execute.apply(nb, ctx), log };
}

const errors = (outputs: Output[] | undefined) => (outputs ?? []).filter((o): o is ErrorOutput => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`);

describe('execute', () => {
  it('runs the code cells in order on one kernel, numbering them as Jupyter would, and leaves its input alone', async () => {
    const nb = notebook(markdown('# Title'), code('const a = 20;'), code('   '), code('console.log("a is", a);\na + 1'));
    const { out, log } = await runNotebook(nb);
    expect(out.cells.map((c) => c.execution_count)).toEqual([undefined, 1, null, 2]);
    expect(out.cells[3].outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'a is 20\n' },
      { output_type: 'execute_result', data: { 'text/plain': '21' }, metadata: {}, execution_count: 2 },
    ]);
    expect(log.ran).toEqual(['const a = 20;', 'console.log("a is", a);\na + 1']); // blank cells are skipped, as nbclient does
    expect(nb.cells[3].outputs).toEqual([]);
  });

  it("records a cell's error and stderr on that cell and runs the cells after it", async () => {
    const { out } = await runNotebook(notebook(
      answer('f', 'function f(x: number): number {\n  throw new RangeError(`no f for ${x}`);\n}'),
      test('test_f', 'console.warn("careful");\nf(1)'),
      code('"still running"'),
    ));
    expect(errors(cellOf(out, 'test_f').outputs)).toEqual(['RangeError: no f for 1']);
    expect(cellOf(out, 'test_f').outputs?.[0]).toEqual({ output_type: 'stream', name: 'stderr', text: 'careful\n' });
    expect(out.cells[2].outputs).toMatchObject([{ output_type: 'execute_result', data: { 'text/plain': "'still running'" } }]);
  });

  it('gives a failed cell an error output even when the kernel sent none', async () => {
    const replies: Record<string, Partial<CellRun>> = {
      silent: { status: 'error', outputs: [] },
      aborted: { status: 'aborted', outputs: [] },
      replyOnly: { status: 'error', outputs: [], error: { ename: 'TypeScriptError', evalue: 'In[3]:1:7: bad', traceback: ['TypeScriptError: In[3]:1:7: bad'] } },
    };
    const { out } = await runNotebook(notebook(code('silent'), code('aborted'), code('replyOnly')), { onRun: (c) => replies[c] });
    expect(out.cells.map((c) => errors(c.outputs))).toEqual([
      ['ExecutionError: the cell failed without an error message'],
      ['ExecutionError: the kernel aborted this cell'],
      ['TypeScriptError: In[3]:1:7: bad'],
    ]);
  });

  it('stops an endless loop at the cell time limit, says so, and runs the next cell', async () => {
    const { out } = await runNotebook(notebook(code('while (true) {}'), code('"next"')), {}, { cellTimeoutMs: 300 });
    expect(errors(out.cells[0].outputs)).toEqual(['CellTimeoutError: stopped after 0.3s, the time limit for one cell. Look for a loop that never ends, or make the cell faster.']);
    expect(out.cells[1].outputs).toMatchObject([{ output_type: 'execute_result', data: { 'text/plain': "'next'" } }]);
  });

  it("puts the time limit before the interrupted kernel's own error, keeping what the cell printed", async () => {
    const { out } = await runNotebook(notebook(code('loop')), {
      onRun: () => ({ status: 'error', timedOut: true, outputs: [{ output_type: 'stream', name: 'stdout', text: 'step 1\n' }, { output_type: 'error', ename: 'Interrupted', evalue: 'The cell was interrupted.', traceback: [] }] }),
    });
    expect(out.cells[0].outputs?.map((o) => (o.output_type === 'error' ? o.ename : o.output_type))).toEqual(['stream', 'CellTimeoutError', 'Interrupted']);
  });

  it('tells the learner when the kernel died or had to be restarted, since later cells lost earlier definitions', async () => {
    const replies: Record<string, Partial<CellRun>> = {
      oom: { status: 'error', kernelDied: true },
      wedged: { status: 'error', timedOut: true, kernelDied: true },
    };
    const { out } = await runNotebook(notebook(code('oom'), code('wedged')), { onRun: (c) => replies[c] });
    expect(errors(out.cells[0].outputs)).toEqual([expect.stringMatching(/^KernelDied: the kernel stopped while running this cell \(out of memory, or a crash\)/)]);
    expect(errors(out.cells[1].outputs)).toEqual([expect.stringMatching(/^CellTimeoutError/), expect.stringMatching(/^KernelRestarted: the kernel did not stop when interrupted/)]);
  });

  it('when the total time runs out, stops the running cell and does not send the later ones to the kernel', async () => {
    let clock = 0;
    const { out, log } = await runNotebook(
      notebook(code('/* 40 s */ 1'), code('/* runs past the end */ 2'), code('/* never reached */ 3')),
      {
        onRun: (c) => {
          if (c.includes('40 s')) clock += 40_000;
          if (c.includes('past the end')) return (clock += 20_000), { status: 'error', timedOut: true };
          return undefined;
        },
      },
      { cellTimeoutMs: 30_000, totalTimeoutMs: 60_000, deadline: 60_000, now: () => clock },
    );
    expect(out.cells[0].outputs).toMatchObject([{ output_type: 'execute_result' }]);
    expect(errors(out.cells[1].outputs)).toEqual(['TotalTimeLimitExceeded: stopped: the notebook reached its total time limit of 60s while running this cell']);
    expect(errors(out.cells[2].outputs)).toEqual(['TotalTimeLimitExceeded: not run: the notebook used up its total time limit of 60s before reaching this cell']);
    expect(log.ran).toHaveLength(2);
  });

  it("records the grader's own failure to run a cell on that cell, without stopping", async () => {
    const { out } = await runNotebook(notebook(code('socket closed'), code('"after"')), {
      onRun: (c) => {
        if (c === 'socket closed') throw new Error('the kernel connection closed');
        return undefined;
      },
    });
    expect(errors(out.cells[0].outputs)).toEqual(['GraderError: the grader could not run this cell: the kernel connection closed']);
    expect(out.cells[1].outputs).toMatchObject([{ output_type: 'execute_result' }]);
  });
});

describe('execute with the test harness', () => {
  const harnessContext = (verdicts: Map<string, TestCellVerdict>, writeKey = ({ key, file }: { key: string; file: string }) => fs.writeFile(file, key, { flag: 'wx' })) => ({
    harness: new Harness(tmp),
    verdicts,
    writeKey,
  });
  const assignment = () => notebook(
    code('import { check } from "tsdl/grading";'),
    answer('sq', 'function sq(x: number) { return x * x; }'),
    test('test_sq', 'check.close(sq(2), 4);\ncheck.close(sq(-3), 9);'),
    test('test_none', 'sq(1)'),
  );

  it('runs each test cell through the harness and records how many checks it made; hidden cells are not counted', async () => {
    const verdicts = new Map<string, TestCellVerdict>();
    const { out, log } = await runNotebook(assignment(), {}, { harness: harnessContext(verdicts) });
    expect(verdicts.get('test_sq')).toEqual({ ok: true, report: { checks: 2, tampered: [] } });
    expect(verdicts.get('test_none')).toEqual({ ok: true, report: { checks: 0, tampered: [] } });
    expect(out.cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
    expect(errors(cellOf(out, 'test_sq').outputs)).toEqual([]);
    expect(log.ran[0]).toContain('// @ts-nocheck'); // the preamble, before any learner code
    expect(await fs.readdir(tmp)).toEqual([]); // its key was read and deleted
  });

  it('flags a test that ran after the answer cell changed the built-ins the checks rely on', async () => {
    const verdicts = new Map<string, TestCellVerdict>();
    const nb = assignment();
    cellOf(nb, 'sq').source = 'function sq(x: number) { return x * x; }\nObject.defineProperty(Object.prototype, "pwned", { value: 1 });';
    await runNotebook(nb, {}, { harness: harnessContext(verdicts) });
    expect(verdicts.get('test_sq')).toMatchObject({ ok: true, report: { tampered: [expect.stringMatching(/Object\.prototype/)] } });
  });

  it('loads the harness again after the kernel dies, and does not trust the test that killed it', async () => {
    const verdicts = new Map<string, TestCellVerdict>();
    const { log } = await runNotebook(assignment(), { onRun: (c) => (c.includes('sq(-3)') ? { status: 'error', kernelDied: true } : undefined) }, { harness: harnessContext(verdicts) });
    expect(verdicts.get('test_sq')).toEqual({ ok: false, why: 'the kernel stopped during the test' });
    // The fake kernel keeps its state when told it died, so only the order is checked here: a
    // fresh preamble (a new key) comes between the test that killed the kernel and the next cell.
    const kinds = log.ran.map((c) => (c.startsWith('// @ts-nocheck') ? 'preamble' : c.includes('sq(-3)') ? 'test_sq' : c.includes('sq(1)') ? 'test_none' : 'other'));
    expect(kinds.slice(kinds.indexOf('test_sq'))).toEqual(['test_sq', 'preamble', 'test_none', 'other']);
  });

  it('fails, naming the likely cause, when the harness cannot be loaded', async () => {
    const verdicts = new Map<string, TestCellVerdict>();
    await expect(runNotebook(assignment(), {}, { harness: harnessContext(verdicts, async () => undefined) })).rejects.toThrow(/the test harness could not be loaded in the kernel \(.*\); is tsdl built \(npm run build\)\?/);
  });
});
