/** Signing and framing: what lets a client trust the kernel and the kernel refuse strangers. */
import { createHmac } from 'node:crypto';
import { childMessage, decode, encode, Signer, WireError } from './wire';
import type { Message } from './messages';

const signer = new Signer('secret-key');

function message(): Message {
  return childMessage(undefined, 'execute_request', { code: '1 + 1' }, 'session-1');
}

test('a message survives encode/decode and is signed with HMAC-SHA256 over its four JSON frames', () => {
  const frames = encode(message(), signer);
  const [delimiter, signature, ...body] = frames;
  expect(delimiter.toString()).toBe('<IDS|MSG>');
  const expected = createHmac('sha256', 'secret-key');
  for (const f of body) expected.update(f);
  expect(signature.toString()).toBe(expected.digest('hex'));
  expect(decode(frames, signer).content).toEqual({ code: '1 + 1' });
});

test('a wrong or missing signature is refused', () => {
  const frames = encode(message(), signer);
  expect(() => decode(frames, new Signer('other-key'))).toThrow('invalid signature');
  frames[1] = Buffer.from('');
  expect(() => decode(frames, signer)).toThrow('missing signature');
});

test('malformed frames are refused with a reason, keeping the routing identities', () => {
  const frames = [Buffer.from('client-id'), ...encode(message(), new Signer(''))];
  frames[frames.length - 1] = Buffer.from('{not json');
  try {
    decode(frames, new Signer(''));
    throw new Error('should have thrown');
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    expect((e as WireError).message).toBe('content frame is not valid JSON');
    expect((e as WireError).identities.map(String)).toEqual(['client-id']);
  }
  expect(() => decode([Buffer.from('no delimiter')], signer)).toThrow('no <IDS|MSG> delimiter');
});

test('an empty key disables signing, as the protocol allows', () => {
  const open = new Signer('');
  const frames = encode(message(), open);
  expect(frames[1].toString()).toBe('');
  expect(decode(frames, open).header.msg_type).toBe('execute_request');
});

describe('headers are checked field by field, as strict clients (the Rust jupyter-protocol crate) parse them', () => {
  function withHeader(patch: Record<string, unknown>, parent: Record<string, unknown> = {}): Buffer[] {
    const m = message();
    const header = { ...m.header, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (header as Record<string, unknown>)[k];
    const body = [header, parent, {}, m.content].map((p) => Buffer.from(JSON.stringify(p)));
    return [Buffer.from('client'), Buffer.from('<IDS|MSG>'), Buffer.from(signer.sign(body)), ...body];
  }

  test.each([
    [{ msg_type: ['x'] }, 'header has no string msg_type (got a list)'],
    [{ msg_type: 7 }, 'header has no string msg_type (got a number)'],
    [{ msg_type: '' }, 'header has no string msg_type (got an empty string)'],
    [{ msg_id: undefined }, 'header has no string msg_id (got nothing)'],
    [{ session: { a: 1 } }, 'header field session is an object, not a string'],
    [{ date: 12 }, 'header field date is a number, not a string'],
    [{ version: null }, 'header field version is null, not a string'],
    [{ subshell_id: 3 }, 'header field subshell_id is a number, not a string or null'],
  ])('a correctly signed message with header %j is refused: %s', (patch, reason) => {
    expect(() => decode(withHeader(patch), signer)).toThrow(reason);
  });

  test('a refused header is not kept for a reply (it would be the reply\'s bad parent_header); a good one with a bad parent is', () => {
    const err = (frames: Buffer[]): WireError => { try { decode(frames, signer); } catch (e) { return e as WireError; } throw new Error('accepted'); };
    expect(err(withHeader({ date: 12 })).header).toBeUndefined();
    expect(err(withHeader({ msg_type: ['execute_request'] })).header).toBeUndefined();
    expect(err(withHeader({}, { msg_id: 1 })).header?.msg_type).toBe('execute_request');
  });

  test('a parent_header, when not empty, must be a header too', () => {
    expect(() => decode(withHeader({}, { msg_id: 1, msg_type: 'x' }), signer)).toThrow('parent_header has no string msg_id');
    expect(decode(withHeader({}, { ...message().header }), signer).parent_header.msg_type).toBe('execute_request');
  });

  test('optional header fields may be left out, and subshell_id may be null', () => {
    expect(decode(withHeader({ date: undefined, username: undefined, subshell_id: null }), signer).header.msg_type).toBe('execute_request');
  });
});
