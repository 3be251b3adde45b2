/**
 * A Plotly figure that shows itself in a notebook: interactive through JupyterLab's Plotly
 * renderer (the `jupyterlab-plotly` extension that the `plotly` Python package installs), with a
 * static SVG drawn by {@link renderSvg} beside it for GitHub, nbviewer and nbconvert.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DISPLAY_SYMBOL, DisplayHandle, MimeBundle, display, inNotebook } from '../../../display/src';
import { renderSvg } from './svg';
import { Layout, Trace } from './types';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
/** The plotly.js that standalone HTML files load when online (offline they keep the static SVG). */
export const PLOTLY_JS_URL = 'https://cdn.plot.ly/plotly-3.0.1.min.js';

/** Plain JSON (typed arrays → arrays, NaN → null), as the Jupyter protocol needs. */
function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v))) as T;
}

/**
 * The figure as stored in a notebook: fractions kept to 6 significant digits (more than a chart
 * can show, and past float32's precision anyway), integers untouched. A decision-boundary grid at
 * full double precision made a chapter's notebook twice the size for nothing.
 */
export function compactNumbers<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) =>
    (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(6)) : v))) as T;
}

/**
 * Plotly.js 3 (what JupyterLab's renderer ships with plotly 6+) ignores titles given as plain
 * strings, which nodeplotlib code and our helpers use; it wants `{ text }`. Convert the figure's
 * and every axis's title, leaving the rest of the layout as given.
 */
export function plotlyLayout(layout: Layout): Layout {
  const titled = (v: unknown) => (typeof v === 'string' ? { text: v } : v);
  const out: Record<string, unknown> = { ...layout };
  if ('title' in out) out.title = titled(out.title);
  for (const [key, axis] of Object.entries(out)) {
    if (/^[xy]axis\d*$/.test(key) && axis && typeof axis === 'object' && 'title' in axis) {
      out[key] = { ...axis, title: titled((axis as { title: unknown }).title) };
    }
  }
  return out as Layout;
}

export class Figure {
  readonly data: Trace[];
  readonly layout: Layout;
  /** A PNG of the figure's pixels for image figures (image, imageGrid): also put in the bundle. */
  png?: Buffer;

  constructor(data: Trace[], layout: Layout = {}) {
    this.data = toJson(data);
    this.layout = toJson(layout);
  }

  /** The static image of this figure. */
  toSvg(): string {
    return renderSvg(this.data, this.layout);
  }

  /** The MIME bundle a notebook stores: Plotly JSON, SVG (and PNG for images), and text. */
  toBundle(): MimeBundle {
    const title = typeof this.layout.title === 'string' ? this.layout.title : this.layout.title?.text;
    const bundle: MimeBundle = {
      [PLOTLY_MIME]: compactNumbers({ data: this.data, layout: plotlyLayout(this.layout) }),
      'image/svg+xml': this.toSvg(),
      'text/plain': `Figure${title ? ` "${title}"` : ''}: ${this.data.map((t) => t.type ?? 'scatter').join(', ')}`,
    };
    if (this.png) bundle['image/png'] = this.png.toString('base64');
    return bundle;
  }

  [DISPLAY_SYMBOL](): MimeBundle {
    return this.toBundle();
  }

  /** A standalone HTML page: the interactive chart when online, the static SVG otherwise. */
  toHtml(): string {
    const spec = JSON.stringify({ data: this.data, layout: plotlyLayout(this.layout) }).replace(/</g, '\\u003c');
    return `<!doctype html><html><head><meta charset="utf-8"><title>tsdl plot</title></head><body>` +
      `<div id="plot">${this.toSvg()}</div>` +
      `<script src="${PLOTLY_JS_URL}"></script>` +
      `<script>if (window.Plotly) { const f = ${spec}; document.getElementById('plot').innerHTML = ''; Plotly.newPlot('plot', f.data, f.layout); }</script>` +
      `</body></html>`;
  }

  /** Write `.html`, `.svg`, `.png` (image figures) or `.json` (Plotly JSON), by extension. Returns the absolute path. */
  save(path: string): string {
    const full = resolve(path);
    const ext = full.slice(full.lastIndexOf('.')).toLowerCase();
    const body = ext === '.svg' ? this.toSvg() : ext === '.json' ? JSON.stringify({ data: this.data, layout: this.layout })
      : ext === '.png' ? this.png : ext === '.html' ? this.toHtml() : undefined;
    if (body === undefined) {
      throw new Error(`Figure.save: cannot write ${path}: use .html, .svg or .json${this.png ? ', or .png' : ' (.png only for image figures)'}.`);
    }
    writeFileSync(full, body);
    return full;
  }

  /** Show now (a new output), or replace what `handle` showed. */
  show(handle?: DisplayHandle): void {
    if (handle) handle.bundle(this.toBundle());
    else if (inNotebook()) display(this);
    else showOutsideNotebook(this);
  }
}

let fileCount = 0;

/** Like nodeplotlib outside a notebook: the chart goes to an HTML file whose location is printed. */
function showOutsideNotebook(fig: Figure): string {
  const dir = process.env.TSDL_PLOT_DIR ?? join(tmpdir(), 'tsdl-plots');
  mkdirSync(dir, { recursive: true });
  const path = fig.save(join(dir, `plot-${process.pid}-${++fileCount}.html`));
  process.stdout.write(`Plot written to ${path} (open it in a browser)\n`);
  return path;
}

/**
 * nodeplotlib's `plot(data, layout)`: draw Plotly traces. In a notebook the chart appears as an
 * output of the running cell; elsewhere it is written to an HTML file (path printed).
 *
 * ```ts
 * plot([{ x: [1, 2, 3], y: [2, 4, 9], type: 'scatter', name: 'squares' }], { title: 'Growth' });
 * ```
 */
export function plot(data: Trace[], layout: Layout = {}, _config?: Record<string, unknown>): void {
  if (!Array.isArray(data)) throw new Error(`plot(data, layout): data must be an array of traces, e.g. [{ x: [1, 2], y: [3, 4] }], got ${typeof data}.`);
  new Figure(data, layout).show();
}
