import { check, CheckError, expectClose, expectDtype, expectEqual, expectShape, partialCredit } from './checks';

/** A tensor as TensorFlow.js shapes it, without importing it. */
const tensor = (values: number[], shape: number[], dtype = 'float32') => ({ shape, dtype, dataSync: () => Float32Array.from(values) });
const message = (f: () => void) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckError);
    return (e as Error).message;
  }
  throw new Error('expected the check to fail');
};

describe('checks', () => {
  it('compares numbers, arrays and tensors within tolerance', () => {
    expectClose(0.1 + 0.2, 0.3);
    expectClose(tensor([0.5, 0.5], [2]), [0.5, 0.5]);
    expectClose([[1, 2], [3, 4]], tensor([1, 2, 3, 4.0000001], [2, 2]));
    expect(message(() => expectClose(0.31, 0.3, { tol: 1e-3 }, 'sigmoid(x)'))).toBe('sigmoid(x): expected 0.3 (within 0.001 + 0.000001·|expected|), got 0.31');
    expect(message(() => expectClose(tensor([1, 2, 3, 5], [2, 2]), [[1, 2], [3, 4]]))).toMatch(/^1 of 4 values differ; the first at index \[1, 1\]: expected 4 .*, got 5$/);
    expect(message(() => expectClose(NaN, 1))).toMatch(/got NaN — NaN usually means/);
  });

  it('names shape mistakes', () => {
    expect(message(() => expectClose(tensor([1, 2, 3, 4, 5, 6], [3, 2]), [[1, 2, 3], [4, 5, 6]]))).toMatch(/expected shape \[2, 3\], got shape \[3, 2\] \(the same sizes in another order/);
    expectShape(tensor([1, 2], [1, 2]), [null, 2]);
    expect(message(() => expectShape(tensor([1, 2], [2]), [1, 2], 'logits'))).toBe('logits: expected shape [1, 2], got [2] (one axis short: a missing batch axis, or a reduction over the wrong axis?)');
    expect(message(() => expectShape(5, [2]))).toBe('expected a tensor of shape [2], got 5');
  });

  it('checks dtypes', () => {
    expectDtype(tensor([1], [1], 'int32'), 'int32');
    expect(message(() => expectDtype(tensor([1], [1], 'int32'), 'float32'))).toMatch(/expected dtype float32, got int32 \(create it from floats/);
  });

  it('points at the first difference of deep values', () => {
    expectEqual({ a: [1, 2], b: new Map([['x', 1]]) }, { a: [1, 2], b: new Map([['x', 1]]) });
    expect(message(() => expectEqual({ tokens: ['a', 'b'] }, { tokens: ['a', 'c'] }, 'tokenize'))).toBe('tokenize: at .tokens[1]: expected "c", got "b"');
    expect(message(() => expectEqual(undefined, 3))).toBe('expected 3, got undefined (did the function forget to return?)');
    expect(message(() => expectEqual([1], [1, 2]))).toBe('expected 2 items, got 1: [1]');
  });

  it('expects an error with a matching message', () => {
    check.throws(() => { throw new Error('lengths 1 and 2'); }, /1.*2/);
    expect(message(() => check.throws(() => 1, undefined, 'dot([1], [1, 2])'))).toBe('dot([1], [1, 2]): expected an error, but nothing was thrown');
    expect(message(() => check.throws(() => { throw new Error('oops'); }, /length/))).toBe('expected an error whose message matches /length/, got "oops"');
  });

  it('turns checks into partial credit, printing failures to stdout only', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error');
    expect(partialCredit(3, [() => check.close(1, 1), () => check.close(1, 2, {}, 'f(1)'), () => check.true(true, 'x')])).toBe(2);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^✗ f\(1\): expected 2/));
    expect(error).not.toHaveBeenCalled();
    log.mockRestore();
  });
});

describe('the checks cannot be patched', () => {
  it('keeps check, CheckError and the module exports frozen', () => {
    const mod = require('./checks') as Record<string, unknown>;
    expect(() => { (check as unknown as Record<string, unknown>).close = () => undefined; }).toThrow(TypeError);
    expect(() => { mod.check = {}; }).toThrow(TypeError);
    expect(() => { (CheckError.prototype as unknown as Record<string, unknown>).name = 'Fine'; }).toThrow(TypeError);
    expect(message(() => check.close(1, 2))).toMatch(/expected 2/);
  });
});
