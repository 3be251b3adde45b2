/**
 * The compiler thread's TypeScript code cache, in fresh Node processes as the kernel starts them.
 * Needs the build (`npm run build`); `tsdl test` builds first.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '../../../dist/kernel/src/compiler');

/** Loads TypeScript the way compiler-worker.ts does (flags first) and reports the cache's state. */
function startUp(cacheDir: string): string {
  const script = `
    require(${JSON.stringify(path.join(dist, 'collect-garbage.js'))});
    const { typeScriptCodeCache } = require(${JSON.stringify(path.join(dist, 'typescript-code-cache.js'))});
    if (typeof require('typescript').createProgram !== 'function') throw new Error('typescript did not load');
    typeScriptCodeCache.save();
    process.stdout.write(typeScriptCodeCache.state);`;
  return execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TSDL_CACHE: cacheDir }, encoding: 'utf8' });
}

test('the first start-up writes the cache, the next one uses it, a damaged one is replaced', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-code-cache-'));
  try {
    expect(startUp(cacheDir)).toBe('missing');
    expect(startUp(cacheDir)).toBe('used');
    const [file] = fs.readdirSync(path.join(cacheDir, 'v8'));
    fs.writeFileSync(path.join(cacheDir, 'v8', file), 'not a code cache');
    expect(startUp(cacheDir)).toBe('rejected');
    expect(startUp(cacheDir)).toBe('used');
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
