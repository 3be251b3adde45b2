import { budget, pick } from './budget';

describe('budget', () => {
  const saved = process.env.TSDL_BUDGET;
  afterEach(() => {
    if (saved === undefined) delete process.env.TSDL_BUDGET;
    else process.env.TSDL_BUDGET = saved;
  });

  it('defaults to "default" when TSDL_BUDGET is unset or empty', () => {
    delete process.env.TSDL_BUDGET;
    expect(budget()).toBe('default');
    process.env.TSDL_BUDGET = '';
    expect(budget()).toBe('default');
  });

  it('picks the value for the active budget', () => {
    const epochs = { quick: 1, default: 5, full: 50 };
    process.env.TSDL_BUDGET = 'quick';
    expect(pick(epochs)).toBe(1);
    process.env.TSDL_BUDGET = 'FULL';
    expect(budget()).toBe('full');
    expect(pick(epochs)).toBe(50);
  });

  it('rejects an unknown budget, naming the allowed values', () => {
    process.env.TSDL_BUDGET = 'fast';
    expect(() => budget()).toThrow(/"fast".*quick, default, full/);
    expect(() => pick({ quick: 1, default: 2, full: 3 })).toThrow(/TSDL_BUDGET/);
  });
});
