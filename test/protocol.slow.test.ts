/**
 * The kernel as a strict client sees it, over raw sockets: every message it sends in a session
 * that uses every request type follows the messaging spec's field types (kernel/src/protocol/
 * spec.ts, as strict as the Rust jupyter-protocol crate), and malformed frames of every kind sent
 * to each socket are refused with a log line each while the kernel keeps answering. The full-size
 * fuzz (10,000 frames a socket) is bench/kernel/fuzz.js.
 */
import { fuzzCases } from '../kernel/src/protocol/fuzz';
import { CONTENT, specProblems } from '../kernel/src/protocol/spec';
import { RawKernel } from './helpers/raw-kernel';

jest.setTimeout(180_000);

let kernel: RawKernel;

beforeAll(async () => {
  kernel = await RawKernel.start();
});

afterAll(async () => {
  await kernel?.close();
});

/** Runs `code` and resolves with its reply once the kernel is idle again. */
async function execute(code: string, extra: Record<string, unknown> = {}, onInput?: (prompt: string) => string): Promise<Record<string, unknown>> {
  const m = kernel.message('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true, ...extra });
  const reply = kernel.waitFor((r) => r.channel === 'shell' && r.message.parent_header.msg_id === m.header.msg_id, 120_000, 'execute_reply');
  const idle = kernel.idle(m.header.msg_id, 120_000);
  if (onInput) {
    void kernel.waitFor((r) => r.channel === 'stdin' && r.message.parent_header.msg_id === m.header.msg_id, 120_000).then(async (r) => {
      const answer = kernel.message('input_reply', { value: onInput(String(r.message.content.prompt)) });
      answer.parent_header = r.message.header;
      await kernel.send('stdin', answer);
    });
  }
  await kernel.send('shell', m);
  const [r] = await Promise.all([reply, idle]);
  return r.message.content;
}

test('every message the kernel sends follows the messaging spec, in a session using every request type', async () => {
  await kernel.request('control', 'kernel_info_request', {});
  expect(await execute('console.log("out"); console.error("err"); const kept = 41; kept + 1')).toMatchObject({ status: 'ok' });
  await execute('const h = newDisplay(); h.html("<i>1</i>"); h.html("<i>2</i>"); display.markdown("**m**"); clearOutput(true); display.json({ a: [1, 2] })');
  expect(await execute('throw new RangeError("no")')).toMatchObject({ status: 'error', ename: 'RangeError' });
  expect(await execute('const n: number = "x";')).toMatchObject({ status: 'error' });
  await execute('kept', { silent: true, user_expressions: { twice: 'kept * 2', broken: 'nope(' } });
  expect(await execute('await input("Name? ")', {}, () => 'Ada')).toMatchObject({ status: 'ok' });
  // stop_on_error: the second is aborted
  const [failed, aborted] = await Promise.all([execute('throw new Error("first")'), execute('1')]);
  expect([failed.status, aborted.status]).toEqual(['error', 'aborted']);
  // an interrupted cell
  const busy = execute('let spins = 0; while (true) spins++;');
  await new Promise((r) => setTimeout(r, 1500));
  await kernel.request('control', 'interrupt_request', {});
  expect(await busy).toMatchObject({ status: 'error', ename: 'Interrupted' });
  for (const [type, content] of [
    ['complete_request', { code: 'Math.ab', cursor_pos: 7 }],
    ['inspect_request', { code: 'Math.max', cursor_pos: 8, detail_level: 0 }],
    ['inspect_request', { code: 'nothingHere', cursor_pos: 11, detail_level: 1 }],
    ['is_complete_request', { code: 'function f(' }],
    ['is_complete_request', { code: '1 + 1' }],
    ['is_complete_request', { code: '}' }],
    ['history_request', { output: true, raw: true, hist_access_type: 'tail', n: 10 }],
    ['comm_info_request', {}],
    ['execute_request', { code: 42 }],
  ] as const) {
    await kernel.request('shell', type, content);
  }
  const open = kernel.message('comm_open', { comm_id: 'c1', target_name: 'nobody.here', data: {} });
  await kernel.send('shell', open);
  await kernel.idle(open.header.msg_id);
  await kernel.request('control', 'shutdown_request', { restart: false });
  await new Promise((r) => kernel.process.exitCode !== null ? r(undefined) : kernel.process.once('exit', r));

  const problems = kernel.recorded.flatMap((r) => specProblems(r.message, r.channel).map((p) => `${r.channel} ${r.message.header.msg_type}: ${p}`));
  expect(problems).toEqual([]);
  expect(kernel.undecodable).toEqual([]);
  // The session did reach the message kinds it meant to check, so the check above is not empty.
  const seen = new Set(kernel.recorded.map((r) => r.message.header.msg_type));
  const expected = Object.keys(CONTENT).filter((t) => !['comm_msg', 'comm_open'].includes(t));
  expect(expected.filter((t) => !seen.has(t))).toEqual([]);
  expect(kernel.recorded.find((r) => r.message.header.msg_type === 'iopub_welcome')?.message.content).toEqual({ subscription: '' });
});

describe('malformed frames', () => {
  let fuzzed: RawKernel;
  beforeAll(async () => { fuzzed = await RawKernel.start(); });
  afterAll(async () => { await fuzzed?.close(); });

  test('of every kind, sent to each socket, are refused with a log line each; the kernel keeps answering and its state', async () => {
    await fuzzed.request('shell', 'execute_request', { code: 'const before = 20;', silent: false });
    const PER_SOCKET = 220;
    let sent = 0;
    for (const channel of ['shell', 'control', 'stdin'] as const) {
      for (const c of fuzzCases(PER_SOCKET, fuzzed.conn.key, channel, 7, 256 << 10)) {
        await fuzzed.sendFrames(channel, c.frames);
        sent++;
      }
    }
    const rejections = (): number => fuzzed.log.match(/^\[tsdl\] (dropped a (shell|control|stdin) message:|refused a malformed )/gm)?.length ?? 0;
    const deadline = Date.now() + 60_000;
    while (rejections() < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (rejections() !== sent) process.stderr.write(fuzzed.log.slice(-3000));
    expect(rejections()).toBe(sent);
    const reply = await fuzzed.request('shell', 'execute_request', { code: 'before + 1', silent: false });
    expect(reply.content.status).toBe('ok');
    const result = await fuzzed.waitFor((r) => r.message.header.msg_type === 'execute_result' && r.message.parent_header.msg_id === reply.parent_header.msg_id, 10_000);
    expect(result.message.content.data).toEqual({ 'text/plain': '21' });
    expect((await fuzzed.request('control', 'kernel_info_request', {})).content.status).toBe('ok');
    // The error replies it sent to the signed ones follow the spec too.
    expect(fuzzed.recorded.flatMap((r) => specProblems(r.message, r.channel))).toEqual([]);
    expect(fuzzed.undecodable).toEqual([]);
    expect(fuzzed.log).not.toMatch(/socket failed|could not be handled/);
  });
});
