/** The messaging-spec checker: it must refuse what strict clients refuse, or its passes mean nothing. */
import { specProblems } from './spec';
import { childMessage } from './wire';
import type { JsonObject, Message } from './messages';

const request = childMessage(undefined, 'execute_request', { code: '1' }, 'client-session');
const reply = (type: string, content: JsonObject): Message => childMessage(request, type, content, 'kernel-session');

test('messages as the kernel builds them pass', () => {
  expect(specProblems(reply('execute_reply', { status: 'ok', execution_count: 1, user_expressions: {}, payload: [] }), 'shell')).toEqual([]);
  expect(specProblems(reply('stream', { name: 'stdout', text: 'hi' }), 'iopub')).toEqual([]);
  expect(specProblems(reply('display_data', { data: { 'text/html': '<b>', 'application/json': { a: 1 } }, metadata: {}, transient: { display_id: 'd1' } }), 'iopub')).toEqual([]);
  expect(specProblems(reply('execute_reply', { status: 'aborted' }), 'shell')).toEqual([]);
  expect(specProblems(childMessage(undefined, 'iopub_welcome', { subscription: '' }, 'k'), 'iopub')).toEqual([]);
});

test.each<[string, string, JsonObject, 'shell' | 'iopub', RegExp]>([
  ['codemirror_mode as an object (what nteract refused)', 'kernel_info_reply',
    { status: 'ok', protocol_version: '5.3', implementation: 'tsdl', implementation_version: '1', banner: '',
      language_info: { name: 'typescript', version: '6', mimetype: 'text/typescript', file_extension: '.ts', codemirror_mode: { name: 'javascript', typescript: true } } },
    'shell', /language_info\.codemirror_mode: expected a string, got an object/],
  ['a field the spec does not name', 'stream', { name: 'stdout', text: 'x', extra: 1 }, 'iopub', /stream\.content\.extra: not a field/],
  ['a missing required field', 'execute_result', { data: {}, metadata: {} }, 'iopub', /execution_count: required, missing/],
  ['a count that is not an integer', 'execute_input', { code: '', execution_count: 1.5 }, 'iopub', /expected an integer/],
  ['a text/plain that is not a string', 'display_data', { data: { 'text/plain': 3 }, metadata: {} }, 'iopub', /\["text\/plain"\]: expected a string/],
  ['an unknown message type', 'error_reply', { status: 'error', ename: '', evalue: '', traceback: [] }, 'shell', /"error_reply" is not a message the kernel may send/],
  ['a reply on the wrong channel', 'execute_reply', { status: 'aborted' }, 'iopub', /execute_reply sent on iopub, belongs on shell\/control/],
  ['an interrupt_reply on shell', 'interrupt_reply', { status: 'ok' }, 'shell', /interrupt_reply sent on shell, belongs on control/],
  ['an is_complete status outside the spec', 'is_complete_reply', { status: 'ok' }, 'shell', /one of complete, invalid, unknown|one of incomplete/],
  ['a traceback that is not a list of strings', 'error', { ename: 'E', evalue: '', traceback: 'line' }, 'iopub', /traceback: expected a list/],
])('refuses %s', (_, type, content, channel, problem) => {
  expect(specProblems(reply(type, content), channel).join('\n')).toMatch(problem);
});

test('refuses a header without a time zone on its date, and a reply without its parent', () => {
  const m = reply('status', { execution_state: 'idle' });
  m.header.date = '2024-01-01T00:00:00';
  expect(specProblems(m, 'iopub').join('\n')).toMatch(/header\.date: expected an ISO 8601 date with a time zone/);
  const orphan = childMessage(undefined, 'interrupt_reply', { status: 'ok' }, 'k');
  expect(specProblems(orphan, 'control').join('\n')).toMatch(/a reply needs its request as parent_header/);
});
