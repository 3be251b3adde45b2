/**
 * One-call charts for what the chapters draw. Each returns a {@link Figure}: as a cell's last
 * expression it shows itself; elsewhere call `.show()`, or `.save('loss.svg')`.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePng } from '../data/png';
import { COLORWAY } from './colors';
import { Figure } from './figure';
import { fitText, textWidth } from './text';
import { Annotation, Layout, Trace } from './types';

/** A number array from an array or a tensor. */
type Numbers = number[] | Float32Array | Int32Array | tf.Tensor;
const arr = (v: Numbers): number[] => (v instanceof tf.Tensor ? Array.from(v.dataSync()) : Array.from(v));
const matrix = (v: number[][] | tf.Tensor): number[][] => (v instanceof tf.Tensor ? (v.arraySync() as number[][]) : v);

export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Extra Plotly layout, merged last. */
  layout?: Layout;
}

function layoutOf(o: ChartOptions, extra: Layout = {}): Layout {
  return {
    ...(o.title ? { title: o.title } : {}),
    ...(o.width ? { width: o.width } : {}),
    ...(o.height ? { height: o.height } : {}),
    ...extra,
    xaxis: { ...(o.xTitle ? { title: o.xTitle } : {}), ...extra.xaxis, ...o.layout?.xaxis },
    yaxis: { ...(o.yTitle ? { title: o.yTitle } : {}), ...extra.yaxis, ...o.layout?.yaxis },
    ...Object.fromEntries(Object.entries(o.layout ?? {}).filter(([k]) => k !== 'xaxis' && k !== 'yaxis')),
  };
}

/**
 * Lines: one series, or several by name.
 *
 * ```ts
 * line({ loss: history.loss, val_loss: history.val_loss }, { xTitle: 'epoch' });
 * line(ys, { x: xs, title: 'sigmoid' });
 * ```
 */
export function line(series: Numbers | Record<string, Numbers>, options: ChartOptions & { x?: Numbers; mode?: string } = {}): Figure {
  const named = Array.isArray(series) || ArrayBuffer.isView(series) || series instanceof tf.Tensor ? { '': series as Numbers } : series;
  const data: Trace[] = Object.entries(named).map(([name, ys]) => {
    const y = arr(ys);
    return { type: 'scatter', mode: options.mode ?? 'lines', x: options.x ? arr(options.x) : y.map((_, i) => i), y, ...(name ? { name } : {}) };
  });
  return new Figure(data, layoutOf(options));
}

/**
 * Points, coloured by class when `labels` are given (one legend entry per class).
 *
 * ```ts
 * scatter(xs, ys, { labels: classIds, classNames: ['ham', 'spam'] });
 * ```
 */
export function scatter(x: Numbers, y: Numbers, options: ChartOptions & { labels?: Numbers | string[]; classNames?: string[]; size?: number } = {}): Figure {
  const xs = arr(x); const ys = arr(y);
  if (xs.length !== ys.length) throw new Error(`scatter: x has ${xs.length} values but y has ${ys.length}; they must pair up.`);
  const marker = { size: options.size ?? 6 };
  if (!options.labels) return new Figure([{ type: 'scatter', mode: 'markers', x: xs, y: ys, marker }], layoutOf(options));
  const labels = Array.isArray(options.labels) && typeof options.labels[0] === 'string' ? (options.labels as string[]) : arr(options.labels as Numbers).map((l) => options.classNames?.[l] ?? String(l));
  const groups = [...new Set(labels)];
  if (!options.classNames) groups.sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
  else groups.sort((a, b) => options.classNames!.indexOf(a) - options.classNames!.indexOf(b));
  const data: Trace[] = groups.map((g, k) => ({
    type: 'scatter', mode: 'markers', name: g, marker: { ...marker, color: COLORWAY[k % COLORWAY.length] },
    x: xs.filter((_, i) => labels[i] === g), y: ys.filter((_, i) => labels[i] === g),
  }));
  return new Figure(data, layoutOf(options, { showlegend: true }));
}

