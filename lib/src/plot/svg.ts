/**
 * A static SVG rendering of a Plotly figure, drawn by our own code: the fallback that GitHub,
 * nbviewer and nbconvert show, and what a notebook shows where no Plotly renderer is installed.
 * It covers what tsdl's helpers produce (lines, markers, bars, histograms, heatmaps, images,
 * annotations, legends, colorbars); other trace types are listed as "not drawn".
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../../display/src';
import { colorAt, COLORWAY, contrastText, stopsOf } from './colors';
import { encodePng } from '../data/png';
import { fitText, textWidth } from './text';
import { Axis, Layout, Trace } from './types';

const esc = (s: unknown): string => escapeHtml(String(s));
const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(6)));
const titleText = (t: string | { text?: string } | undefined): string => (typeof t === 'string' ? t : t?.text ?? '');

/** Round tick values (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

interface Scale {
  kind: 'linear' | 'category';
  lo: number;
  hi: number;
  categories: string[];
  reversed: boolean;
}

function histogramBins(values: number[], nbins?: number): { edges: number[]; counts: number[] } {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite); const hi = Math.max(...finite);
  const n = nbins ?? Math.min(50, Math.max(5, Math.ceil(Math.sqrt(finite.length))));
  const width = hi > lo ? (hi - lo) / n : 1;
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(n).fill(0);
  for (const v of finite) counts[Math.min(n - 1, Math.floor((v - lo) / width))] += 1;
  return { edges, counts };
}

/** Pixel size of an image trace's source PNG, read from its IHDR chunk. */
function pngSize(dataUri: string): { w: number; h: number } | undefined {
  const m = /^data:image\/png;base64,(.*)$/.exec(dataUri);
  if (!m) return undefined;
  const head = Buffer.from(m[1].slice(0, 64), 'base64');
  return { w: head.readUInt32BE(16), h: head.readUInt32BE(20) };
}

const isCategorical = (vals: unknown[] | undefined) => (vals ?? []).some((v) => typeof v === 'string');

