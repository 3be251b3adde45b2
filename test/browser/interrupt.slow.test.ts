/**
 * Interrupting a busy cell as a learner does it: JupyterLab in Chromium, the toolbar's interrupt
 * button pressed while `while (true) {}` runs (Jupyter Server then sends SIGINT to the kernel's
 * process group, the kernelspec's interrupt_mode "signal"), and the next cell, which reads a
 * variable from before, runs. Also that JupyterLab highlights the cells as TypeScript (the kernel
 * says codemirror_mode "typescript"): a type annotation is a type, not a JavaScript syntax error.
 */
import { browserSuite, Lab, notebookJson, openLab } from '../helpers/browser';

const suite = browserSuite('the JupyterLab interrupt test');

suite('JupyterLab: the interrupt button', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await openLab({ 'interrupt.ipynb': notebookJson(['let a: number = 1;\na', 'while (true) {}', 'a + 1']) });
  }, 15 * 60_000);

  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  test('cells are highlighted as TypeScript: a type annotation shows as a type', async () => {
    const editor = lab.cell(0).locator('.cm-content');
    await editor.waitFor({ timeout: 60_000 });
    expect(await editor.getAttribute('data-language')).toBe('typescript');
    // In the TypeScript grammar `number` here is a type, which JupyterLab's theme leaves
    // unstyled, unlike the variable `a`; the JavaScript grammar has no type annotations and reads
    // it as one more name. The class of the element around each word tells which.
    const line = editor.locator('.cm-line').first();
    const classAround = (word: string) => line.evaluate((el, w) => {
      // Runs in the page; the suite is compiled without DOM types, so the nodes' shape is spelled out.
      interface Node { nodeType: number; textContent: string | null; parentElement: { className: string } | null; childNodes: ArrayLike<Node> }
      const root = el as unknown as Node;
      const find = (n: Node): string | undefined => {
        if (n.nodeType === 3 && new RegExp(`\\b${w}\\b`).test(n.textContent ?? '')) {
          return n.parentElement === (root as unknown) ? '(none)' : n.parentElement?.className;
        }
        for (const child of Array.from(n.childNodes)) {
          const found = find(child);
          if (found !== undefined) return found;
        }
        return undefined;
      };
      return find(root);
    }, word);
    const variable = await classAround('a');
    const typeName = await classAround('number');
    const html = await line.innerHTML();
    expect({ variable, html }).toMatchObject({ variable: expect.stringMatching(/\S/) });
    expect({ typeName, html }).not.toMatchObject({ typeName: variable });
    expect({ typeName, html }).not.toMatchObject({ typeName: undefined });
  }, 120_000);

  test('interrupting a busy loop with the toolbar button, then running the next cell', async () => {
    const { page } = lab;
    await lab.cell(0).locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Shift+Enter');
    await lab.expectText(lab.cell(0).locator('.jp-OutputArea-output'), '1');
    await page.keyboard.press('Shift+Enter');
    await lab.expectText(lab.cell(1).locator('.jp-InputPrompt'), '[*]');
    // Let the loop really run: the interrupt must stop running code, not a cell still compiling.
    await page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]').first().waitFor({ timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 2000));

    await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="interrupt"]').first().click();
    await lab.expectText(lab.cell(1).locator('.jp-OutputArea-output'), 'Interrupted', 30_000);

    await lab.cell(2).locator('.jp-InputArea-editor').click();
    const started = Date.now();
    await page.keyboard.press('Shift+Enter');
    await lab.expectText(lab.cell(2).locator('.jp-OutputArea-output'), '2', 60_000);
    process.stdout.write(`next cell after JupyterLab's interrupt: ${Date.now() - started} ms to its output\n`);
    await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first().waitFor({ timeout: 30_000 });
    await lab.expectText(lab.cell(2).locator('.jp-InputPrompt'), '[3]');
  }, 240_000);
});
