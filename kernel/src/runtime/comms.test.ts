/**
 * The runtime's comm bookkeeping (what the kernel sees of it): a frontend's comm to a target
 * nobody registered is closed at once, so JupyterLab does not wait on it; a registered target's
 * handlers get the messages; nothing is sent on a comm that is closed; a callback's traceback
 * loses the widget library's frames.
 */
import { RuntimeComms, withoutLibraryFrames } from './comms';

type Sent = [string, Record<string, unknown>];

function comms(): { host: RuntimeComms; sent: Sent[] } {
  const sent: Sent[] = [];
  const host = new RuntimeComms((msgType, content) => { sent.push([msgType, content]); }, (e) => ({ ename: 'Error', evalue: String(e), traceback: [] }));
  return { host, sent };
}

test('a comm opened by the frontend to an unknown target is closed at once', async () => {
  const { host, sent } = comms();
  await host.deliver('comm_open', { comm_id: 'c1', target_name: 'nobody.here', data: {} }, {}, []);
  expect(sent).toEqual([['comm_close', { comm_id: 'c1', data: {} }]]);
});

test('a registered target gets its messages until the frontend closes the comm', async () => {
  const { host, sent } = comms();
  const got: unknown[] = [];
  host.registerTarget('t', (open) => {
    got.push(['open', open.data]);
    return { onMessage: (m) => { got.push(['msg', m.data, m.buffers.length]); }, onClose: () => { got.push(['close']); } };
  });
  await host.deliver('comm_open', { comm_id: 'c', target_name: 't', data: { x: 1 } }, {}, []);
  await host.deliver('comm_msg', { comm_id: 'c', data: { y: 2 } }, {}, [new Uint8Array([1])]);
  await host.deliver('comm_close', { comm_id: 'c', data: {} }, {}, []);
  await host.deliver('comm_msg', { comm_id: 'c', data: { z: 3 } }, {}, []);
  expect(got).toEqual([['open', { x: 1 }], ['msg', { y: 2 }, 1], ['close']]);
  expect(sent).toEqual([]);
});

test('the kernel side opens, sends and closes; nothing goes out on a closed comm', () => {
  const { host, sent } = comms();
  host.open('jupyter.widget', 'w', { state: {} }, { version: '2.1.0' }, [], {});
  host.send('w', { method: 'update' }, {}, []);
  host.close('w');
  host.send('w', { method: 'update' }, {}, []);
  expect(sent.map(([type]) => type)).toEqual(['comm_open', 'comm_msg', 'comm_close']);
});

test("a callback's traceback keeps the user's frames and drops tsdl/widgets' own", () => {
  const error = { ename: 'Error', evalue: 'boom', traceback: ['Error: boom', '    at onClick (In[2]:1:62)',
    '    at /work/main/dist/lib/src/widgets/controls.js:198:24', '    at Button.dispatchCustom (/x/dist/lib/src/widgets/widget.js:204:19)'] };
  expect(withoutLibraryFrames(error).traceback).toEqual(['Error: boom', '    at onClick (In[2]:1:62)']);
});

test("a comm kept on the frontend's close still gets messages and can still send (a reloaded page's widgets)", async () => {
  const { host, sent } = comms();
  const got: unknown[] = [];
  host.open('jupyter.widget', 'w', { state: {} }, {}, [], { keepOnFrontendClose: true, onMessage: (m) => { got.push(m.data); } });
  await host.deliver('comm_close', { comm_id: 'w', data: {} }, {}, []);
  await host.deliver('comm_msg', { comm_id: 'w', data: { method: 'request_state' } }, {}, []);
  host.send('w', { method: 'update' }, {}, []);
  expect(got).toEqual([{ method: 'request_state' }]);
  expect(sent.map(([type]) => type)).toEqual(['comm_open', 'comm_msg']);
});
