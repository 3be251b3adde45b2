/**
 * The messaging spec's field types for every message the kernel sends, as data, and a checker at
 * least as strict as the typed clients (the Rust jupyter-protocol/runtimelib crates behind nteract,
 * which refuse a reply whose field has the wrong type): an unknown message type, a missing
 * required field, a field of the wrong type and a field the spec does not name are all errors.
 *
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html (version 5.4)
 *
 * Used by the tests that record everything a real kernel sends; kept out of the send path, which
 * builds messages from typed code.
 */
import type { JsonObject, Message } from './messages';

/** A check: the problems with `value` at `path`, none when it fits. */
export type Shape = (value: unknown, path: string) => string[];

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);
const fail = (path: string, want: string, v: unknown): string[] => [`${path}: expected ${want}, got ${typeName(v)}${typeof v === 'string' ? ` "${v.slice(0, 40)}"` : ''}`];

export const str: Shape = (v, p) => (typeof v === 'string' ? [] : fail(p, 'a string', v));
export const bool: Shape = (v, p) => (typeof v === 'boolean' ? [] : fail(p, 'a boolean', v));
export const int: Shape = (v, p) => (Number.isInteger(v) ? [] : fail(p, 'an integer', v));
/** Any JSON value (user data: display data, comm data, metadata values). */
export const json: Shape = () => [];
export const oneOf = (...values: string[]): Shape => (v, p) => (typeof v === 'string' && values.includes(v) ? [] : fail(p, `one of ${values.join(', ')}`, v));
export const list = (item: Shape): Shape => (v, p) => (Array.isArray(v) ? v.flatMap((x, i) => item(x, `${p}[${i}]`)) : fail(p, 'a list', v));
export const either = (...shapes: Shape[]): Shape => (v, p) => {
  const all = shapes.map((s) => s(v, p));
  return all.some((problems) => problems.length === 0) ? [] : all.reduce((a, b) => (b.length < a.length ? b : a));
};
export const nullable = (shape: Shape): Shape => (v, p) => (v === null ? [] : shape(v, p));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object with these required and optional fields and no others. */
export const obj = (required: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape => (v, p) => {
  if (!isObject(v)) return fail(p, 'an object', v);
  const problems: string[] = [];
  for (const [k, shape] of Object.entries(required)) {
    if (!(k in v)) problems.push(`${p}.${k}: required, missing`);
    else problems.push(...shape(v[k], `${p}.${k}`));
  }
  for (const [k, value] of Object.entries(v)) {
    if (k in required) continue;
    if (k in optional) problems.push(...optional[k](value, `${p}.${k}`));
    else problems.push(`${p}.${k}: not a field of this message`);
  }
  return problems;
};

/** An object whose every value has one shape (a MIME bundle, user_expressions, comms). */
export const record = (value: Shape): Shape => (v, p) =>
  (isObject(v) ? Object.entries(v).flatMap(([k, x]) => value(x, `${p}.${k}`)) : fail(p, 'an object', v));

/** ISO 8601 with a time zone, as jupyter_client's date parser and chrono's DateTime<Utc> need. */
const isoDate: Shape = (v, p) =>
  (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) ? [] : fail(p, 'an ISO 8601 date with a time zone', v));

export const header = obj({ msg_id: str, session: str, username: str, date: isoDate, msg_type: str, version: str }, { subshell_id: nullable(str) });

/** text/* and JSON-free types carry strings; application/json and *+json any JSON. */
const mimeBundle: Shape = (v, p) => {
  if (!isObject(v)) return fail(p, 'a MIME bundle object', v);
  return Object.entries(v).flatMap(([mime, data]) =>
    (!/^[a-z]+\/[-+.\w]+$/i.test(mime) ? [`${p}: "${mime}" is not a MIME type`]
      : /json$/.test(mime) ? [] : str(data, `${p}["${mime}"]`)));
};

