/** How long-running data work (downloads, exports) reports progress. */
import { ProgressBar } from '../train/progress-bar';

export interface ProgressReporter {
  start(total: number | undefined, already: number): void;
  update(done: number, total: number | undefined): void;
  done(total: number): void;
  fail(reason: string): void;
}

const silent: ProgressReporter = { start() {}, update() {}, done() {}, fail() {} };

/** true → a byte progress bar labelled `label`; false → silent; a reporter → itself. */
export function progressReporter(option: boolean | ProgressReporter, label: string): ProgressReporter {
  if (option === false) return silent;
  if (option !== true) return option;
  let bar: ProgressBar | undefined;
  return {
    start(total, already) {
      bar ??= new ProgressBar({ label, total, unit: 'bytes' });
      bar.setTotal(total);
      bar.update(already);
    },
    update(done, total) { bar?.setTotal(total); bar?.update(done); },
    done() { bar?.done(); },
    fail(reason) { bar?.fail(reason); },
  };
}
