/**
 * Test cells that learner code cannot switch off.
 *
 * Learner code and the tests share one JavaScript realm, so nothing in that realm is beyond the
 * learner's reach once their code has run. What the grader controls is the order: before any
 * learner cell it runs a hidden cell (the preamble) that loads `tsdl/grading` (frozen), takes a
 * snapshot of the built-ins the checks rely on, and installs one non-writable, non-configurable
 * global function whose closure holds a secret key that no cell ever sees again (it is read from a
 * file, and the file deleted). Then:
 *
 * - each test cell is sent with a first line that binds `check` (and the other check functions
 *   it uses) to wrapped copies from that closure, so an answer cell that redefines `check` or
 *   assigns `check.close = ...` changes nothing;
 * - every wrapped check counts its calls and compares the built-ins with the snapshot (replaced
 *   `Math.abs`, a getter on `Object.prototype`, another `Error`...);
 * - after each test cell the grader runs a hidden cell that asks the closure for its report on
 *   that cell's nonce: calls made and tampering seen, signed with the secret (HMAC-SHA256).
 *
 * A report that is missing, unsigned, or about another nonce means the harness itself was got
 * at; the grader then withholds the cell's points and flags it. What this cannot stop: a learner
 * who reads the closure through node:inspector. The sandbox still confines such code to its own
 * scratch folder, and the flag `tampered` names what was changed whenever the snapshot catches it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as path from 'node:path';
import type * as Grading from '../checks';

/** The check functions a test cell may use, by the names `tsdl/grading` exports them under. */
export const CHECK_NAMES = ['check', 'expectClose', 'expectEqual', 'expectShape', 'expectDtype', 'expectTrue', 'expectThrows', 'partialCredit'] as const;
type CheckName = (typeof CHECK_NAMES)[number];

export interface TestCellReport {
  /** Check functions the cell called (partialCredit and the checks inside it each count). */
  checks: number;
  /** What was found changed in the built-ins the checks rely on; empty when nothing was. */
  tampered: string[];
}

export type TestCellVerdict = { ok: true; report: TestCellReport } | { ok: false; why: string };

type CreateHmac = (algorithm: string, key: string) => { update(data: string): unknown; digest(encoding: 'hex'): string };

/**
 * Runs inside the learner's kernel, as the preamble, before any learner code: it is sent as its
 * source text (Function.prototype.toString), so it uses nothing from its module and reaches
 * built-ins only through references it took first.
 */
