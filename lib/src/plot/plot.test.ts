import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { installDisplaySink, MimeBundle, toMimeBundle } from '../../../display/src';
import { quietTf } from '../data/test-helpers';
import { bar, confusionMatrix, decisionBoundary, heatmap, histogram, image, imageGrid, line, plot, scatter, Figure, PLOTLY_MIME } from '.';
import { niceTicks, renderSvg } from './svg';
import { fitText, textWidth } from './text';

quietTf();

/** Minimal XML well-formedness: every tag closes in order, attributes are quoted. */
function assertWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    expect(svg.slice(last, m.index)).not.toMatch(/[<>]/);
    last = tag.lastIndex;
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  expect(svg.slice(last)).toBe('');
}

function decodePng(b64: string): PNG {
  return PNG.sync.read(Buffer.from(b64, 'base64'));
}

/** Distinct colours in a PNG: a blank image has one. */
function colours(png: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) seen.add(png.data.readUInt32BE(i));
  return seen.size;
}

function checkBundle(b: MimeBundle): string {
  const spec = b[PLOTLY_MIME] as { data: unknown[]; layout: unknown };
  expect(JSON.parse(JSON.stringify(spec))).toEqual(spec); // plain JSON, survives the protocol
  expect(Array.isArray(spec.data)).toBe(true);
  const svg = b['image/svg+xml'] as string;
  assertWellFormedSvg(svg);
  expect(typeof b['text/plain']).toBe('string');
  return svg;
}

describe('plot bundles', () => {
  it('a line chart carries Plotly JSON and a static SVG with the line drawn', () => {
    const fig = line({ loss: [1, 0.5, 0.3, 0.2], val_loss: [1.1, 0.7, 0.5, 0.45] }, { title: 'Loss', xTitle: 'epoch' });
    const b = toMimeBundle(fig);
    const svg = checkBundle(b);
    expect((b[PLOTLY_MIME] as { data: Array<{ name: string }> }).data.map((t) => t.name)).toEqual(['loss', 'val_loss']);
    expect(svg.match(/<path d="M[^"]+L[^"]+"/g)).toHaveLength(2);
    expect(svg).toContain('>Loss</text>');
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>val_loss</text>'); // legend
  });

  it('typed arrays and tensors become plain arrays', () => {
    const b = line(tf.tensor1d([1, 2, 3]), { x: new Float32Array([0, 1, 2]) }).toBundle();
    expect((b[PLOTLY_MIME] as { data: Array<{ x: unknown; y: unknown }> }).data[0]).toMatchObject({ x: [0, 1, 2], y: [1, 2, 3] });
  });

  it('scatter, bar and histogram draw marks', () => {
    expect(checkBundle(scatter([0, 1, 2, 3], [1, 0, 1, 0], { labels: [0, 1, 0, 1], classNames: ['a', 'b'] }).toBundle()).match(/<circle/g)).toHaveLength(4);
    expect(checkBundle(bar(['cat', 'dog'], [0.7, 0.3]).toBundle())).toContain('>dog</text>');
    const h = checkBundle(histogram(Array.from({ length: 200 }, (_, i) => Math.sin(i)), { bins: 10 }).toBundle());
    expect(h.match(/<rect[^>]*fill="#1f77b4"/g)).toHaveLength(10);
  });

  it('heatmaps and confusion matrices embed a decodable, non-blank raster and write counts', () => {
    const svg = checkBundle(heatmap([[0, 1], [2, 3]], { showValues: true }).toBundle());
    const raster = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1];
    const png = decodePng(raster);
    expect([png.width, png.height]).toEqual([2, 2]);
    expect(colours(png)).toBe(4);
    const cm = confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 2], ['a', 'b', 'c']);
    expect(cm.matrix).toEqual([[1, 1, 0], [0, 2, 0], [0, 0, 1]]);
    expect(cm.accuracy).toBeCloseTo(0.8);
    const cmSvg = checkBundle(cm.toBundle());
    expect(cmSvg).toContain('accuracy 80.0%');
    expect(cmSvg.match(/>2<\/text>/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('image grids also carry a PNG that decodes and is not blank', () => {
    const imgs = tf.tidy(() => tf.stack(Array.from({ length: 6 }, (_, i) => tf.fill([8, 8, 1], i / 5))) as tf.Tensor4D);
    const b = imageGrid(imgs, { columns: 3, labels: ['a', 'b', 'c', 'd', 'e', 'f'], title: 'samples' }).toBundle();
    checkBundle(b);
    const png = decodePng(b['image/png'] as string);
    expect(png.width).toBeGreaterThan(3 * 8);
    expect(colours(png)).toBeGreaterThanOrEqual(6);
    expect(b['image/svg+xml']).toContain('>f</text>');
    // feature maps: [h, w, channels] → one tile per channel
    const maps = imageGrid(tf.randomUniform([5, 5, 8]));
    expect(decodePng(maps.toBundle()['image/png'] as string).width).toBeGreaterThan(0);
    expect(() => image(tf.zeros([2, 2, 2]))).toThrow(/expected \[height, width\]/);
    // a feature map with small float values (0 to 2.3) is stretched, not drawn as bytes (near black)
    const brightest = (t: tf.Tensor) => decodePng(image(t).toBundle()["image/png"] as string).data.reduce((m, v, i) => (i % 4 === 3 ? m : Math.max(m, v)), 0);
    expect(brightest(tf.linspace(0, 2.3, 16).reshape([4, 4]))).toBe(255);
    // whole numbers in [0, 255] are bytes: 128 is mid-grey
    expect(brightest(tf.fill([4, 4], 128))).toBe(128);
    expect(colours(decodePng(image(tf.linspace(-1, 1, 16).reshape([4, 4])).toBundle()['image/png'] as string))).toBe(16);
  });

  it('decision boundaries colour the plane by the prediction', () => {
    const pts = [[0, 0], [1, 1], [0, 1], [1, 0]];
    const fig = decisionBoundary((p) => tf.sigmoid(p.slice([0, 0], [-1, 1]).sub(0.5).mul(10)), pts, [0, 1, 0, 1], { resolution: 20 });
    const svg = checkBundle(fig.toBundle());
    expect(svg.match(/<circle/g)).toHaveLength(4);
    const png = decodePng(/href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]);
    expect(colours(png)).toBeGreaterThan(2);
  });

  it('niceTicks picks round numbers', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3, 47, 5)).toEqual([0, 10, 20, 30, 40]);
  });

  it('stores fractions to 6 significant digits and integers exactly', () => {
    const spec = line({ y: [1 / 3, 2, 1732345678901] }).toBundle()[PLOTLY_MIME] as { data: Array<{ y: number[] }> };
    expect(spec.data[0].y).toEqual([0.333333, 2, 1732345678901]);
  });

  it('an epoch axis (dtick 1) has whole-number ticks only', () => {
    const svg = renderSvg([{ x: [1, 2, 3], y: [3, 2, 1], type: 'scatter' }], { xaxis: { dtick: 1 } });
    const labels = [...svg.matchAll(/<text[^>]*text-anchor="middle"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(expect.arrayContaining(['1', '2', '3']));
    expect(labels).not.toContain('1.5');
  });
});

