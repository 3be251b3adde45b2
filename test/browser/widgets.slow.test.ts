/**
 * Widgets as a user meets them, in the pinned JupyterLab (its own widget manager, PyPI
 * jupyterlab_widgets) in Debian's Chromium: dragging an `interact` slider redraws its plot, a
 * button's callback prints into an output widget, and after a page reload the widgets come back
 * from the kernel (JupyterLab's `jupyter.widget.control` request) with the values they had.
 * The state after the drag is saved as docs/screenshots/widgets.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserSuite, Lab, notebookJson, openLab } from '../helpers/browser';
import { root } from '../helpers/jupyter';

const SCREENSHOT = path.join(root, 'docs', 'screenshots', 'widgets.png');

const cells = [
  'import * as tsdl from "tsdl";\nimport { button, interact, output, slider, vbox } from "tsdl/widgets";',
  // An interact plot: the title says which value drew it.
  'const xs = Array.from({ length: 41 }, (_, i) => -2 + i / 10);\n' +
    'interact(({ a }) => tsdl.line({ "a·x²": xs.map((x) => a * x * x) }, { x: xs, title: `a = ${a}` }),\n' +
    '  { a: slider({ min: 0, max: 10, step: 1, value: 2 }) })',
  'const out = output();\nlet clicks = 0;\n' +
    'const hi = button({ description: "Say hi", onClick: out.capture(() => console.log(`clicked ${++clicks}`)) });\n' +
    'vbox([hi, out])',
];

browserSuite('the widgets browser test')('widgets in JupyterLab', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await openLab({ 'widgets.ipynb': notebookJson(cells) });
  }, 15 * 60_000);

  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  // Plotly's title is SVG text (no innerText): the drawn chart, not the static fallback.
  const plotTitle = async (): Promise<string | null> =>
    lab.cell(1).locator('.jp-OutputArea-output .widget-output svg.main-svg .gtitle').first().textContent({ timeout: 60_000 });

  test('an interact plot and a button render as widgets', async () => {
    await lab.cell(0).locator('.jp-InputArea-editor').click();
    for (let i = 0; i < cells.length; i++) await lab.page.keyboard.press('Shift+Enter');
    await lab.cell(1).locator('.widget-slider .noUi-handle').first().waitFor({ timeout: 120_000 });
    await lab.expectText(lab.cell(1).locator('.jp-OutputArea-output .widget-output'), 'a = 2', 120_000);
    await lab.cell(2).locator('button.jupyter-button', { hasText: 'Say hi' }).waitFor({ timeout: 60_000 });
  }, 300_000);

  test('dragging the slider redraws the plot with the new value', async () => {
    const handle = lab.cell(1).locator('.widget-slider .noUi-handle').first();
    const track = lab.cell(1).locator('.widget-slider .noUi-target').first();
    const box = (await handle.boundingBox())!;
    const trackBox = (await track.boundingBox())!;
    await lab.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await lab.page.mouse.down();
    // To about 70% of the track, in steps, as a hand drags.
    const targetX = trackBox.x + trackBox.width * 0.7;
    await lab.page.mouse.move(targetX, box.y + box.height / 2, { steps: 10 });
    await lab.page.mouse.up();
    const readout = await lab.cell(1).locator('.widget-readout').first().innerText();
    const value = Number(readout);
    expect(value).toBeGreaterThan(2);
    // The plot follows the slider: its title is the value the slider shows.
    await lab.expectText(lab.cell(1).locator('.jp-OutputArea-output .widget-output'), `a = ${value}`, 60_000);
    expect(await plotTitle()).toBe(`a = ${value}`);
    await lab.cell(1).scrollIntoViewIfNeeded();
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await lab.cell(1).screenshot({ path: SCREENSHOT });
  }, 180_000);

  test("clicking the button shows its callback's output", async () => {
    const hi = lab.cell(2).locator('button.jupyter-button', { hasText: 'Say hi' });
    await hi.click();
    await lab.expectText(lab.cell(2).locator('.widget-output'), 'clicked 1');
    await hi.click();
    await lab.expectText(lab.cell(2).locator('.widget-output'), 'clicked 2');
  }, 120_000);

  test('after a reload the widgets come back from the kernel with their values', async () => {
    const readout = await lab.cell(1).locator('.widget-readout').first().innerText();
    // Saved without widget state (JupyterLab's default): only the kernel knows the models now.
    await lab.page.keyboard.press('Escape');
    await lab.page.keyboard.press('Control+s');
    await lab.page.waitForTimeout(2000);
    await lab.page.reload();
    await lab.cell(1).locator('.widget-slider .noUi-handle').first().waitFor({ timeout: 120_000 });
    expect(await lab.cell(1).locator('.widget-readout').first().innerText()).toBe(readout);
    await lab.expectText(lab.cell(1).locator('.jp-OutputArea-output .widget-output'), `a = ${readout}`);
    // JupyterLab renders only the cells near the viewport.
    await lab.cell(2).scrollIntoViewIfNeeded();
    await lab.expectText(lab.cell(2).locator('.widget-output'), 'clicked 2');
    // And they still talk to the kernel.
    await lab.cell(2).locator('button.jupyter-button', { hasText: 'Say hi' }).click();
    await lab.expectText(lab.cell(2).locator('.widget-output'), 'clicked 3');
  }, 240_000);
});
