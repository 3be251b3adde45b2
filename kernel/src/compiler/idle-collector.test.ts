import { IdleCollector } from './idle-collector';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const options = { cellsPerCollection: 10, maxCells: 50, idleMs: 100 };

/** One cell as the compiler thread sees it: compile request and answer, commit request and answer. */
function cell(gc: IdleCollector, gapMs: number): void {
  gc.busy();
  gc.idle();
  jest.advanceTimersByTime(gapMs);
  gc.busy();
  gc.cellDone();
  gc.idle();
  jest.advanceTimersByTime(gapMs);
}

test('cells sent back to back (Run All) are not held up by a collection until fifty have gone by', () => {
  const collect = jest.fn();
  const gc = new IdleCollector(collect, options);
  for (let i = 0; i < 49; i++) cell(gc, 5);
  expect(collect).not.toHaveBeenCalled();
  cell(gc, 5);
  expect(collect).toHaveBeenCalledTimes(1);
  // ...and the count starts again: the memory a long run takes stays bounded.
  for (let i = 0; i < 50; i++) cell(gc, 5);
  expect(collect).toHaveBeenCalledTimes(2);
});

test('a due collection runs once the thread has been idle, not before', () => {
  const collect = jest.fn();
  const gc = new IdleCollector(collect, options);
  for (let i = 0; i < 9; i++) cell(gc, 5);
  jest.advanceTimersByTime(1000);
  expect(collect).not.toHaveBeenCalled(); // nine cells: not due yet
  cell(gc, 5);
  jest.advanceTimersByTime(90);
  expect(collect).not.toHaveBeenCalled();
  gc.busy(); // a request in the meantime: the collection waits on
  jest.advanceTimersByTime(200);
  expect(collect).not.toHaveBeenCalled();
  gc.idle();
  jest.advanceTimersByTime(100);
  expect(collect).toHaveBeenCalledTimes(1);
  jest.advanceTimersByTime(1000);
  expect(collect).toHaveBeenCalledTimes(1);
});

test('a collection made elsewhere (after the JIT training) counts', () => {
  const collect = jest.fn();
  const gc = new IdleCollector(collect, options);
  for (let i = 0; i < 10; i++) cell(gc, 5);
  gc.collected();
  jest.advanceTimersByTime(1000);
  expect(collect).not.toHaveBeenCalled();
});