describe('plot(data, layout) like nodeplotlib', () => {
  afterEach(() => installDisplaySink(undefined));

  it('shows the figure in a notebook', () => {
    const shown: MimeBundle[] = [];
    installDisplaySink({ display: (b) => shown.push(b), clear: () => {} });
    plot([{ x: [1, 2, 3], y: [1, 4, 9], type: 'scatter' }], { title: 'squares', xaxis: { title: 'n' }, yaxis2: { title: { text: 'n²' } } });
    expect(shown).toHaveLength(1);
    // Plotly.js 3 (JupyterLab's renderer) shows only { text } titles; nodeplotlib code passes strings.
    expect((shown[0][PLOTLY_MIME] as { layout: object }).layout).toEqual({ title: { text: 'squares' }, xaxis: { title: { text: 'n' } }, yaxis2: { title: { text: 'n²' } } });
    checkBundle(shown[0]);
  });

  it('writes an HTML file outside a notebook and prints where', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdl-plot-'));
    const saved = process.env.TSDL_PLOT_DIR;
    process.env.TSDL_PLOT_DIR = dir;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      plot([{ x: [1, 2], y: [3, 4] }]);
      const message = String(write.mock.calls[0][0]);
      const path = /Plot written to (\S+\.html)/.exec(message)![1];
      expect(existsSync(path)).toBe(true);
      const html = readFileSync(path, 'utf8');
      expect(html).toContain('<svg');
      expect(html).toContain('Plotly.newPlot');
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.TSDL_PLOT_DIR; else process.env.TSDL_PLOT_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains a wrong call', () => {
    expect(() => plot({ x: [1] } as never)).toThrow(/data must be an array of traces/);
    expect(() => new Figure([]).save('x.gif')).toThrow(/use \.html, \.svg or \.json/);
  });
});