const errorFields = { ename: str, evalue: str, traceback: list(str) };
const replyError = obj({ status: oneOf('error'), ...errorFields });
/** A reply: its ok form, or the spec's error form. */
const reply = (ok: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape =>
  either(obj({ status: oneOf('ok'), ...ok }, optional), replyError);

const languageInfo = obj(
  { name: str, version: str, mimetype: str, file_extension: str },
  // codemirror_mode may be a dict in the spec's text, but typed clients read only the string form.
  { pygments_lexer: str, codemirror_mode: str, nbconvert_exporter: str },
);

const displayFields = { data: mimeBundle, metadata: record(json) };

/** Every message type the kernel may send, by channel, with its content's shape. */
export const CONTENT: Record<string, Shape> = {
  // shell and control replies
  kernel_info_reply: reply(
    { protocol_version: str, implementation: str, implementation_version: str, language_info: languageInfo, banner: str },
    { help_links: list(obj({ text: str, url: str })), debugger: bool, supported_features: list(str) },
  ),
  execute_reply: either(
    obj({ status: oneOf('ok'), execution_count: int, user_expressions: record(json), payload: list(record(json)) }),
    obj({ status: oneOf('error'), execution_count: int, ...errorFields }),
    obj({ status: oneOf('aborted') }, { execution_count: int }),
  ),
  complete_reply: reply({ matches: list(str), cursor_start: int, cursor_end: int, metadata: record(json) }),
  inspect_reply: reply({ found: bool, data: record(json), metadata: record(json) }),
  is_complete_reply: either(obj({ status: oneOf('complete', 'invalid', 'unknown') }), obj({ status: oneOf('incomplete') }, { indent: str })),
  history_reply: reply({ history: list(list(json)) }),
  comm_info_reply: reply({ comms: record(obj({ target_name: str })) }),
  interrupt_reply: reply({}),
  shutdown_reply: reply({ restart: bool }),
  // iopub
  status: obj({ execution_state: oneOf('busy', 'idle', 'starting') }),
  execute_input: obj({ code: str, execution_count: int }),
  stream: obj({ name: oneOf('stdout', 'stderr'), text: str }),
  display_data: obj(displayFields, { transient: obj({}, { display_id: str }) }),
  update_display_data: obj({ ...displayFields, transient: obj({ display_id: str }) }),
  execute_result: obj({ execution_count: int, ...displayFields }),
  error: obj(errorFields),
  clear_output: obj({ wait: bool }),
  comm_open: obj({ comm_id: str, target_name: str, data: record(json) }, { target_module: nullable(str), metadata: record(json) }),
  comm_msg: obj({ comm_id: str, data: record(json) }, { metadata: record(json) }),
  comm_close: obj({ comm_id: str, data: record(json) }, { metadata: record(json) }),
  iopub_welcome: obj({ subscription: str }),
  // stdin
  input_request: obj({ prompt: str, password: bool }),
};

/** Which message types may travel on which channel, kernel to client. */
export const CHANNEL_OF: Record<string, 'shell' | 'control' | 'iopub' | 'stdin' | 'shell/control'> = {
  // Replies go back on the channel of their request; a shell request may come on control (as
  // ipykernel accepts), interrupt_request only on control.
  kernel_info_reply: 'shell/control', execute_reply: 'shell/control', complete_reply: 'shell/control', inspect_reply: 'shell/control',
  is_complete_reply: 'shell/control', history_reply: 'shell/control', comm_info_reply: 'shell/control', interrupt_reply: 'control',
  shutdown_reply: 'shell/control',
  status: 'iopub', execute_input: 'iopub', stream: 'iopub', display_data: 'iopub', update_display_data: 'iopub', execute_result: 'iopub',
  error: 'iopub', clear_output: 'iopub', comm_open: 'iopub', comm_msg: 'iopub', comm_close: 'iopub', iopub_welcome: 'iopub',
  input_request: 'stdin',
};

/** Everything wrong with a message the kernel sent on `channel`; empty when it follows the spec. */
export function specProblems(message: Pick<Message, 'header' | 'parent_header' | 'metadata' | 'content'>, channel: 'shell' | 'control' | 'iopub' | 'stdin'): string[] {
  const type = (message.header as { msg_type?: unknown }).msg_type;
  const problems = header(message.header, 'header');
  if (typeof type !== 'string') return problems;
  const content = CONTENT[type];
  if (!content) return [...problems, `header.msg_type: "${type}" is not a message the kernel may send`];
  const allowed = CHANNEL_OF[type];
  if (!allowed.split('/').includes(channel)) problems.push(`${type} sent on ${channel}, belongs on ${allowed}`);
  if (channel !== 'iopub' && Object.keys(message.parent_header).length === 0) problems.push(`${type}: a reply needs its request as parent_header`);
  if (Object.keys(message.parent_header).length) problems.push(...header(message.parent_header, 'parent_header'));
  problems.push(...record(json)(message.metadata as JsonObject, 'metadata'));
  problems.push(...content(message.content, `${type}.content`));
  return problems;
}
