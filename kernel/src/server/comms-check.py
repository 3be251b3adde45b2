"""Drives the tsdl kernel's widget comms with jupyter_client, as JupyterLab's widget manager would, and
prints one JSON line of what it saw for kernel/src/server/comms.slow.test.ts to assert on."""
import json, sys, time, uuid
from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name=sys.argv[1] if len(sys.argv) > 1 else 'tsdl', startup_timeout=120)
found = {}
try:
    def send(msg_type, content, metadata=None, channel=None):
        m = kc.session.msg(msg_type, content, metadata=metadata or {})
        (channel or kc.shell_channel).send(m)
        return m['header']['msg_id']

    def until_idle(parent, timeout=60):
        msgs = []
        end = time.time() + timeout
        while time.time() < end:
            try:
                m = kc.get_iopub_msg(timeout=1)
            except Exception:
                continue
            if m['parent_header'].get('msg_id') != parent:
                continue
            if m['header']['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
                return msgs
            msgs.append(m)
        raise TimeoutError(f'no idle for {parent}')

    code = '''import { slider } from "tsdl/widgets";
const a = slider({ min: 0, max: 100, value: 3 });
a.observe("value", (c) => {
  console.log("changed", c.old, "->", c.new);
  if (c.new === 99) while (true) {}
});
a'''
    reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: None)
    found['cell'] = reply['content']['status']
    kc.comm_info(target_name='jupyter.widget')
    comms = kc.get_shell_msg(timeout=10)['content']['comms']
    found['comm_targets'] = sorted(set(c['target_name'] for c in comms.values()))
    kc.comm_info(target_name='no.such.target')
    found['other_target_comms'] = kc.get_shell_msg(timeout=10)['content']['comms']
    sid = list(comms)[-1]

    mid = send('comm_msg', {'comm_id': sid, 'data': {'method': 'update', 'state': {'value': 7}, 'buffer_paths': []}}, {'version': '2.1.0'})
    found['update'] = [[m['header']['msg_type'], m['content'].get('data', {}).get('method') or m['content'].get('text')] for m in until_idle(mid)]

    mid = send('comm_msg', {'comm_id': sid, 'data': {'method': 'update', 'state': {'value': 99}, 'buffer_paths': []}}, {'version': '2.1.0'})
    time.sleep(1.5)
    send('interrupt_request', {}, channel=kc.control_channel)
    found['interrupted'] = [[m['header']['msg_type'], m['content'].get('ename')] for m in until_idle(mid) if m['header']['msg_type'] == 'error']

    reply = kc.execute_interactive('a.value', timeout=60, output_hook=lambda m: found.setdefault('after', m['content'].get('data', {}).get('text/plain')) if m['header']['msg_type'] == 'execute_result' else None)

    # Binary values travel as message buffers, both ways (the frontend's put back at their path).
    code = '''import { Widget } from "tsdl/widgets";
const bin = new Widget("LabelModel", { value: "" });
bin.observe("value", (c) => console.log("got", Array.from(c.new as Uint8Array).join(",")));
bin.id'''
    bin_id = {}
    kc.execute_interactive(code, timeout=60, output_hook=lambda m: bin_id.setdefault('id', m['content']['data']['text/plain'].strip("'")) if m['header']['msg_type'] == 'execute_result' else None)
    m = kc.session.msg('comm_msg', {'comm_id': bin_id['id'], 'data': {'method': 'update', 'state': {}, 'buffer_paths': [['value']]}}, metadata={'version': '2.1.0'})
    kc.session.send(kc.shell_channel.socket, m, buffers=[b'\x07\x08'])
    found['buffer_in'] = [x['content']['text'] for x in until_idle(m['header']['msg_id']) if x['header']['msg_type'] == 'stream']
    out = {}
    def hook(msg):
        if msg['header']['msg_type'] == 'comm_msg' and msg['content']['comm_id'] == bin_id['id']:
            out['data'] = msg['content']['data']
            out['buffers'] = [bytes(b).hex() for b in msg['buffers']]
    kc.execute_interactive('bin.set({ value: new Uint8Array([1, 2, 255]) })', timeout=60, output_hook=hook)
    found['buffer_out'] = out

    cid = str(uuid.uuid4())
    send('comm_open', {'comm_id': cid, 'target_name': 'jupyter.widget.control', 'data': {}}, {'version': '1.0.0'})
    mid = send('comm_msg', {'comm_id': cid, 'data': {'method': 'request_states'}})
    states = [m for m in until_idle(mid) if m['header']['msg_type'] == 'comm_msg']
    s = states[0]['content']['data']
    found['control'] = [s['method'], s['states'][sid]['state']['value']]
finally:
    print(json.dumps(found))
    kc.stop_channels()
    km.shutdown_kernel(now=True)