describe('text fits its box in the static SVG', () => {
  // Widths of these labels in em, measured with SVG getComputedTextLength() in Chromium with
  // font-family "Helvetica, Arial, sans-serif" (DejaVu Sans on Linux, the widest fallback).
  const measured: Array<[string, number]> = [
    ['baseline: validation accuracy', 14.596], ['dropout + L2: validation loss', 14.403],
    ['horizontal stripes', 8.679], ['Confusion matrix (accuracy 97.4%)', 17.656],
    ['true 3 / predicted 5', 9.677], ['view 6', 3.257], ['0.123', 2.863], ['CIRCLES', 4.160],
  ];
  test.each(measured)('the width estimate of "%s" is at or just above the measured one', (text, em) => {
    expect(textWidth(text, 100) / (100 * em)).toBeGreaterThanOrEqual(1);
    expect(textWidth(text, 100) / (100 * em)).toBeLessThan(1.15);
  });

  test('fitText keeps what fits, shrinks what nearly fits, cuts the rest with an ellipsis', () => {
    expect(fitText('loss', 12, 100)).toEqual({ text: 'loss', size: 12 });
    const shrunk = fitText('horizontal stripes', 12, 90);
    expect(shrunk.text).toBe('horizontal stripes');
    expect(shrunk.size).toBeLessThan(12);
    const cut = fitText('a very long legend entry that cannot fit', 12, 60, 9);
    expect(cut.text).toMatch(/^a very.*…$/);
    expect(textWidth(cut.text, cut.size)).toBeLessThanOrEqual(60);
  });

  interface Box { text: string; x0: number; x1: number; y0: number; y1: number }
  /** The extent of every <text> in an SVG, by the same width estimate, rotations included. */
  function textBoxes(svg: string): Box[] {
    const boxes: Box[] = [];
    for (const m of svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)) {
      const attr = (name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(m[1])?.[1];
      const text = m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      const size = Number(attr('font-size'));
      const w = textWidth(text, size);
      const anchor = attr('text-anchor') ?? 'start';
      const start = anchor === 'middle' ? -w / 2 : anchor === 'end' ? -w : 0;
      const transform = attr('transform') ?? '';
      const translate = /translate\(([-\d.]+),([-\d.]+)\)/.exec(transform);
      let x = Number(attr('x') ?? 0); let y = Number(attr('y') ?? 0);
      if (translate) { x += Number(translate[1]); y += Number(translate[2]); }
      const angle = Number(/rotate\((-?[\d.]+)/.exec(transform)?.[1] ?? 0) * (Math.PI / 180);
      // the baseline from start to end, rotated about (x, y); glyphs stand ~0.8 em above it
      const ends = [start, start + w].map((d) => [x + d * Math.cos(angle), y + d * Math.sin(angle)]);
      const up = [0.8 * size * Math.sin(angle), -0.8 * size * Math.cos(angle)];
      const pts = [...ends, ...ends.map(([px, py]) => [px + up[0], py + up[1]])];
      boxes.push({ text, x0: Math.min(...pts.map((q) => q[0])), x1: Math.max(...pts.map((q) => q[0])), y0: Math.min(...pts.map((q) => q[1])), y1: Math.max(...pts.map((q) => q[1])) });
    }
    return boxes;
  }
  function expectInside(svg: string): Box[] {
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const boxes = textBoxes(svg);
    const outside = boxes.filter((b) => b.x0 < -0.5 || b.x1 > w + 0.5 || b.y0 < -0.5 || b.y1 > h + 0.5);
    expect(outside.map((b) => `"${b.text}" at x ${b.x0.toFixed(0)}…${b.x1.toFixed(0)} of ${w}, y ${b.y0.toFixed(0)}…${b.y1.toFixed(0)} of ${h}`)).toEqual([]);
    return boxes;
  }

  test('legend entries show in full, inside the figure', () => {
    const names = ['baseline: validation accuracy', 'dropout + L2: validation accuracy', 'L2: training accuracy'];
    const svg = renderSvg(names.map((name, i) => ({ type: 'scatter', name, x: [0, 1, 2], y: [i, i + 1, i] })), { width: 560, height: 320 });
    const boxes = expectInside(svg);
    for (const n of names) expect(boxes.map((b) => b.text)).toContain(n);
  });

  test('a confusion matrix with long class names keeps every label inside, none overlapping', () => {
    const classes = ['circles', 'squares', 'triangles', 'horizontal stripes', 'vertical stripes', 'crosses', 'rings', 'checkerboard', 'diagonal lines', 'dots'];
    const truth = classes.flatMap((_, c) => [c, c, c]);
    const fig = confusionMatrix(truth, truth.map((c, i) => (i % 3 === 0 ? (c + 1) % 10 : c)), classes);
    const boxes = expectInside(fig.toSvg());
    for (const c of classes) expect(boxes.filter((b) => b.text === c)).toHaveLength(2);
    // the x labels (drawn at 45 degrees) do not run into each other along the axis
    const xLabels = boxes.filter((b) => classes.includes(b.text)).sort((a, b) => a.y1 - b.y1).slice(-10).sort((a, b) => a.x1 - b.x1);
    for (let i = 1; i < xLabels.length; i++) expect(xLabels[i].x1 - xLabels[i - 1].x1).toBeGreaterThan(20);
  });

  test('captions in an image grid stay under their own image', () => {
    const labels = Array.from({ length: 12 }, (_, i) => `true ${i % 10} / predicted ${(i + 3) % 10}`);
    const fig = imageGrid(tf.zeros([12, 28, 28, 1]), { columns: 6, labels, title: 'Misclassified digits from the test set, with their true and predicted classes' });
    const boxes = expectInside(fig.toSvg());
    const captions = boxes.filter((b) => b.text.startsWith('true'));
    expect(captions.map((b) => b.text)).toEqual(labels); // in full: the slots widen for them
    const rows = new Map<number, Box[]>();
    for (const b of captions) rows.set(Math.round(b.y1), [...(rows.get(Math.round(b.y1)) ?? []), b]);
    for (const row of rows.values()) {
      row.sort((a, b) => a.x0 - b.x0);
      for (let i = 1; i < row.length; i++) expect(row[i].x0).toBeGreaterThanOrEqual(row[i - 1].x1);
    }
  });
});