/** Bars for labelled values: `bar(['cat', 'dog'], [0.7, 0.3])`, or several series by name. */
export function bar(categories: string[], values: Numbers | Record<string, Numbers>, options: ChartOptions = {}): Figure {
  const named = Array.isArray(values) || ArrayBuffer.isView(values) || values instanceof tf.Tensor ? { '': values as Numbers } : values;
  const data: Trace[] = Object.entries(named).map(([name, v]) => ({ type: 'bar', x: categories, y: arr(v), ...(name ? { name } : {}) }));
  return new Figure(data, layoutOf(options));
}

/** A histogram of values (weights, activations, predictions). */
export function histogram(values: Numbers, options: ChartOptions & { bins?: number } = {}): Figure {
  return new Figure([{ type: 'histogram', x: arr(values), ...(options.bins ? { nbinsx: options.bins } : {}) }], layoutOf(options, { yaxis: { title: options.yTitle ?? 'count' } }));
}

export interface HeatmapOptions extends ChartOptions {
  x?: Array<string | number>;
  y?: Array<string | number>;
  colorscale?: string;
  zmin?: number;
  zmax?: number;
  /** Write each cell's value on it. */
  showValues?: boolean;
  /** Row 0 at the top (matrices, attention weights) instead of the bottom (functions). Default true. */
  rowsDown?: boolean;
}

/** A matrix as colours: attention weights, a weight matrix, a loss surface. */
export function heatmap(z: number[][] | tf.Tensor, options: HeatmapOptions = {}): Figure {
  const values = matrix(z);
  const trace: Trace = {
    type: 'heatmap', z: values, colorscale: options.colorscale ?? 'Viridis',
    ...(options.x ? { x: options.x } : {}), ...(options.y ? { y: options.y } : {}),
    ...(options.zmin !== undefined ? { zmin: options.zmin } : {}), ...(options.zmax !== undefined ? { zmax: options.zmax } : {}),
    ...(options.showValues ? { texttemplate: '%{z:.3g}', text: values.map((r) => r.map((v) => String(+v.toPrecision(3)))) } : {}),
  };
  return new Figure([trace], layoutOf(options, { yaxis: options.rowsDown === false ? {} : { autorange: 'reversed' } }));
}

/**
 * Pixels → 8-bit RGB, from [h,w], [h,w,1] or [h,w,3]: values in [0, 1] or [-1, 1] as they are,
 * whole numbers in [0, 255] as bytes, anything else (a feature map whose values reach 2.3, say)
 * stretched from its minimum to its maximum, so that it is never drawn near-black.
 */
function toRgb8(img: tf.Tensor): { w: number; h: number; data: Uint8Array } {
  const [h, w, c = 1] = img.shape;
  if (img.rank < 2 || img.rank > 3 || (c !== 1 && c !== 3)) throw new Error(`image: expected [height, width], [height, width, 1] or [height, width, 3], got [${img.shape.join(', ')}].`);
  const v = img.dataSync();
  let lo = Infinity; let hi = -Infinity; let bytes = true;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; if (bytes && !Number.isInteger(x)) bytes = false; }
  const [a, b] = lo >= 0 && hi <= 1 ? [0, 1] : lo >= -1 && hi <= 1 ? [-1, 1] : bytes && lo >= 0 && hi <= 255 ? [0, 255] : [lo, hi];
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = Math.round((255 * (v[i * c + (c === 3 ? k : 0)] - a)) / (b - a || 1));
  return { w, h, data };
}

/** Nearest-neighbour upscale so small images (28×28) stay crisp in every viewer. */
function upscale(img: { w: number; h: number; data: Uint8Array }, k: number): { w: number; h: number; data: Uint8Array } {
  if (k <= 1) return img;
  const w = img.w * k; const h = img.h * k;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(img.data.subarray(((Math.floor(y / k) * img.w) + Math.floor(x / k)) * 3, ((Math.floor(y / k) * img.w) + Math.floor(x / k)) * 3 + 3), (y * w + x) * 3);
  return { w, h, data };
}

