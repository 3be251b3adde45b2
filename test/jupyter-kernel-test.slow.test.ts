/**
 * jupyter_kernel_test (the Jupyter project's kernel conformance suite, pinned in
 * python/requirements.txt) against the tsdl kernel: test/python/test_tsdl_kernel.py, run with the
 * venv's python. A failure shows unittest's own report, naming the test and the message.
 */
import path from 'node:path';
import { root, runCaptured, setUpJupyter, JupyterSetup } from './helpers/jupyter';

// Features jupyter_kernel_test can check that a TypeScript kernel has no use for.
const EXPECTED_SKIPS = new Set(['test_pager']);

let jupyter: JupyterSetup;
beforeAll(async () => {
  jupyter = await setUpJupyter();
}, 15 * 60_000);
afterAll(() => jupyter?.cleanup());

test('jupyter_kernel_test passes with every feature it can test filled in', async () => {
  const script = path.join(root, 'test', 'python', 'test_tsdl_kernel.py');
  const result = await runCaptured(jupyter.python, [script], {
    env: { ...jupyter.env, TSDL_KERNEL_NAME: jupyter.kernelName },
    timeoutMs: 8 * 60_000,
  });
  if (result.code !== 0) throw new Error(`jupyter_kernel_test failed (exit ${result.code}):\n${result.output}`);

  // A sample that silently stops being tested is as bad as a failure.
  const skipped = [...result.output.matchAll(/^(test_\w+) \(.*\) \.\.\. skipped/gm)].map((m) => m[1]);
  const unexpected = skipped.filter((name) => !EXPECTED_SKIPS.has(name));
  if (unexpected.length > 0) throw new Error(`jupyter_kernel_test skipped ${unexpected.join(', ')}:\n${result.output}`);
  expect(result.output).toMatch(/^OK/m);
}, 10 * 60_000);
