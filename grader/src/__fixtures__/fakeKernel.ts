/**
 * A stand-in for the tsdl kernel in fast tests: TypeScript cells are transpiled and run in one
 * node:vm context, so declarations carry from cell to cell; console.log/error become stdout/stderr
 * streams, the last expression an execute_result, throws error outputs, process.exit an error,
 * and a loop past its time limit a timeout. `tsdl/grading` is the real checks module.
 */
import * as vm from 'node:vm';
import * as ts from 'typescript';
import { inspect } from 'node:util';
import * as checks from '../checks';
import type { Output } from '../notebook';
import type { CellRun, CellRunner, RunnerOptions, StartRunner } from '../runner';

export interface FakeKernelLog {
  started: RunnerOptions[];
  ran: string[];
  stopped: number;
}

export function fakeKernel(log: FakeKernelLog = { started: [], ran: [], stopped: 0 }, hooks: { onRun?: (code: string) => Partial<CellRun> | undefined; hangsOn?: (code: string) => boolean } = {}): StartRunner {
  return async (opts) => {
    log.started.push(opts);
    let outputs: Output[] = [];
    let count = 0;
    const write = (name: 'stdout' | 'stderr') => (...args: unknown[]) =>
      outputs.push({ output_type: 'stream', name, text: args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ') + '\n' });
    const context = vm.createContext({
      console: { log: write('stdout'), info: write('stdout'), warn: write('stderr'), error: write('stderr') },
      process: { exit: (code?: number) => { throw Object.assign(new Error(`process.exit(${code ?? ''}) was called; notebooks cannot end the kernel`), { name: 'ProcessExitError' }); }, cwd: () => opts.cwd },
      require: (id: string) => {
        if (id === 'tsdl/grading') return checks;
        if (id === 'node:fs' || id === 'fs') return require('node:fs');
        if (id === 'node:crypto') return require('node:crypto');
        throw Object.assign(new Error(`Cannot find module '${id}'`), { name: 'Error' });
      },
    });
    const runner: CellRunner = {
      async run(code, timeoutMs, runOpts = {}) {
        log.ran.push(code);
        outputs = [];
        // The grader's hidden cells do not count, as with store_history: false.
        if (!runOpts.hidden) count++;
        // A kernel that ignores interrupts: the reply never comes.
        if (hooks.hangsOn?.(code)) return new Promise<CellRun>(() => undefined);
        const hooked = hooks.onRun?.(code);
        if (hooked) return { status: 'ok', outputs: [], executionCount: count, timedOut: false, ...hooked };
        // Imports become globals, as a notebook kernel makes them visible to later cells.
        const scripted = code
          .replace(/^import\s*\{([^}]*)\}\s*from\s*(["'][^"']+["']);?/gm, (_m, names: string, from: string) => `var {${names.replace(/\bas\b/g, ':')}} = require(${from});`)
          .replace(/^import\s*\*\s*as\s+(\w+)\s+from\s*(["'][^"']+["']);?/gm, 'var $1 = require($2);')
          .replace(/^import\s+(\w+)\s+from\s*(["'][^"']+["']);?/gm, 'var $1 = require($2).default;')
          // A notebook may declare a name again in a later cell; one vm context allows that for var only.
          .replace(/^(const|let) /gm, 'var ');
        const js = ts.transpileModule(scripted, { compilerOptions: { module: ts.ModuleKind.None, target: ts.ScriptTarget.ES2022 } }).outputText
          .replace(/^"use strict";\s*/, '')
          .replace(/^Object\.defineProperty\(exports.*\n/m, '');
        try {
          const value = vm.runInContext(`var exports = {};\n${js}`, context, { timeout: timeoutMs });
          // The last expression's value is shown, semicolon or not, as tslab and Deno do.
          if (value !== undefined) {
            outputs.push({ output_type: 'execute_result', data: { 'text/plain': inspect(value) }, metadata: {}, execution_count: count });
          }
          return { status: 'ok', outputs, executionCount: count, timedOut: false };
        } catch (e) {
          const err = e as Error;
          if (/Script execution timed out/.test(String(err?.message))) return { status: 'error', outputs, executionCount: count, timedOut: true };
          const error = { ename: err?.name ?? 'Error', evalue: err?.message ?? String(e), traceback: [`\x1b[31m${err?.name}\x1b[0m: ${err?.message}`, '    at <cell>'] };
          outputs.push({ output_type: 'error', ...error });
          return { status: 'error', outputs, executionCount: count, error, timedOut: false };
        }
      },
      async stop() {
        log.stopped++;
      },
    };
    return runner;
  };
}
