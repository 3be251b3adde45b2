import * as vm from 'node:vm';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grading from '../checks';
import { Harness, installHarness } from './harness';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tsdl-harness-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A realm of its own, as a kernel's, with the harness installed in it from its source text. */
function realm(h: Harness) {
  const { key } = h.newKey();
  const context = vm.createContext({ grading, createHmac });
  vm.runInContext(`(${installHarness.toString()})(globalThis, grading, createHmac, ${JSON.stringify(h.name)}, ${JSON.stringify(key)})`, context);
  const report = (nonce: string) => vm.runInContext(`globalThis[${JSON.stringify(h.name)}](${JSON.stringify(nonce)}, true)`, context) as string;
  return { context, report, start: (nonce: string) => vm.runInContext(`globalThis[${JSON.stringify(h.name)}](${JSON.stringify(nonce)})`, context) as typeof grading };
}

describe('the test harness', () => {
  it('binds the checks a test cell uses, keeping its line numbers', () => {
    const h = new Harness(dir);
    expect(h.wrapTestCell('check.close(f(1), 1);\nf(2)', 'n1')).toMatch(/^const \{ check \} = \(globalThis as any\)\["__tsdl_grading_[0-9a-f]+"\]\("n1"\) as typeof import\("tsdl\/grading"\); check\.close\(f\(1\), 1\);\nf\(2\)$/);
    const imported = h.wrapTestCell('import { expectClose as close,\n  check } from "tsdl/grading";\nclose(1, 1);', 'n2');
    expect(imported.split('\n')).toHaveLength(3);
    expect(imported).toMatch(/^const \{ expectClose : close,\n?\s*check \} = /);
    expect(h.wrapTestCell('relu(1)', 'n3')).toBe(`(globalThis as any)[${JSON.stringify(h.name)}]("n3"); relu(1)`);
    expect(h.wrapTestCell('const expectClose = (a: number) => a;\ncheck.true(expectClose(1) === 1, "x");', 'n4')).toMatch(/^const \{ check \} = /);
  });

  it('counts checks and signs its report; a forged, replayed or unsigned one is refused', () => {
    const h = new Harness(dir);
    const r = realm(h);
    r.start('n1').check.close(1, 1);
    const good = r.report('n1');
    expect(h.verify(`'${good}'`, 'n1')).toEqual({ ok: true, report: { checks: 1, tampered: [] } });
    expect(h.verify(`'${good}'`, 'n2')).toMatchObject({ ok: false, why: 'the report was about another test cell' });
    const [body] = good.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ nonce: 'n1', checks: 9, tampered: [] })).toString('hex');
    expect(h.verify(`'${forgedBody}.${createHmac('sha256', 'guess').update(forgedBody).digest('hex')}'`, 'n1')).toMatchObject({ ok: false, why: 'the report of the test cell was forged' });
    expect(h.verify(`'${body}'`, 'n1')).toMatchObject({ ok: false });
    expect(h.verify(undefined, 'n1')).toMatchObject({ ok: false, why: 'the test cell sent no report' });
  });

  it('sees built-ins changed in its realm, and cannot itself be replaced', () => {
    const h = new Harness(dir);
    const r = realm(h);
    vm.runInContext('Object.prototype.tol = 1e9; Array.prototype.every = () => true;', r.context);
    r.start('n1').check.true(true, 'x');
    const verdict = h.verify(r.report('n1'), 'n1');
    expect(verdict).toMatchObject({ ok: true, report: { tampered: ['Object.prototype gained tol', 'Array.prototype.every was replaced'] } });
    expect(() => vm.runInContext(`'use strict'; globalThis[${JSON.stringify(h.name)}] = () => ({})`, r.context)).toThrow(/read only/);
    vm.runInContext(`try { delete globalThis[${JSON.stringify(h.name)}]; } catch {}`, r.context);
    expect(h.verify(r.report('n2'), 'n2')).toMatchObject({ ok: true });
  });

  it('reads its key from a file and deletes it', () => {
    const h = new Harness(dir);
    const { key, file } = h.newKey();
    writeFileSync(file, key);
    expect(h.preamble()).toContain(JSON.stringify(file));
    expect(h.preamble()).not.toContain(key);
  });
});

describe('the harness against code that knows it', () => {
  it('reports tampering that a setter on Array.prototype or a toJSON on Object.prototype would hide', () => {
    const h = new Harness(dir);
    const r = realm(h);
    vm.runInContext('Object.defineProperty(Array.prototype, "0", { set() {}, configurable: true }); Object.prototype.toJSON = function () { return { nonce: this.nonce, checks: 3, tampered: [] }; };', r.context);
    r.start('n1').check.true(true, 'x');
    const verdict = h.verify(r.report('n1'), 'n1');
    expect(verdict).toMatchObject({ ok: true, report: { tampered: expect.arrayContaining(['Array.prototype gained 0', 'Object.prototype gained toJSON']) } });
  });

  it('signs only its own report when Hmac.prototype.update is replaced', () => {
    const h = new Harness(dir);
    const { key } = h.newKey();
    const context = vm.createContext({ grading, createHmac });
    vm.runInContext(`(${installHarness.toString()})(globalThis, grading, createHmac, ${JSON.stringify(h.name)}, ${JSON.stringify(key)})`, context);
    // After install: a learner swaps update() to get the key's MAC of a report of their own.
    const proto = Object.getPrototypeOf(createHmac('sha256', 'x')) as { update: (d: string) => unknown };
    const original = proto.update;
    let stolen = '';
    proto.update = function (this: unknown, d: string) { stolen = d; return original.call(this, 'forged'); };
    let report: string;
    try {
      vm.runInContext(`globalThis[${JSON.stringify(h.name)}]("n1")`, context);
      report = vm.runInContext(`globalThis[${JSON.stringify(h.name)}]("n1", true)`, context) as string;
    } finally {
      // The grader verifies in a process of its own, with update() as Node made it.
      proto.update = original;
    }
    expect(stolen).toBe('');
    expect(h.verify(report, 'n1')).toMatchObject({ ok: true });
  });
});
