/**
 * A full garbage collection on demand, for the compiler thread.
 *
 * Imported before TypeScript is loaded: V8 refuses a code cache made under other flags, and
 * `--expose-gc` is one (see typescript-code-cache.ts).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
export const collectGarbage = vm.runInNewContext('gc') as () => void;
