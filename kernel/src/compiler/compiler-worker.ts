/**
 * The compiler's thread. Type checking a cell can take a second the first time (loading
 * TensorFlow.js's types); here it never blocks the kernel's sockets, and completion keeps
 * answering while a cell runs.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { complete, inspect, isComplete } from './assist';
import { CellCompiler, CompiledCell, CompilerConfig } from './cell-compiler';
import type { CompilerRequest, CompilerResponse } from './compiler-client';

const compiler = new CellCompiler(workerData as CompilerConfig);

// Every cell builds a new program and checker; V8 would rather grow the heap than collect the old
// ones, so a long notebook's memory crept up by hundreds of MB. A full collection every few cells,
// after the reply has gone out, keeps the compiler's footprint flat.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const CELLS_PER_GC = 10;
let commits = 0;
const compiled = new Map<number, CompiledCell>();

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
      // Build the next program while the user reads the output, not when they run the next cell.
      setImmediate(() => compiler.languageService.getProgram());
      if (++commits % CELLS_PER_GC === 0) setImmediate(collectGarbage);
      return null;
    }
    case 'reset': compiler.reset(); return null;
    case 'complete': return complete(compiler, req.code, req.cursorPos);
    case 'inspect': return inspect(compiler, req.code, req.cursorPos, req.detailLevel);
    case 'isComplete': return isComplete(req.code);
    case 'info': return { configPath: compiler.configPath, warnings: compiler.configWarnings };
    case 'warmup':
      // Parse the standard library and Node's types now, not on the user's first cell.
      compiler.compile('export {};', -1);
      return null;
  }
}

parentPort!.on('message', (req: CompilerRequest) => {
  let response: CompilerResponse;
  try {
    response = { id: req.id, result: handle(req) };
  } catch (e) {
    response = { id: req.id, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
  }
  parentPort!.postMessage(response);
});