function imageFigure(img: { w: number; h: number; data: Uint8Array }, layout: Layout, annotations: Annotation[] = []): Figure {
  const png = encodePng(img.w, img.h, img.data, 3);
  const fig = new Figure([{ type: 'image', source: `data:image/png;base64,${png.toString('base64')}` }], {
    width: Math.min(900, img.w + 40), height: Math.min(900, img.h + (layout.title ? 70 : 40)),
    margin: { l: 20, r: 20, t: layout.title ? 50 : 20, b: 20 },
    ...layout,
    xaxis: { visible: false, ...layout.xaxis }, yaxis: { visible: false, ...layout.yaxis },
    ...(annotations.length ? { annotations } : {}),
  });
  fig.png = png;
  return fig;
}

/** One image from a tensor [h,w], [h,w,1] or [h,w,3] (values in [0,1], [-1,1] or [0,255]). */
export function image(img: tf.Tensor, options: ChartOptions & { scale?: number } = {}): Figure {
  const rgb = toRgb8(img);
  return imageFigure(upscale(rgb, options.scale ?? Math.max(1, Math.floor(256 / Math.max(rgb.w, rgb.h)))), layoutOf(options));
}

export interface ImageGridOptions extends ChartOptions {
  /** Images per row. Default: a square-ish grid. */
  columns?: number;
  /** A caption under each image, e.g. 'true 3 / predicted 5'. */
  labels?: string[];
  /** Pixel upscale factor. Default: images ~56 px wide. */
  scale?: number;
}

/**
 * Many images in a grid: GAN samples, feature maps ([h, w, channels] shows each channel),
 * misclassified examples with captions.
 *
 * ```ts
 * imageGrid(generator.predict(noise) as tf.Tensor4D, { columns: 10, title: `epoch ${epoch}` });
 * imageGrid(featureMaps.squeeze([0]));  // [h, w, channels] → one tile per channel
 * ```
 */
export function imageGrid(images: tf.Tensor, options: ImageGridOptions = {}): Figure {
  let batch = images;
  if (images.rank === 3 && images.shape[2] !== 1 && images.shape[2] !== 3) batch = tf.transpose(images, [2, 0, 1]).expandDims(3); // feature maps
  else if (images.rank === 3) batch = images.expandDims(0);
  if (batch.rank !== 4) throw new Error(`imageGrid: expected [n, height, width, channels] or [height, width, channels], got [${images.shape.join(', ')}].`);
  const [n, h, w] = batch.shape;
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / columns);
  const k = options.scale ?? Math.max(1, Math.round(56 / w));
  const gap = 4; const caption = options.labels ? 16 : 0;
  // a slot is as wide as its image, or wider (up to three images) for a long caption at 9 px
  const captionWidth = Math.ceil(Math.max(0, ...(options.labels ?? []).map((l) => textWidth(l, 9) + 4)));
  const cw = Math.max(w * k, Math.min(captionWidth, 3 * w * k)) + gap; const ch = h * k + gap + caption;
  const W = columns * cw + gap; const H = rows * ch + gap;
  const data = new Uint8Array(W * H * 3).fill(255);
  const annotations: Annotation[] = [];
  // The grid is drawn at the figure's width (imageFigure: 20 px each side, at most 900 px wide),
  // so a caption may take its tile's width at that scale: shrunk to fit, cut with "…" at 7 px.
  const drawnScale = ((options.width ?? Math.min(900, W + 40)) - 40) / W;
  const captionBox = (cw - 2) * drawnScale;
  for (let i = 0; i < n; i++) {
    const tile = upscale(toRgb8(tf.tidy(() => batch.slice([i, 0, 0, 0], [1, -1, -1, -1]).squeeze([0]))), k);
    const ox = gap + (i % columns) * cw + Math.floor((cw - gap - tile.w) / 2); const oy = gap + Math.floor(i / columns) * ch;
    for (let y = 0; y < tile.h; y++) data.set(tile.data.subarray(y * tile.w * 3, (y + 1) * tile.w * 3), ((oy + y) * W + ox) * 3);
    if (options.labels?.[i] !== undefined) {
      const fitted = fitText(options.labels[i], 10, captionBox, 7);
      annotations.push({ x: ox + tile.w / 2, y: oy + tile.h + caption / 2 + 1, text: fitted.text, showarrow: false, font: { size: fitted.size }, width: captionBox });
    }
  }
  if (batch !== images) batch.dispose();
  return imageFigure({ w: W, h: H, data }, layoutOf(options), annotations);
}

