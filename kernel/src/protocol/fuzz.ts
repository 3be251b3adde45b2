/**
 * Malformed multipart messages for fuzzing a kernel's sockets: every kind a broken or hostile
 * client can send, none of which a kernel may act on. Deterministic for a seed, so a failure
 * found by bench/kernel/fuzz.js is found again by running it with the same seed.
 *
 * Each frame set is a message the kernel must refuse with one log line (a decode failure: "dropped
 * a <channel> message", or a signed request whose content has the wrong types: "refused a malformed
 * <type>" and an error reply), never run, and never let end a socket's receive loop.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from './messages';

export const FUZZ_KINDS = [
  'no-delimiter', 'unsigned', 'bad-signature', 'truncated', 'bad-json', 'not-an-object', 'header-field-types',
  'parent-header-types', 'bad-content', 'invalid-utf8', 'oversized',
] as const;
export type FuzzKind = typeof FUZZ_KINDS[number];

/** Kinds that decode (are correctly signed and well formed) and so reach a handler, which must refuse them. */
const REACHES_HANDLER: ReadonlySet<FuzzKind> = new Set(['bad-content']);

export interface FuzzCase { kind: FuzzKind; frames: Buffer[] }

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Requests whose handlers check their content's types; the content given has them wrong. */
const MALFORMED_REQUESTS: Array<[string, Record<string, unknown>]> = [
  ['execute_request', { code: 42, silent: false }],
  ['execute_request', { code: ['1 + 1'] }],
  ['execute_request', {}],
  ['complete_request', { code: 'Math.', cursor_pos: '5' }],
  ['inspect_request', { code: 'Math', cursor_pos: null, detail_level: 0 }],
  ['is_complete_request', { code: { text: '1' } }],
];

const WRONG_VALUES: unknown[] = [['x'], 7, null, { a: 1 }, true, '', 1.5];

/**
 * `count` malformed messages for `channel`, kinds in turn with random variations. On stdin only
 * the kinds that fail to decode are made: the stdin handler ignores well-formed strays.
 */
export function* fuzzCases(count: number, key: string, channel: 'shell' | 'control' | 'stdin', seed = 1, oversizedBytes = 4 << 20): Generator<FuzzCase> {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const kinds = channel === 'stdin' ? FUZZ_KINDS.filter((k) => !REACHES_HANDLER.has(k)) : FUZZ_KINDS;
  const sign = (body: Buffer[]): Buffer => {
    const h = createHmac('sha256', key);
    for (const b of body) h.update(b);
    return Buffer.from(h.digest('hex'));
  };
  const identity = Buffer.from(randomUUID());
  const delimiter = Buffer.from('<IDS|MSG>');
  const header = (msgType: string): Record<string, unknown> => ({
    msg_id: randomUUID(), session: 'fuzz', username: 'fuzz', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION,
  });
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const signed = (body: Buffer[]): Buffer[] => [identity, delimiter, sign(body), ...body];
  const validBody = (): Buffer[] => [json(header('kernel_info_request')), json({}), json({}), json({})];

  for (let i = 0; i < count; i++) {
    // Oversized messages are costly to build and send: one in fifty.
    let kind = kinds[i % kinds.length];
    if (kind === 'oversized' && random() > 0.2) kind = 'bad-signature';
    let frames: Buffer[];
    switch (kind) {
      case 'no-delimiter':
        frames = Array.from({ length: 1 + Math.floor(random() * 5) }, () => Buffer.from(randomUUID().repeat(1 + Math.floor(random() * 4))));
        break;
      case 'unsigned':
        frames = [identity, delimiter, Buffer.alloc(0), ...validBody()];
        break;
      case 'bad-signature': {
        const body = validBody();
        const sig = sign(body);
        sig[Math.floor(random() * sig.length)] ^= 1;
        frames = [identity, delimiter, pick([sig, Buffer.from('0'.repeat(64)), Buffer.from('not hex'), sig.subarray(0, 10)]), ...body];
        break;
      }
      case 'truncated': {
        const body = validBody().slice(0, Math.floor(random() * 4));
        frames = signed(body);
        if (random() < 0.3) frames = frames.slice(0, 1 + Math.floor(random() * 2));
        break;
      }
      case 'bad-json': {
        const body = validBody();
        const at = Math.floor(random() * 4);
        body[at] = Buffer.from(pick(['{', '{"msg_id": ', '', 'nul', '{"a":1}}', '[1,2', '{\'single\': 1}']));
        frames = signed(body);
        break;
      }
      case 'not-an-object': {
        const body = validBody();
        body[Math.floor(random() * 4)] = json(pick([[1, 2], 42, 'text', null, true]));
        frames = signed(body);
        break;
      }
      case 'header-field-types': {
        const h = header('kernel_info_request');
        const field = pick(['msg_type', 'msg_id', 'session', 'username', 'date', 'version', 'subshell_id']);
        // Only msg_id and msg_type are required: leaving out another field is allowed.
        if (random() < 0.15 && field.startsWith('msg_')) delete h[field];
        else h[field] = field === 'subshell_id' ? pick(WRONG_VALUES.filter((v) => v !== null && typeof v !== 'string')) : pick(WRONG_VALUES.filter((v) => typeof v !== 'string' || field.startsWith('msg_')));
        frames = signed([json(h), json({}), json({}), json({})]);
        break;
      }
      case 'parent-header-types': {
        const parent = header('execute_request');
        parent[pick(['msg_type', 'msg_id', 'session', 'date'])] = pick(WRONG_VALUES.filter((v) => typeof v !== 'string'));
        frames = signed([json(header('kernel_info_request')), json(parent), json({}), json({})]);
        break;
      }
      case 'bad-content': {
        const [type, content] = pick(MALFORMED_REQUESTS);
        frames = signed([json(header(type)), json({}), json({}), json(content)]);
        break;
      }
      case 'invalid-utf8': {
        const body = validBody();
        body[Math.floor(random() * 4)] = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0xc3, 0x28, 0x7d]);
        frames = signed(body);
        break;
      }
      case 'oversized': {
        // A huge content frame: unsigned (refused after hashing) or signed but not JSON.
        const big = Buffer.alloc(oversizedBytes, 0x61);
        const body = [json(header('execute_request')), json({}), json({}), big];
        frames = random() < 0.5 ? [identity, delimiter, Buffer.from('0'.repeat(64)), ...body] : signed(body);
        break;
      }
    }
    yield { kind, frames };
  }
}
