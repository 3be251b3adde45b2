/**
 * The learner's loop in JupyterLab: chapter 00 as `npm start` puts it in the workspace (its
 * student version, with the workspace's tsconfig), nbgrader's lab extension configured as
 * `tsdl lab` configures it (python/jupyter-config on JUPYTER_CONFIG_PATH). The learner fills one
 * answer and presses Validate: nbgrader's server extension runs the notebook on the tsdl kernel and
 * the dialog lists the exercise still to do; they fill it and Validate says every test passes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labEnv } from '../../cli/src/commands/lab';
import { syncWorkspace } from '../../cli/src/workspace';
import { browserSuite, Lab, openLab } from '../helpers/browser';
import { root } from '../helpers/jupyter';

const CHAPTER = '00-getting-started.ipynb';
const DOT = 'function dot(a: number[], b: number[]): number {\n' +
  '  if (a.length !== b.length) throw new Error(`lengths ${a.length} and ${b.length} differ`);\n' +
  '  return a.reduce((sum, x, i) => sum + x * b[i], 0);\n}';
const COLUMN = 'function column(xs: number[]): tsdl.tf.Tensor2D {\n  return tsdl.tf.tensor2d(xs, [xs.length, 1]);\n}';

browserSuite('the Validate browser test')('Validate in JupyterLab on a workspace notebook', () => {
  let lab: Lab;
  let workspace: string;
  const savedConfigPath = process.env.JUPYTER_CONFIG_PATH;

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(os.tmpdir(), 'tsdl-learn-'));
    await syncWorkspace({ teacherDir: path.join(root, 'notebooks'), dir: workspace });
    // JupyterLab's environment as `tsdl lab` builds it (setUpJupyter copies process.env).
    process.env.JUPYTER_CONFIG_PATH = labEnv(root, '', {}).JUPYTER_CONFIG_PATH;
    const tsconfig = JSON.stringify({ extends: path.join(root, 'notebooks', 'tsconfig.json') });
    lab = await openLab({ [CHAPTER]: readFileSync(path.join(workspace, CHAPTER), 'utf8'), 'tsconfig.json': tsconfig }, { timeoutMs: 180_000 });
  }, 240_000);

  afterAll(async () => {
    if (savedConfigPath === undefined) delete process.env.JUPYTER_CONFIG_PATH;
    else process.env.JUPYTER_CONFIG_PATH = savedConfigPath;
    await lab?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  /** Replaces the text of the answer cell that declares `name` with `code`, as a learner types it. */
  async function answer(name: string, code: string): Promise<void> {
    const cell = lab.page.locator('.jp-Notebook .jp-CodeCell').filter({ hasText: `function ${name}(` }).first();
    await cell.scrollIntoViewIfNeeded();
    await cell.locator('.jp-InputArea-editor').click();
    await lab.page.keyboard.press('Control+A');
    // insertText: one input event, so the editor's bracket closing adds nothing.
    await lab.page.keyboard.insertText(code);
    await lab.page.keyboard.press('Escape');
  }

  /** Presses Validate and returns the text of nbgrader's result dialog, then closes it. */
  async function validate(): Promise<string> {
    await lab.page.locator('.jp-NotebookPanel-toolbar .validate-button').click();
    const dialog = lab.page.locator('.jp-Dialog');
    try {
      await dialog.filter({ hasText: 'Validation Results' }).waitFor({ timeout: 180_000 });
    } catch (e) {
      const seen = await dialog.allInnerTexts().catch(() => []);
      throw new Error(`no "Validation Results" dialog; JupyterLab shows ${JSON.stringify(seen)}${await lab.failureScreenshot('validate-failure')}\n${(e as Error).message}\n\n${lab.log()}`);
    }
    const text = await dialog.innerText();
    await dialog.locator('.jp-Dialog-button').last().click();
    await dialog.waitFor({ state: 'detached' });
    return text;
  }

  it('lists the exercise still to do, then passes once it is done', async () => {
    expect(lab.log()).not.toMatch(/No nbgrader_config\.py file found/);
    await answer('dot', DOT);
    const first = await validate();
    // The dialog shows each failing test cell's source and what went wrong (a partialCredit test
    // that earned nothing: nbgrader's words).
    expect(first).toMatch(/The following cell failed/);
    expect(first).toContain('column([1, 2, 3])');
    expect(first).toMatch(/passed some but not all of the tests/);
    expect(first).not.toContain('dot([1, 2, 3], [4, 5, 6])');

    await answer('column', COLUMN);
    const second = await validate();
    expect(second).toMatch(/Success! Your notebook passes all the tests\./);
  }, 420_000);
});
