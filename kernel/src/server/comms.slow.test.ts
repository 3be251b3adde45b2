/**
 * Widget comms through the real kernel, driven by jupyter_client as JupyterLab's widget manager
 * drives them (kernel/src/server/comms-check.py): comm_info by target, a frontend update echoed and
 * observed (the observer's print published under the comm message), an observer stuck in a busy
 * loop stopped by interrupt_request with the variables kept, and the control comm's
 * request_states answered with the current values, and binary values as buffers both ways.
 */
import path from 'node:path';
import { runCaptured, setUpJupyter, JupyterSetup } from '../../../test/helpers/jupyter';

let jupyter: JupyterSetup;
beforeAll(async () => { jupyter = await setUpJupyter(); }, 600_000);
afterAll(() => jupyter?.cleanup());

test('a widget comm: update, echo, observer output, interrupt of a stuck callback, control comm', async () => {
  const run = await runCaptured(jupyter.python, [path.join(__dirname, 'comms-check.py'), jupyter.kernelName], { env: jupyter.env, timeoutMs: 240_000 });
  const line = run.output.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`comms-check.py printed no result:\n${run.output}`);
  const found = JSON.parse(line) as Record<string, unknown>;
  expect(found.cell).toBe('ok');
  expect(found.comm_targets).toEqual(['jupyter.widget']);
  expect(found.other_target_comms).toEqual({});
  // The echo first, then what the observer printed, both under the frontend's comm_msg.
  expect(found.update).toEqual([['status', null], ['comm_msg', 'echo_update'], ['stream', 'changed 3 -> 7\n']]);
  expect(found.interrupted).toEqual([['error', 'Interrupted']]);
  expect(found.after).toBe('99');
  expect(found.control).toEqual(['update_states', 99]);
  expect(found.buffer_in).toEqual(['got 7,8\n']);
  expect(found.buffer_out).toEqual({ data: { method: 'update', state: {}, buffer_paths: [['value']] }, buffers: ['0102ff'] });
}, 300_000);
