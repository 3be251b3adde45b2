/**
 * The compiler's thread. Type checking a cell can take a second the first time (loading
 * TensorFlow.js's types); here it never blocks the kernel's sockets, and completion keeps
 * answering while a cell runs.
 */
// These two first, in this order: V8 flags are set, then TypeScript is loaded from V8's code cache
// before the modules below import it.
import { collectGarbage } from './collect-garbage';
import { typeScriptCodeCache } from './typescript-code-cache';
import { parentPort, workerData } from 'node:worker_threads';
import { complete, inspect, isComplete } from './assist';
import { CellCompiler } from './cell-compiler';
import type { CompiledCell, CompilerConfig } from './cell-types';
import type { CompilerRequest, CompilerResponse } from './compiler-client';
import { IdleCollector } from './idle-collector';
import { trainingCells } from './jit-training';

const compiler = new CellCompiler(workerData as CompilerConfig);

// Full garbage collections, every tenth cell, when the thread is idle (see IdleCollector). Cells
// sent back to back wait for none until fifty have gone by without one.
const gc = new IdleCollector(collectGarbage, { cellsPerCollection: 10, maxCells: 50, idleMs: 100 });
const compiled = new Map<number, CompiledCell>();

// After a commit, the next program (with this cell's declarations) and its checker are made
// while the user reads the output, so their next cell only pays for its own text. Not at once,
// though: when cells come back to back (Run All, nbclient), the next compile arrives within
// milliseconds and would wait for that build; any request in the meantime cancels it, and the
// compile takes the new declarations along instead (DeclarationSlots.pendingDeclarations).
const PREBUILD_AFTER_MS = 50;
let prebuild: NodeJS.Timeout | undefined;

// After the warm-up, while nothing else is asked, compile jit-training.ts's cells one at a time
// (never committed). Any request stops it; it goes on once the kernel has been idle again for
// TRAIN_AFTER_IDLE_MS, so cells sent back to back (Run All) are never slowed by more than one.
const TRAIN_AFTER_IDLE_MS = 300;
let training: (() => void)[] = [];
let trainTimer: NodeJS.Timeout | undefined;

function scheduleTraining(delay: number): void {
  clearTimeout(trainTimer);
  if (training.length) trainTimer = setTimeout(trainOne, delay);
}

function trainOne(): void {
  const step = training.shift();
  if (step === undefined) return;
  try {
    step();
  } catch {
    training = []; // training is an optimisation: any trouble ends it, the user's cells are unaffected
  }
  // The programs the training built are garbage now; collect them as after every tenth cell.
  if (training.length === 0) setImmediate(() => { collectGarbage(); gc.collected(); });
  else scheduleTraining(0);
}

function handle(req: CompilerRequest): unknown {
  switch (req.method) {
    case 'compile': {
      const cell = compiler.compile(req.source, req.cellIndex);
      compiled.clear();
      compiled.set(req.cellIndex, cell);
      const { declarations: _omit, ...rest } = cell;
      return rest;
    }
    case 'commit': {
      const cell = compiled.get(req.cellIndex);
      if (cell) compiler.commit(cell, req.cellIndex);
      compiled.delete(req.cellIndex);
      prebuild = setTimeout(() => compiler.prepare(), PREBUILD_AFTER_MS);
      gc.cellDone();
      return null;
    }
    case 'reset': compiler.reset(); return null;
    case 'complete': return complete(compiler, req.code, req.cursorPos);
    case 'inspect': return inspect(compiler, req.code, req.cursorPos, req.detailLevel);
    case 'isComplete': return isComplete(req.code);
    case 'info': return { configPath: compiler.configPath, warnings: compiler.configWarnings };
    case 'warmup': {
      const cells = trainingCells().map((cell) => () => compiler.warmUp(cell));
      if (compiler.startNative()) {
        // TypeScript 7 has loaded the standard library and Node's types: the first cell can come.
        // TypeScript 6's program (completion, inspection, the cells TypeScript 7 leaves to it) is
        // made in the first idle moment instead, like the JIT training after it.
        compiler.warmUp('0');
        training = [() => compiler.prepare(), () => typeScriptCodeCache.save(), ...cells];
      } else {
        // Parse the standard library and Node's types now, not on the user's first cell.
        compiler.warmUp('export {};');
        setImmediate(typeScriptCodeCache.save);
        training = cells;
      }
      return null;
    }
  }
}

parentPort!.on('message', (req: CompilerRequest) => {
  clearTimeout(prebuild);
  clearTimeout(trainTimer);
  gc.busy();
  let response: CompilerResponse;
  try {
    response = { id: req.id, result: handle(req) };
  } catch (e) {
    response = { id: req.id, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
  }
  parentPort!.postMessage(response);
  gc.idle();
  scheduleTraining(TRAIN_AFTER_IDLE_MS);
});