/**
 * Counts of (true class, predicted class), drawn with the counts written in; `fig.matrix` holds
 * the numbers (rows: true class, columns: predicted).
 */
export function confusionMatrix(yTrue: Numbers, yPred: Numbers, classNames?: string[], options: ChartOptions = {}): Figure & { matrix: number[][]; accuracy: number } {
  const t = arr(yTrue); const p = arr(yPred);
  if (t.length !== p.length) throw new Error(`confusionMatrix: ${t.length} true labels but ${p.length} predictions.`);
  const k = classNames?.length ?? Math.max(...t, ...p) + 1;
  const names = classNames ?? Array.from({ length: k }, (_, i) => String(i));
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  t.forEach((c, i) => { m[c][p[i]] += 1; });
  const accuracy = t.filter((c, i) => c === p[i]).length / Math.max(1, t.length);
  const fig = new Figure([{ type: 'heatmap', z: m, x: names, y: names, colorscale: 'Blues', texttemplate: '%{z}', text: m.map((r) => r.map(String)) }],
    layoutOf({ title: `Confusion matrix (accuracy ${(accuracy * 100).toFixed(1)}%)`, xTitle: 'predicted', yTitle: 'true', width: 120 + 48 * k + 100, height: 100 + 40 * k + 60, ...options },
      { yaxis: { autorange: 'reversed' } })) as Figure & { matrix: number[][]; accuracy: number };
  fig.matrix = m;
  fig.accuracy = accuracy;
  return fig;
}

/**
 * A 2-D classifier's decision regions with the data on top. `predict` maps points [n, 2] to
 * probabilities [n] / [n, 1] (binary) or [n, classes].
 *
 * ```ts
 * decisionBoundary((p) => model.predict(p) as tf.Tensor, xs, labels, { title: `epoch ${e}` });
 * ```
 */
export function decisionBoundary(predict: (points: tf.Tensor2D) => tf.Tensor, points: number[][] | tf.Tensor2D, labels: Numbers, options: ChartOptions & { resolution?: number; classNames?: string[] } = {}): Figure {
  const pts = matrix(points);
  const xs = pts.map((q) => q[0]); const ys = pts.map((q) => q[1]);
  const pad = (lo: number, hi: number) => { const d = (hi - lo) * 0.1 || 1; return [lo - d, hi + d]; };
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs)); const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const r = options.resolution ?? 80;
  const gx = Array.from({ length: r }, (_, i) => x0 + ((x1 - x0) * i) / (r - 1));
  const gy = Array.from({ length: r }, (_, j) => y0 + ((y1 - y0) * j) / (r - 1));
  const z = tf.tidy(() => {
    const grid = tf.tensor2d(gy.flatMap((y) => gx.map((x) => [x, y])));
    const out = predict(grid);
    const value = out.rank === 2 && out.shape[1]! > 1 ? out.argMax(1) : out.reshape([-1]);
    return value.reshape([r, r]).arraySync() as number[][];
  });
  const classes = arr(labels);
  const binary = Math.max(...classes) <= 1;
  const names = options.classNames ?? [...new Set(classes)].sort((a, b) => a - b).map(String);
  const data: Trace[] = [
    // multi-class regions take the class colours of the points (a discrete scale over 0…k−1)
    { type: 'heatmap', x: gx, y: gy, z, opacity: 0.55, showscale: binary, zmin: 0, zmax: binary ? 1 : Math.max(1, names.length - 1),
      colorscale: binary ? 'RdBu' : names.map((_, k) => [k / Math.max(1, names.length - 1), COLORWAY[k % COLORWAY.length]] as [number, string]) },
    ...[...new Set(classes)].sort((a, b) => a - b).map((c, k) => ({
      type: 'scatter', mode: 'markers', name: names[k] ?? String(c), marker: { size: 6, color: COLORWAY[k % COLORWAY.length], line: { width: 0.5, color: '#fff' } },
      x: xs.filter((_, i) => classes[i] === c), y: ys.filter((_, i) => classes[i] === c),
    })),
  ];
  return new Figure(data, layoutOf({ xTitle: 'x₁', yTitle: 'x₂', ...options }, { showlegend: true }));
}
