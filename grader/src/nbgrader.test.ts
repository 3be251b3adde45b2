import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Cell } from './notebook';
import { computeChecksum, determineGrade, parsePythonFloat, pythonFloatRepr } from './nbgrader';

const venvPython = path.resolve(__dirname, '../../.venv/bin/python');

const cell = (source: string, nbgrader: Record<string, unknown>, cell_type: Cell['cell_type'] = 'code'): Cell => ({
  cell_type,
  source,
  metadata: { nbgrader: { schema_version: 3, grade: false, solution: false, locked: false, ...nbgrader } as never },
  outputs: cell_type === 'code' ? [] : undefined,
});

const samples: Cell[] = [
  cell('function relu(x: number) {\n  // BEGIN SOLUTION\n  return Math.max(0, x);\n  // END SOLUTION\n}', { solution: true, grade_id: 'relu' }),
  cell('expect(relu(-1)).toBe(0);', { grade: true, grade_id: 'test_relu', points: 2 }),
  cell('check(1)', { grade: true, grade_id: 'half', points: 0.5 }),
  cell('big', { grade: true, grade_id: 'big', points: 1e16 }),
  cell('tiny', { grade: true, grade_id: 'tiny', points: 0.00001 }),
  cell('thirds', { grade: true, grade_id: 'thirds', points: 1 / 3 }),
  cell('Écrivez ∑ ici — 😀', { grade: true, solution: true, grade_id: 'essay', points: 3 }, 'markdown'),
  cell('import * as tf from "@tensorflow/tfjs";\r\n', { locked: true, grade_id: 'setup' }),
  cell('locked and solution', { locked: true, solution: true, grade_id: 'both' }),
  cell('', { grade: true, grade_id: 'zero', points: 0 }),
];

describe('computeChecksum', () => {
  it('matches known nbgrader values', () => {
    // Python float spelling of points and capitalised flags are what make these differ from a naive port.
    expect(pythonFloatRepr(2)).toBe('2.0');
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(1e-5)).toBe('1e-05');
    expect(pythonFloatRepr(0.0001)).toBe('0.0001');
    expect(pythonFloatRepr(123456789012345.6)).toBe('123456789012345.6');
    expect(pythonFloatRepr(1.5e300)).toBe('1.5e+300');
  });

  (existsSync(venvPython) ? it : it.skip)('equals nbgrader.utils.compute_checksum from the installed nbgrader', () => {
    const script = [
      'import json, sys',
      'from nbformat import from_dict',
      'from nbgrader.utils import compute_checksum',
      'cells = json.load(sys.stdin)',
      'print(json.dumps([compute_checksum(from_dict(c)) for c in cells]))',
    ].join('\n');
    const python = JSON.parse(execFileSync(venvPython, ['-c', script], { input: JSON.stringify(samples), encoding: 'utf8' })) as string[];
    expect(samples.map(computeChecksum)).toEqual(python);
  });
});

describe('parsePythonFloat', () => {
  it.each([
    ['0.5', 0.5], [' 1\n', 1], ['1_000', 1000], ['1e3', 1000], ['.5', 0.5], ['5.', 5], ['-inf', -Infinity], ['Infinity', Infinity],
  ])('reads %j as Python does', (text, value) => expect(parsePythonFloat(text)).toBe(value));
  it.each(['', 'true', "'1'", '0x10', '1__0', 'Tensor(0.5)'])('rejects %j as Python does', (text) => expect(parsePythonFloat(text)).toBeNull());
});

describe('determineGrade', () => {
  const test = (outputs: Cell['outputs'], points = 2): Cell => ({ ...cell('t', { grade: true, grade_id: 't', points }), outputs });
  it('gives full marks for a clean run and zero for an error or any stderr', () => {
    expect(determineGrade(test([{ output_type: 'stream', name: 'stdout', text: 'ok' }])).score).toBe(2);
    expect(determineGrade(test([{ output_type: 'error', ename: 'Error', evalue: 'x', traceback: [] }])).score).toBe(0);
    expect(determineGrade(test([{ output_type: 'stream', name: 'stderr', text: 'warning' }])).score).toBe(0);
  });
  it('reads a numeric execute_result as partial credit, and anything else as full credit', () => {
    const result = (text: string) => test([{ output_type: 'execute_result', data: { 'text/plain': text }, metadata: {} }]);
    expect(determineGrade(result('0.5')).score).toBe(0.5);
    expect(determineGrade(result("'done'")).score).toBe(2);
    expect(determineGrade(result('-1')).score).toBe(2);
    expect(determineGrade(result('3'))).toMatchObject({ score: 0, warning: expect.stringContaining('more than its 2 points') });
  });
  it('needs a person for changed solution cells and gives zero for untouched ones', () => {
    const essay = cell('YOUR ANSWER HERE', { grade: true, solution: true, grade_id: 'e', points: 1 }, 'markdown');
    essay.metadata.nbgrader!.checksum = computeChecksum(essay);
    expect(determineGrade(essay).score).toBe(0);
    expect(determineGrade({ ...essay, source: 'my answer' }).score).toBeNull();
  });
});
