/**
 * The wire format: multipart ZeroMQ frames <-> messages, with HMAC signatures.
 *
 * Pure functions, no sockets. Every incoming message's signature is checked here; a message with a
 * wrong or missing signature never reaches a handler.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { JsonObject, Message, MessageHeader, PROTOCOL_VERSION } from './messages';

const DELIMITER = '<IDS|MSG>';

/** Why a multipart message was refused. Carries what we could read, so a reply can still be sent. */
export class WireError extends Error {
  constructor(message: string, readonly identities: Buffer[] = [], readonly header?: Partial<MessageHeader>) {
    super(message);
    this.name = 'WireError';
  }
}

export class Signer {
  private readonly algorithm: string | undefined;
  constructor(private readonly key: string, scheme = 'hmac-sha256') {
    if (key === '') { this.algorithm = undefined; return; }
    const match = /^hmac-(.+)$/.exec(scheme);
    if (!match) throw new Error(`Unsupported signature_scheme "${scheme}" in the connection file: use hmac-sha256.`);
    this.algorithm = match[1];
  }

  /** Hex HMAC of the four JSON frames, or '' when the connection has no key (signing disabled). */
  sign(frames: Buffer[]): string {
    if (!this.algorithm) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest('hex');
  }

  verify(signature: string, frames: Buffer[]): boolean {
    if (!this.algorithm) return true;
    const expected = Buffer.from(this.sign(frames), 'utf8');
    const got = Buffer.from(signature, 'utf8');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}

function parseJsonFrame(frame: Buffer | undefined, what: string, identities: Buffer[], header?: Partial<MessageHeader>): JsonObject {
  if (frame === undefined) throw new WireError(`message has no ${what} frame`, identities, header);
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError(`${what} frame is not valid JSON`, identities, header);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WireError(`${what} frame is not a JSON object`, identities, header);
  }
  return value as JsonObject;
}

/** Header fields every message carries, all strings (messaging spec, "General Message Format"). */
const HEADER_STRINGS = ['msg_id', 'msg_type', 'session', 'username', 'date', 'version'] as const;

/**
 * What is wrong with a header, or undefined. msg_id and msg_type must be non-empty strings; the
 * other fields, which some clients leave out, must be strings when present (a handler reading
 * `msg_type.endsWith` on a list must never be reached).
 */
export function headerProblem(header: JsonObject): string | undefined {
  for (const field of ['msg_id', 'msg_type'] as const) {
    if (typeof header[field] !== 'string' || header[field] === '') return `has no string ${field} (got ${describe(header[field])})`;
  }
  for (const field of HEADER_STRINGS) {
    if (field in header && typeof header[field] !== 'string') return `field ${field} is ${describe(header[field])}, not a string`;
  }
  if ('subshell_id' in header && header.subshell_id !== null && typeof header.subshell_id !== 'string') {
    return `field subshell_id is ${describe(header.subshell_id)}, not a string or null`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === '') return 'an empty string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Multipart frames -> message. Throws WireError on a bad signature or a malformed message. */
export function decode(frames: Buffer[], signer: Signer): Message {
  const split = frames.findIndex((f) => f.length === DELIMITER.length && f.toString('utf8') === DELIMITER);
  if (split < 0) throw new WireError('message has no <IDS|MSG> delimiter');
  const identities = frames.slice(0, split);
  const signature = frames[split + 1]?.toString('utf8') ?? '';
  const body = frames.slice(split + 2, split + 6);
  if (body.length < 4) throw new WireError(`message has ${body.length} of the 4 required frames`, identities);
  if (!signer.verify(signature, body)) throw new WireError(signature ? 'invalid signature' : 'missing signature', identities);
  const header = parseJsonFrame(body[0], 'header', identities);
  const problem = headerProblem(header);
  // A bad header gets no reply: the reply would carry it back as its parent_header, which the
  // strict client this protects would then refuse in turn. It is logged.
  if (problem) throw new WireError(`header ${problem}`, identities);
  const checked = header as unknown as MessageHeader;
  const parentHeader = parseJsonFrame(body[1], 'parent_header', identities, checked);
  const parentProblem = Object.keys(parentHeader).length ? headerProblem(parentHeader) : undefined;
  if (parentProblem) throw new WireError(`parent_header ${parentProblem}`, identities, checked);
  return {
    identities,
    header: checked,
    parent_header: parentHeader as Partial<MessageHeader>,
    metadata: parseJsonFrame(body[2], 'metadata', identities, header),
    content: parseJsonFrame(body[3], 'content', identities, header),
    buffers: frames.slice(split + 6),
  };
}

/** Message -> multipart frames, signed. */
export function encode(message: Message, signer: Signer): Buffer[] {
  const body = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), 'utf8'));
  return [...message.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(body)), ...body, ...message.buffers];
}

export function newHeader(msgType: string, session: string, username = 'kernel'): MessageHeader {
  return { msg_id: randomUUID(), session, username, date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

/** A reply or broadcast caused by `parent`: same identities (routing), parent's header as parent_header. */
export function childMessage<C extends JsonObject>(parent: Message | undefined, msgType: string, content: C, session: string,
  metadata: JsonObject = {}): Message<C> {
  return {
    identities: parent?.identities ?? [],
    header: newHeader(msgType, session, parent?.header.username ?? 'kernel'),
    parent_header: parent?.header ?? {},
    metadata,
    content,
    buffers: [],
  };
}
