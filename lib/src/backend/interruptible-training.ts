/**
 * Interrupting `await model.fit(...)` stops the training, not only the cell, and the next `fit`
 * of the same model starts.
 *
 * The tsdl kernel answers an interrupted `await` at once but cannot cancel the promise it awaited:
 * `fit` would go on training in the background. And when the interrupt had to terminate busy
 * JavaScript (fit's first steps can keep the thread busy for a while), fit's own clean-up never
 * runs: the model stays "training" and every later `model.fit` fails with "Cannot start training
 * because another fit() call is ongoing".
 *
 * The kernel's runtime runs the hooks in `globalThis[Symbol.for('tsdl.interruptHooks')]` at each
 * interrupt. The one registered here holds `stopTraining` on for every model in `fit` or
 * `fitDataset` until that call returns (TensorFlow.js reads the flag after each batch, and resets
 * it when its loop starts, which an early interrupt would precede). A later `fit` of an interrupted
 * model waits for the interrupted one to wind down, and if it never does (its JavaScript was
 * terminated), clears its "training" state itself. A fit runs in the runtime's \`patiently\`, so an
 * interrupt gives it time to reach the end of a batch before terminating anything. Outside the kernel (a plain Node script) there
 * is no registry and nothing is patched.
 */
import * as tf from '@tensorflow/tfjs';

const PATCHED = Symbol.for('tsdl.fitStopsOnInterrupt');
/** The field behind LayersModel's `stopTraining`, which its fit loop reads and resets. */
const STOP_FLAG = 'stopTraining_';
/** How long a new fit waits for an interrupted one to finish its batch before calling it dead. */
const WIND_DOWN_MS = 2000;

interface Run { interrupted: boolean; done: Promise<void> }

function holdStop(model: tf.LayersModel): void {
  Object.defineProperty(model, STOP_FLAG, { get: () => true, set: () => undefined, configurable: true });
}

function releaseStop(model: tf.LayersModel): void {
  if (Object.getOwnPropertyDescriptor(model, STOP_FLAG)?.get) {
    Object.defineProperty(model, STOP_FLAG, { value: false, writable: true, configurable: true, enumerable: true });
  }
}

/** Installs the hook once per TensorFlow.js instance; false outside a tsdl kernel's runtime. */
export function stopTrainingOnInterrupt(): boolean {
  const hooks = (globalThis as Record<symbol, unknown>)[Symbol.for('tsdl.interruptHooks')];
  if (!(hooks instanceof Set)) return false;
  const proto = tf.LayersModel.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[PATCHED]) return true;
  const runs = new Map<tf.LayersModel, Run>();
  // Fit yields between batches: given time, the hook stops it there rather than a termination
  // landing inside the engine's gradient bookkeeping.
  const kernelPatiently = (globalThis as Record<symbol, unknown>)[Symbol.for('tsdl.patiently')];
  const patiently = typeof kernelPatiently === 'function'
    ? kernelPatiently as <T>(fn: () => Promise<T>) => Promise<T>
    : <T>(fn: () => Promise<T>): Promise<T> => fn();
  for (const name of ['fit', 'fitDataset'] as const) {
    const original = proto[name] as (this: tf.LayersModel, ...args: unknown[]) => Promise<unknown>;
    proto[name] = async function (this: tf.LayersModel, ...args: unknown[]): Promise<unknown> {
      const previous = runs.get(this);
      if (previous?.interrupted) {
        await Promise.race([previous.done, new Promise((r) => setTimeout(r, WIND_DOWN_MS))]);
        if (runs.get(this) === previous) {
          runs.delete(this);
          (this as unknown as { isTraining: boolean }).isTraining = false;
          releaseStop(this);
        }
      }
      let finish!: () => void;
      const run: Run = { interrupted: false, done: new Promise((r) => { finish = r; }) };
      if (!previous || previous.interrupted) runs.set(this, run);
      try {
        return await patiently(() => original.apply(this, args));
      } finally {
        if (runs.get(this) === run) {
          runs.delete(this);
          releaseStop(this);
        }
        finish();
      }
    };
  }
  (hooks as Set<() => void>).add(() => {
    for (const [model, run] of runs) {
      run.interrupted = true;
      holdStop(model);
    }
  });
  proto[PATCHED] = true;
  return true;
}