export function installHarness(global: typeof globalThis, grading: typeof Grading, hmac: CreateHmac, name: string, secret: string): void {
  const R = Reflect;
  const apply = R.apply;
  const ownKeys = R.ownKeys;
  const getDescriptor = R.getOwnPropertyDescriptor;
  const define = R.defineProperty;
  const getPrototype = R.getPrototypeOf;
  const freeze = Object.freeze;
  // JSON.stringify of a string primitive looks up no toJSON; objects are never given to it.
  const stringify = JSON.stringify;
  const charCode = String.prototype.charCodeAt;
  const strSlice = String.prototype.slice;
  const numberToString = Number.prototype.toString;
  // Array writes through [[Set]] would meet setters a learner put on Array.prototype: define instead.
  const push = <T>(list: T[], value: T) => {
    define(list, list.length, { value, writable: true, enumerable: true, configurable: true });
  };
  // The Hmac's methods as they were, so that a replaced update() cannot sign other content.
  const probeHmac = hmac('sha256', 'probe');
  const hmacUpdate = probeHmac.update;
  const hmacDigest = probeHmac.digest;
  const sign = (body: string) => {
    const h = hmac('sha256', secret);
    apply(hmacUpdate, h, [body]);
    return apply(hmacDigest, h, ['hex']) as string;
  };
  // Hex of UTF-16 code units: survives the kernel's display of a string value unchanged.
  const toHex = (s: string) => {
    let out = '';
    for (let i = 0; i < s.length; i++) out += apply(strSlice, apply(numberToString, 0x10000 + (apply(charCode, s, [i]) as number), [16]), [1]);
    return out;
  };
  const typedArray = getPrototype(Uint8Array) as object;
  const watched: [string, object][] = [
    ['Object.prototype', Object.prototype], ['Array.prototype', Array.prototype], ['Function.prototype', Function.prototype],
    ['String.prototype', String.prototype], ['Number.prototype', Number.prototype], ['Error.prototype', Error.prototype],
    ['TypedArray.prototype', (typedArray as { prototype: object }).prototype], ['ArrayIterator', getPrototype([][Symbol.iterator]()) as object],
    ['Map.prototype', Map.prototype], ['Set.prototype', Set.prototype],
    ['Object', Object], ['Array', Array], ['Math', Math], ['JSON', JSON], ['Number', Number], ['String', String], ['Reflect', Reflect],
    ['ArrayBuffer', ArrayBuffer], ['Error', Error], ['Symbol', Symbol],
  ];
  const globals = ['Object', 'Array', 'Math', 'JSON', 'Number', 'String', 'Boolean', 'Error', 'TypeError', 'RangeError', 'Reflect', 'Symbol', 'Map', 'Set', 'ArrayBuffer', 'Float32Array', 'Function', 'Promise'];
  type Entry = [string | symbol, unknown, unknown, unknown];
  const snapshotOf = (o: object): Entry[] => {
    const keys = ownKeys(o);
    const entries: Entry[] = [];
    for (let i = 0; i < keys.length; i++) {
      const d = getDescriptor(o, keys[i])!;
      push(entries, [keys[i], d.value, d.get, d.set] as Entry);
    }
    return entries;
  };
  const before: Entry[][] = [];
  for (let i = 0; i < watched.length; i++) before[i] = snapshotOf(watched[i][1]);
  // Descriptors, not values: a getter put in place of a global could answer differently to each caller.
  const globalDescriptor = (name: string): Entry => {
    const d = getDescriptor(global, name);
    return [name, d?.value, d?.get, d?.set];
  };
  const globalsBefore: Entry[] = [];
  for (let i = 0; i < globals.length; i++) push(globalsBefore, globalDescriptor(globals[i]));
  // The kernel itself sets these on Error (source-mapped tracebacks); they decide no check.
  const volatile = ['Error.prepareStackTrace', 'Error.stackTraceLimit'];
  const isVolatile = (label: string, key: string | symbol) => {
    for (let i = 0; i < volatile.length; i++) if (volatile[i] === label + '.' + (typeof key === 'string' ? key : '')) return true;
    return false;
  };

  // NaN (Number.NaN, globalThis.NaN) is the one value not equal to itself.
  const same = (a: unknown, b: unknown) => a === b || (a !== a && b !== b);
  const keyName = (k: string | symbol) => (typeof k === 'symbol' ? '[' + k.description + ']' : k);
  /** What differs from the snapshot, at most a few items. */
  const audit = (): string[] => {
    const found: string[] = [];
    for (let i = 0; i < globals.length && found.length < 5; i++) {
      const now = globalDescriptor(globals[i]);
      const was = globalsBefore[i];
      if (!same(now[1], was[1]) || now[2] !== was[2] || now[3] !== was[3]) push(found, globals[i] + ' was replaced');
    }
    for (let i = 0; i < watched.length && found.length < 5; i++) {
      const label = watched[i][0];
      const now = snapshotOf(watched[i][1]);
      const was = before[i];
      for (let j = 0; j < now.length && found.length < 5; j++) {
        if (isVolatile(label, now[j][0])) continue;
        let k = 0;
        while (k < was.length && was[k][0] !== now[j][0]) k++;
        if (k === was.length) push(found, label + ' gained ' + keyName(now[j][0]));
        else if (!same(was[k][1], now[j][1]) || was[k][2] !== now[j][2] || was[k][3] !== now[j][3]) push(found, label + '.' + keyName(now[j][0]) + ' was replaced');
      }
      if (now.length < was.length && found.length < 5) push(found, label + ' lost properties');
    }
    return found;
  };

  let active: { nonce: string; checks: number; tampered: string[] } | undefined;
  const wrap = (f: (...args: never[]) => unknown) =>
    freeze(function (this: unknown) {
      if (active) {
        active.checks++;
        if (active.tampered.length === 0) active.tampered = audit();
      }
      // eslint-disable-next-line prefer-rest-params
      return apply(f, undefined, arguments as unknown as never[]);
    });
  const checkObject: Record<string, unknown> = {};
  const short = ownKeys(grading.check) as string[];
  for (let i = 0; i < short.length; i++) checkObject[short[i]] = wrap((grading.check as unknown as Record<string, (...a: never[]) => unknown>)[short[i]]);
  const bindings = freeze({
    check: freeze(checkObject),
    expectClose: wrap(grading.expectClose), expectEqual: wrap(grading.expectEqual), expectShape: wrap(grading.expectShape),
    expectDtype: wrap(grading.expectDtype), expectTrue: wrap(grading.expectTrue), expectThrows: wrap(grading.expectThrows),
    partialCredit: wrap(grading.partialCredit),
  });

  const harness = freeze(function (nonce: string, done?: boolean): unknown {
    if (!done) {
      active = { nonce, checks: 0, tampered: [] };
      return bindings;
    }
    const report = active && active.nonce === nonce ? active : { nonce, checks: 0, tampered: ['the test cell did not start the grading harness'] };
    active = undefined;
    const tampered = report.tampered.length ? report.tampered : audit();
    // Written out by hand: JSON.stringify of an object would call a toJSON put on Object.prototype.
    let list = '';
    for (let i = 0; i < tampered.length; i++) list += (i ? ',' : '') + stringify('' + tampered[i]);
    const body = toHex('{"nonce":' + stringify('' + nonce) + ',"checks":' + (+report.checks) + ',"tampered":[' + list + ']}');
    return body + '.' + sign(body);
  });
  define(global, name, { value: harness, writable: false, configurable: false, enumerable: false });
}

/** The grader's side of the harness for one submission: the cells it sends and the reports it checks. */
export class Harness {
  /** The global the preamble installs; random, so no learner code can claim it beforehand. */
  readonly name = `__tsdl_grading_${randomBytes(6).toString('hex')}`;
  private secret = '';
  private keyFile = '';

