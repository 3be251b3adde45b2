/**
 * The kernel in a TypeScript project (tsconfig NodeNext/ES2022/strict, "type": "module", local
 * .ts modules, an ES-only package), driven through jupyter_client: test/python/test_typescript_projects.py,
 * run with the venv's python. A failure shows unittest's own report, naming the test.
 */
import path from 'node:path';
import { root, runCaptured, setUpJupyter, JupyterSetup } from './helpers/jupyter';

let jupyter: JupyterSetup;
beforeAll(async () => {
  jupyter = await setUpJupyter();
}, 15 * 60_000);
afterAll(() => jupyter?.cleanup());

test('a TypeScript project in the kernel behaves as under tsc and Node', async () => {
  const script = path.join(root, 'test', 'python', 'test_typescript_projects.py');
  const result = await runCaptured(jupyter.python, [script, '-v'], {
    env: { ...jupyter.env, TSDL_KERNEL_NAME: jupyter.kernelName },
    timeoutMs: 8 * 60_000,
  });
  if (result.code !== 0) throw new Error(`test_typescript_projects.py failed (exit ${result.code}):\n${result.output}`);
  expect(result.output).toMatch(/^OK/m);
  expect(result.output).not.toMatch(/skipped/);
}, 10 * 60_000);