/** Render `data`/`layout` to an SVG document string. */
export function renderSvg(data: Trace[], layout: Layout = {}): string {
  const width = layout.width ?? 640;
  const height = layout.height ?? 420;
  const named = data.filter((t) => t.name && t.showlegend !== false && !['heatmap', 'image'].includes(t.type ?? 'scatter'));
  const showLegend = layout.showlegend ?? named.length > 1;
  const heat = data.find((t) => t.type === 'heatmap' && t.showscale !== false);
  const title = titleText(layout.title);
  const out: string[] = [];
  // ids must be unique in a page that shows many figures; a content hash keeps output deterministic
  const uid = createHash('sha1').update(JSON.stringify([data, layout])).digest('hex').slice(0, 10);
  const notDrawn: string[] = [];

  // ---- axis extents
  const xs: number[] = []; const ys: number[] = [];
  const xcats: string[] = []; const ycats: string[] = [];
  const addCats = (list: string[], vals: unknown[]) => { for (const v of vals) if (!list.includes(String(v))) list.push(String(v)); };
  let imageAxes = false;
  const histograms = new Map<Trace, { edges: number[]; counts: number[] }>();
  for (const t of data) {
    const type = t.type ?? 'scatter';
    if (type === 'image') {
      const size = pngSize(t.source ?? '');
      if (size) { xs.push(0, size.w); ys.push(0, size.h); imageAxes = true; }
    } else if (type === 'heatmap') {
      const z = t.z ?? [];
      const nx = z[0]?.length ?? 0; const ny = z.length;
      if (isCategorical(t.x)) addCats(xcats, t.x!); else { const x = (t.x as number[] | undefined) ?? [...Array(nx).keys()]; const dx = nx > 1 ? (x[nx - 1] - x[0]) / (nx - 1) : 1; xs.push(x[0] - dx / 2, x[nx - 1] + dx / 2); }
      if (isCategorical(t.y)) addCats(ycats, t.y!); else { const y = (t.y as number[] | undefined) ?? [...Array(ny).keys()]; const dy = ny > 1 ? (y[ny - 1] - y[0]) / (ny - 1) : 1; ys.push(y[0] - dy / 2, y[ny - 1] + dy / 2); }
    } else if (type === 'histogram') {
      const h = histogramBins((t.x ?? []) as number[], t.nbinsx);
      histograms.set(t, h);
      xs.push(h.edges[0], h.edges[h.edges.length - 1]); ys.push(0, Math.max(...h.counts));
    } else if (type === 'scatter' || type === 'scattergl' || type === 'bar') {
      const y = (t.y ?? []) as Array<number | string>;
      const x = t.x ?? y.map((_, i) => i);
      if (isCategorical(x)) addCats(xcats, x); else xs.push(...(x as number[]).filter(Number.isFinite));
      if (isCategorical(y)) addCats(ycats, y); else ys.push(...(y as number[]).filter(Number.isFinite));
      if (type === 'bar') ys.push(0);
    } else notDrawn.push(type);
  }
  const scaleOf = (axis: Axis | undefined, vals: number[], cats: string[], reversedDefault: boolean): Scale => {
    const reversed = axis?.autorange === 'reversed' || (reversedDefault && axis?.autorange !== true);
    if (cats.length > 0) return { kind: 'category', lo: -0.5, hi: cats.length - 0.5, categories: cats, reversed };
    let lo = Math.min(...vals); let hi = Math.max(...vals);
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (lo === hi) { lo -= 1; hi += 1; }
    if (axis?.range) [lo, hi] = axis.range;
    else if (!imageAxes && !data.some((t) => t.type === 'heatmap')) { const pad = (hi - lo) * 0.04; lo -= pad; hi += pad; }
    return { kind: 'linear', lo, hi, categories: [], reversed };
  };
  const tickList = (s: Scale, axis?: Axis): Array<[number, string]> => {
    if (axis?.tickvals) return axis.tickvals.map((v, i) => [v, axis.ticktext?.[i] ?? fmt(v)]);
    if (s.kind === 'category') {
      const every = Math.ceil(s.categories.length / 20);
      return s.categories.map((c, i) => [i, c] as [number, string]).filter((_, i) => i % every === 0);
    }
    const [lo, hi] = [Math.min(s.lo, s.hi), Math.max(s.lo, s.hi)];
    if (typeof axis?.dtick === 'number' && axis.dtick > 0) {
      // Plotly's dtick (e.g. 1 for epochs): multiples of it, thinned to about a dozen ticks.
      const step = axis.dtick * Math.max(1, Math.ceil((hi - lo) / axis.dtick / 12));
      const ticks: Array<[number, string]> = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push([v, fmt(v)]);
      if (ticks.length >= 2) return ticks;
    }
    return niceTicks(lo, hi).map((v) => [v, fmt(v)]);
  };
  const sx = scaleOf(layout.xaxis, xs, xcats, false);
  const sy = scaleOf(layout.yaxis, ys, ycats, imageAxes);
  const hideX = layout.xaxis?.visible === false || imageAxes;
  const hideY = layout.yaxis?.visible === false || imageAxes;
  const xt = titleText(layout.xaxis?.title); const yt = titleText(layout.yaxis?.title);

  // ---- margins wide enough for the labels in them (within limits; what still does not fit
  // is shrunk, then cut with "…", by fitText below)
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const widest = (labels: string[], size: number) => Math.max(0, ...labels.map((l) => textWidth(l, size)));
  const xLabels = hideX ? [] : tickList(sx, layout.xaxis).map(([, l]) => l);
  const yLabels = hideY ? [] : tickList(sy, layout.yaxis).map(([, l]) => l);
  const yTitleSpace = yt ? 26 : 6;
  const legendWidth = widest(named.map((t) => String(t.name)), 12);
  const margin = {
    l: layout.margin?.l ?? clamp(widest(yLabels, 11) + 6 + yTitleSpace, 64, width * 0.35),
    r: layout.margin?.r ?? (showLegend ? clamp(34 + legendWidth + 8, 140, width * 0.4) : heat ? 90 : 20),
    t: layout.margin?.t ?? (title ? 48 : 20), b: layout.margin?.b ?? 54,
  };
  // Category labels wider than their slot are drawn at 45 degrees, as Plotly does.
  const xSlot = (width - margin.l - margin.r) / Math.max(1, xLabels.length);
  const rotateX = sx.kind === 'category' && widest(xLabels, 11) > xSlot - 4;
  const xTitleSpace = xt ? 26 : 6;
  if (rotateX && layout.margin?.b === undefined) margin.b = clamp(widest(xLabels, 11) * Math.SQRT1_2 + 12 + xTitleSpace, 54, height * 0.4);
  const pw = width - margin.l - margin.r;
  const ph = height - margin.t - margin.b;
  /** A <text> element whose label fits `maxWidth` pixels. */
  const label = (text: string, size: number, maxWidth: number, attrs: string, minSize = 8): string => {
    const f = fitText(text, size, Math.max(0, maxWidth), minSize);
    return `<text ${attrs} font-size="${f.size}"${f.text !== text ? ` data-full="${esc(text)}"` : ''}>${esc(f.text)}</text>`;
  };
  // category axes place their labels at 0, 1, 2…; plain numbers are positions on any axis
  const toNum = (s: Scale, v: number | string) => (s.kind === 'category' && typeof v === 'string' ? s.categories.indexOf(v) : Number(v));
  const X = (v: number | string) => { const f = (toNum(sx, v) - sx.lo) / (sx.hi - sx.lo); return margin.l + (sx.reversed ? 1 - f : f) * pw; };
  const Y = (v: number | string) => { const f = (toNum(sy, v) - sy.lo) / (sy.hi - sy.lo); return margin.t + (sy.reversed ? f : 1 - f) * ph; };
  const p = (n: number) => n.toFixed(1);

  // ---- frame, grid, ticks
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<rect x="${margin.l}" y="${margin.t}" width="${pw}" height="${ph}" fill="${imageAxes ? '#ffffff' : '#f7f7f9'}"/>`);
  const axisFont = 'font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#444"';
  const axisFace = 'font-family="Helvetica, Arial, sans-serif" fill="#444"';
  if (!hideX) {
    for (const [v, text] of tickList(sx, layout.xaxis)) {
      const x = X(v);
      if (x < margin.l - 0.5 || x > margin.l + pw + 0.5) continue;
      if (sx.kind === 'linear') out.push(`<line x1="${p(x)}" y1="${margin.t}" x2="${p(x)}" y2="${margin.t + ph}" stroke="#e1e1e6"/>`);
      const y = margin.t + ph + 16;
      out.push(rotateX
        ? label(text, 11, (margin.b - xTitleSpace - 12) / Math.SQRT1_2, `x="${p(x)}" y="${y}" text-anchor="end" transform="rotate(-45 ${p(x)} ${y - 8})" ${axisFace}`)
        : label(text, 11, sx.kind === 'category' ? xSlot - 4 : Infinity, `x="${p(x)}" y="${y}" text-anchor="middle" ${axisFace}`));
    }
  }
  if (!hideY) {
    for (const [v, text] of tickList(sy, layout.yaxis)) {
      const y = Y(v);
      if (y < margin.t - 0.5 || y > margin.t + ph + 0.5) continue;
      if (sy.kind === 'linear') out.push(`<line x1="${margin.l}" y1="${p(y)}" x2="${margin.l + pw}" y2="${p(y)}" stroke="#e1e1e6"/>`);
      out.push(label(text, 11, margin.l - 6 - yTitleSpace, `x="${margin.l - 6}" y="${p(y + 4)}" text-anchor="end" ${axisFace}`));
    }
  }
  out.push(`<clipPath id="clip-${uid}"><rect x="${margin.l}" y="${margin.t}" width="${pw}" height="${ph}"/></clipPath>`);

  // ---- traces
  const body: string[] = [];
  const bars = data.filter((t) => t.type === 'bar');
  data.forEach((t, index) => {
    const type = t.type ?? 'scatter';
    const colour = typeof t.marker?.color === 'string' ? t.marker.color : t.line?.color ?? COLORWAY[index % COLORWAY.length];
    const opacity = t.opacity ?? 1;
    if (type === 'image' && t.source) {
      const size = pngSize(t.source);
      if (!size) return;
      body.push(`<image x="${p(X(0))}" y="${p(Y(0))}" width="${p(X(size.w) - X(0))}" height="${p(Y(size.h) - Y(0))}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${t.source}"/>`);
    } else if (type === 'heatmap') {
      const z = t.z ?? [];
      const flat = z.flat().filter(Number.isFinite);
      const zmin = t.zmin ?? Math.min(...flat); const zmax = t.zmax ?? Math.max(...flat);
      const stops = stopsOf(t.colorscale as string | undefined);
      const ny = z.length; const nx = z[0]?.length ?? 0;
      const px = new Uint8Array(nx * ny * 3);
      z.forEach((row, j) => row.forEach((v, i) => px.set(colorAt(stops, (v - zmin) / (zmax - zmin || 1)), (j * nx + i) * 3)));
      // image rows run top to bottom; data row 0 is at the bottom unless the y axis is reversed
      const rows = sy.reversed ? px : Uint8Array.from({ length: px.length }, (_, k) => px[((ny - 1 - Math.floor(k / (nx * 3))) * nx * 3) + (k % (nx * 3))]);
      const uri = `data:image/png;base64,${encodePng(nx, ny, rows, 3).toString('base64')}`;
      const x0 = margin.l; const y0 = margin.t;
      const [xa, xb] = [X(sx.reversed ? sx.hi : sx.lo), X(sx.reversed ? sx.lo : sx.hi)];
      body.push(`<image x="${p(Math.min(xa, xb))}" y="${p(y0)}" width="${p(Math.abs(xb - xa))}" height="${p(ph)}" preserveAspectRatio="none" style="image-rendering:pixelated" opacity="${opacity}" href="${uri}"/>`);
      void x0;
      if (t.texttemplate || Array.isArray(t.text)) {
        const cats = (v: unknown[] | undefined, n: number) => (v ?? [...Array(n).keys()]) as Array<number | string>;
        const xv = cats(t.x, nx); const yv = cats(t.y, ny);
        const cellWidth = Math.abs(xb - xa) / Math.max(1, nx);
        z.forEach((row, j) => row.forEach((v, i) => {
          const text = Array.isArray(t.text) ? (t.text as string[][])[j]?.[i] : fmt(v);
          if (text === undefined) return;
          const c = contrastText(colorAt(stops, (v - zmin) / (zmax - zmin || 1)));
          body.push(label(text, 11, cellWidth - 2, `x="${p(X(xv[i]))}" y="${p(Y(yv[j]) + 4)}" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" fill="${c}"`, 6));
        }));
      }
    } else if (type === 'histogram') {
      const h = histograms.get(t)!;
      h.counts.forEach((c, i) => {
        const xa = X(h.edges[i]); const xb = X(h.edges[i + 1]);
        body.push(`<rect x="${p(xa)}" y="${p(Y(c))}" width="${p(Math.max(0.5, xb - xa - 1))}" height="${p(Y(0) - Y(c))}" fill="${colour}" opacity="${t.opacity ?? 0.85}"/>`);
      });
    } else if (type === 'bar') {
      const k = bars.indexOf(t); const nb = bars.length;
      const y = (t.y ?? []) as number[];
      const x = (t.x ?? y.map((_, i) => i)) as Array<number | string>;
      const slot = sx.kind === 'category' ? pw / sx.categories.length : (pw / Math.max(1, x.length)) * 0.9;
      const w = (slot * 0.8) / nb;
      x.forEach((xv, i) => {
        const cx = X(xv) - (slot * 0.8) / 2 + k * w;
        const c = Array.isArray(t.marker?.color) ? String(t.marker!.color[i]) : colour;
        body.push(`<rect x="${p(cx)}" y="${p(Math.min(Y(y[i]), Y(0)))}" width="${p(w)}" height="${p(Math.abs(Y(0) - Y(y[i])))}" fill="${c}" opacity="${opacity}"/>`);
      });
    } else if (type === 'scatter' || type === 'scattergl') {
      const y = (t.y ?? []) as Array<number | string>;
      const x = t.x ?? y.map((_, i) => i);
      const mode = t.mode ?? (y.length <= 20 ? 'lines+markers' : 'lines');
      if (mode.includes('lines')) {
        let d = ''; let pen = false;
        y.forEach((yv, i) => {
          if (yv === null || (typeof yv === 'number' && !Number.isFinite(yv))) { pen = false; return; }
          d += `${pen ? 'L' : 'M'}${p(X(x[i]))},${p(Y(yv))}`; pen = true;
        });
        const dash = t.line?.dash === 'dash' ? ' stroke-dasharray="6,4"' : t.line?.dash === 'dot' ? ' stroke-dasharray="2,3"' : '';
        body.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="${t.line?.width ?? 2}"${dash} opacity="${opacity}"/>`);
      }
      if (mode.includes('markers')) {
        const r = (t.marker?.size ?? 6) / 2;
        const colours = Array.isArray(t.marker?.color) ? t.marker!.color : undefined;
        const numeric = colours && colours.every((c) => typeof c === 'number') ? (colours as number[]) : undefined;
        const [cmin, cmax] = numeric ? [Math.min(...numeric), Math.max(...numeric)] : [0, 1];
        const stops = stopsOf(t.marker?.colorscale);
        y.forEach((yv, i) => {
          if (typeof yv === 'number' && !Number.isFinite(yv)) return;
          const c = numeric ? `rgb(${colorAt(stops, (numeric[i] - cmin) / (cmax - cmin || 1)).join(',')})` : colours ? String(colours[i]) : colour;
          body.push(`<circle cx="${p(X(x[i]))}" cy="${p(Y(yv))}" r="${r}" fill="${c}" fill-opacity="${t.marker?.opacity ?? opacity}"/>`);
        });
      }
    }
  });
  out.push(`<g clip-path="url(#clip-${uid})">${body.join('')}</g>`);

  // ---- annotations, titles, legend, colorbar
  for (const a of layout.annotations ?? []) {
    const paper = a.xref === 'paper';
    const x = paper ? margin.l + Number(a.x) * pw : X(a.x);
    const y = a.yref === 'paper' ? margin.t + (1 - Number(a.y)) * ph : Y(a.y);
    // Plotly's annotation width (pixels) is the box the text must fit; without one, the figure
    const box = typeof a.width === 'number' ? a.width : 2 * Math.min(x, width - x);
    out.push(label(a.text, a.font?.size ?? 11, box, `x="${p(x)}" y="${p(y + 4)}" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" fill="${a.font?.color ?? '#222'}"`, 6));
  }
  const font = 'font-family="Helvetica, Arial, sans-serif"';
  if (title) out.push(label(title, 16, width - 16, `x="${width / 2}" y="28" text-anchor="middle" ${font} fill="#222"`, 10));
  if (xt) out.push(label(xt, 13, Math.min(pw, 2 * Math.min(margin.l + pw / 2, width - margin.l - pw / 2)), `x="${margin.l + pw / 2}" y="${height - 12}" text-anchor="middle" ${font} fill="#333"`, 9));
  if (yt) out.push(label(yt, 13, Math.min(ph, 2 * Math.min(margin.t + ph / 2, height - margin.t - ph / 2)), `transform="translate(16,${margin.t + ph / 2}) rotate(-90)" text-anchor="middle" ${font} fill="#333"`, 9));
  if (showLegend) {
    named.forEach((t, i) => {
      const colour = typeof t.marker?.color === 'string' ? t.marker.color : t.line?.color ?? COLORWAY[data.indexOf(t) % COLORWAY.length];
      const y = margin.t + 10 + i * 20;
      out.push(`<rect x="${width - margin.r + 12}" y="${y - 6}" width="16" height="4" fill="${colour}"/>` +
        label(String(t.name), 12, margin.r - 38, `x="${width - margin.r + 34}" y="${y}" ${font} fill="#222"`, 8));
    });
  }
  if (heat && !showLegend) {
    const z = (heat.z ?? []).flat().filter(Number.isFinite);
    const zmin = heat.zmin ?? Math.min(...z); const zmax = heat.zmax ?? Math.max(...z);
    const stops = stopsOf(heat.colorscale as string | undefined);
    const bx = width - margin.r + 16;
    const grad = stops.map(([o, c]) => `<stop offset="${o}" stop-color="${c}"/>`).join('');
    out.push(`<defs><linearGradient id="cbar-${uid}" x1="0" y1="1" x2="0" y2="0">${grad}</linearGradient></defs>`);
    out.push(`<rect x="${bx}" y="${margin.t}" width="14" height="${ph}" fill="url(#cbar-${uid})"/>`);
    for (const v of niceTicks(zmin, zmax, 5)) {
      const y = margin.t + (1 - (v - zmin) / (zmax - zmin || 1)) * ph;
      out.push(`<text x="${bx + 18}" y="${p(y + 4)}" ${axisFont}>${esc(fmt(v))}</text>`);
    }
  }
  if (notDrawn.length > 0) {
    out.push(label(`static image: ${[...new Set(notDrawn)].join(', ')} not drawn (open the interactive chart)`, 12, pw - 16, `x="${margin.l + 8}" y="${margin.t + 16}" ${font} fill="#a00"`));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${out.join('')}</svg>`;
}