  /**
   * @param keyDir where the key for each preamble is written (a file of a new random name, created
   *   exclusively, so that nothing planted there is written through), read and deleted by the
   *   preamble: the kernel can read it, learner code, which runs only after the preamble, never.
   */
  constructor(readonly keyDir: string) {}

  /** A new key for the next preamble (each kernel a submission runs on gets its own), and its file. */
  newKey(): { key: string; file: string } {
    this.secret = randomBytes(32).toString('hex');
    this.keyFile = path.join(this.keyDir, `.grading-key-${randomBytes(8).toString('hex')}`);
    return { key: this.secret, file: this.keyFile };
  }

  /** The hidden first cell. It type-checks as is: the kernel runs no cell with type errors. */
  preamble(): string {
    const id = this.name;
    return [
      '// @ts-nocheck',
      `import * as ${id}_grading from "tsdl/grading";`,
      `import { createHmac as ${id}_hmac } from "node:crypto";`,
      `import { readFileSync as ${id}_read, rmSync as ${id}_rm } from "node:fs";`,
      `(${installHarness.toString()})(globalThis, ${id}_grading, ${id}_hmac, ${JSON.stringify(id)}, (() => { const s = ${id}_read(${JSON.stringify(this.keyFile)}, "utf8"); ${id}_rm(${JSON.stringify(this.keyFile)}, { force: true }); return s; })());`,
    ].join('\n');
  }

  /**
   * The test cell as sent to the kernel: its `tsdl/grading` imports, or else the check names it
   * uses, bound to the harness's copies for this nonce — on the first line, so that line numbers
   * in errors stay those of the cell.
   */
  wrapTestCell(source: string, nonce: string): string {
    // `as any`: the global's name is random, so no declaration can type it; the result is typed.
    const fetch = `(globalThis as any)[${JSON.stringify(this.name)}](${JSON.stringify(nonce)}) as typeof import("tsdl/grading")`;
    let imported = false;
    const rewritten = source.replace(/^([ \t]*)import\s*(\{[^}]*\}|\*\s*as\s+[A-Za-z_$][\w$]*)\s*from\s*["']tsdl\/grading["'];?/gm, (whole, indent: string, what: string) => {
      imported = true;
      const binding = what.startsWith('*') ? what.replace(/^\*\s*as\s+/, '') : what.replace(/\bas\b/g, ':');
      const lines = whole.split('\n').length - binding.split('\n').length;
      return `${indent}const ${binding} = ${fetch};${'\n'.repeat(lines)}`;
    });
    if (imported) return rewritten;
    // Names the cell uses, except those it declares itself (binding them again would not compile).
    const used = CHECK_NAMES.filter((n: CheckName) => new RegExp(`(^|[^\\w$.])${n}\\b`).test(source) && !new RegExp(`\\b(const|let|var|function|class)\\s+${n}\\b`).test(source));
    // Even a cell that uses no check starts its nonce, so that its report says it ran none.
    const prologue = used.length === 0 ? `(globalThis as any)[${JSON.stringify(this.name)}](${JSON.stringify(nonce)});` : `const { ${used.join(', ')} } = ${fetch};`;
    // A leading `// @ts-...` directive must stay first; otherwise share its first line.
    if (/^\s*\/\/\s*@ts-/.test(source)) return `${prologue}\n${source}`;
    return `${prologue} ${source}`;
  }

  /** The hidden cell run right after a test cell: its value is the signed report. */
  reportCell(nonce: string): string {
    return `(globalThis as any)[${JSON.stringify(this.name)}](${JSON.stringify(nonce)}, true)`;
  }

  /** Reads the report cell's text/plain value (a quoted string) and checks its signature and nonce. */
  verify(textPlain: string | undefined, nonce: string): TestCellVerdict {
    if (textPlain === undefined || this.secret === '') return { ok: false, why: 'the test cell sent no report' };
    const text = textPlain.trim().replace(/^['"`]|['"`]$/g, '');
    const [body, mac] = text.split('.');
    if (!body || !mac || !/^[0-9a-f]{64}$/.test(mac)) return { ok: false, why: 'the report of the test cell was not signed' };
    const expected = createHmac('sha256', this.secret).update(body).digest();
    if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return { ok: false, why: 'the report of the test cell was forged' };
    let parsed: { nonce?: unknown; checks?: unknown; tampered?: unknown };
    try {
      if (!/^(?:[0-9a-f]{4})+$/.test(body)) throw new Error('not hex');
      parsed = JSON.parse(String.fromCharCode(...(body.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)))) as typeof parsed;
    } catch {
      return { ok: false, why: 'the report of the test cell could not be read' };
    }
    if (parsed.nonce !== nonce) return { ok: false, why: 'the report was about another test cell' };
    const tampered = Array.isArray(parsed.tampered) ? parsed.tampered.map(String) : [];
    return { ok: true, report: { checks: typeof parsed.checks === 'number' ? parsed.checks : 0, tampered } };
  }
}

export const newNonce = () => randomBytes(8).toString('hex');
