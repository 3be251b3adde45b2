/**
 * The limitOutput step alone, as nbgrader tests its LimitOutput (a long output, an endless
 * recursion): a flood is cut to its first lines with a note, and nothing a grade depends on — a
 * stderr stream, an error, a partial-credit number — is lost in the cut.
 */
import { determineGrade } from '../nbgrader';
import type { ErrorOutput, Output, StreamOutput } from '../notebook';
import { code, notebook, test } from '../__fixtures__/steps/cells';
import { DEFAULT_OUTPUT_LIMITS, limitOutput, type OutputLimits } from './limitOutput';

const stdout = (text: string): StreamOutput => ({ output_type: 'stream', name: 'stdout', text });
const stderr = (text: string): StreamOutput => ({ output_type: 'stream', name: 'stderr', text });
const lines = (n: number, prefix = 'line') => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');

async function limit(outputs: Output[], limits: OutputLimits = DEFAULT_OUTPUT_LIMITS, cell = code('flood()')) {
  const nb = notebook({ ...cell, outputs });
  const out = await limitOutput.apply(nb, { outputLimits: limits });
  return out.cells[0].outputs!;
}
const chars = (outputs: Output[]) => JSON.stringify(outputs).length;

describe('limitOutput', () => {
  it('cuts a long print to its first lines and says it did, as nbgrader does (1000 lines)', async () => {
    const [out] = (await limit([stdout(lines(1500))])) as StreamOutput[];
    const shown = out.text.split('\n');
    expect(shown).toHaveLength(1000);
    expect(shown[0]).toBe('line 1');
    expect(shown[998]).toBe('line 999');
    expect(shown[999]).toBe('... Output truncated ...');
  });

  it('counts a loop of small prints together, merged into one stream as Jupyter shows them', async () => {
    const prints = Array.from({ length: 1500 }, (_, i) => stdout(`step ${i + 1}\n`));
    const out = (await limit(prints)) as StreamOutput[];
    expect(out).toHaveLength(1);
    expect(out[0].text.split('\n')).toHaveLength(1000);
    expect(out[0].text).toMatch(/step 999\n\.\.\. Output truncated \.\.\.$/);
  });

  it('cuts one enormous line by characters', async () => {
    const [out] = (await limit([stdout('x'.repeat(1_000_000))])) as StreamOutput[];
    expect(out.text.length).toBeLessThan(DEFAULT_OUTPUT_LIMITS.maxChars + 100);
    expect(out.text.endsWith('\n... Output truncated ...')).toBe(true);
  });

  it('keeps a warning printed after a flood, so the test cell still fails as it would uncut', async () => {
    const flooded = [stdout(lines(5000)), stderr('Warning: deprecated\n')];
    const cell = test('t', 'noisy()', 2);
    expect(determineGrade({ ...cell, outputs: flooded }).score).toBe(0);
    const out = await limit(flooded, DEFAULT_OUTPUT_LIMITS, cell);
    expect(out.map((o) => o.output_type === 'stream' && o.name)).toEqual(['stdout', 'stderr']);
    expect(determineGrade({ ...cell, outputs: out }).score).toBe(0);
  });

  it('keeps the partial-credit number of a test cell that printed too much', async () => {
    const cell = test('t', 'partial()', 3);
    const flooded: Output[] = [stdout('y'.repeat(200_000)), { output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 }];
    const out = await limit(flooded, DEFAULT_OUTPUT_LIMITS, cell);
    expect(determineGrade({ ...cell, outputs: out }).score).toBe(2);
  });

  it('replaces a rich output past the limit by a note saying how much was removed', async () => {
    const image: Output = { output_type: 'display_data', data: { 'image/png': 'A'.repeat(300_000), 'text/plain': '<Figure>' }, metadata: {} };
    const huge: Output = { output_type: 'display_data', data: { 'text/html': '<p>x</p>'.repeat(40_000), 'text/plain': 'z'.repeat(5_000) }, metadata: {} };
    const out = await limit([image, huge]);
    expect(out[0]).toMatchObject({ data: { 'text/plain': '<Figure>' } });
    expect(out[0]).not.toHaveProperty(['data', 'image/png']);
    expect(out[1]).toMatchObject({ data: { 'text/plain': expect.stringMatching(/^\[\d+ characters of output removed: more than the grader keeps\]$/) } });
  });

  it('cuts an endless recursion to the first and last lines of its traceback, as nbgrader does (100 lines)', async () => {
    const traceback = ['RangeError: Maximum call stack size exceeded', ...Array.from({ length: 10_000 }, (_, i) => `    at f (In[3]:2:${i})`)];
    const [out] = (await limit([{ output_type: 'error', ename: 'RangeError', evalue: 'Maximum call stack size exceeded', traceback }])) as ErrorOutput[];
    expect(out.traceback).toHaveLength(100);
    expect(out.traceback[0]).toBe(traceback[0]);
    expect(out.traceback[50]).toBe('... Traceback truncated ...');
    expect(out.traceback[99]).toBe(traceback[traceback.length - 1]);
    expect(out.evalue).toBe('Maximum call stack size exceeded');
  });

  it('cuts an enormous error message, in the traceback too, and keeps the error', async () => {
    const message = 'bad value: ' + 'v'.repeat(2_000_000);
    const cell = test('t', 'throws()', 1);
    const [out] = (await limit([{ output_type: 'error', ename: 'Error', evalue: message, traceback: [`\u001b[31mError\u001b[0m: ${message}`, '    at In[2]:1:1'] }], DEFAULT_OUTPUT_LIMITS, cell)) as ErrorOutput[];
    expect(out).toMatchObject({ output_type: 'error', ename: 'Error', evalue: expect.stringMatching(/^bad value: v+/) });
    expect(chars([out])).toBeLessThan(3 * DEFAULT_OUTPUT_LIMITS.maxChars);
    expect(out.traceback[out.traceback.length - 1]).toBe('    at In[2]:1:1');
    expect(determineGrade({ ...cell, outputs: [out] }).score).toBe(0);
  });

  it('leaves outputs within the limits as they are, and markdown cells alone', async () => {
    const outputs: Output[] = [stdout('loss 0.3\n'), stderr('note\n'), { output_type: 'execute_result', data: { 'text/plain': '1' }, metadata: {}, execution_count: 1 }];
    expect(await limit(outputs)).toEqual(outputs);
    const nb = notebook({ cell_type: 'markdown', source: 'x'.repeat(500_000), metadata: {} });
    expect((await limitOutput.apply(nb, { outputLimits: DEFAULT_OUTPUT_LIMITS })).cells[0]).toEqual(nb.cells[0]);
  });
});
