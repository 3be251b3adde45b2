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
