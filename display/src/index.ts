/**
 * Rich display for notebook code: `display(value)`, `display.html(...)`, handles that update in
 * place, and tslab's display API (`display.markdown`, `newDisplay()`), so tslab notebooks keep
 * working.
 *
 * This module is the one public seam between notebook code (and the `tsdl` library) and the
 * kernel. The kernel runtime installs a {@link DisplaySink} under a well-known symbol; without one
 * (plain `node`, tests), displays fall back to printing their text/plain form to stdout.
 */
import { randomBytes } from 'node:crypto';
import { MimeBundle, toMimeBundle } from './mime';

export { DISPLAY_SYMBOL, toMimeBundle, isDisplayable, escapeHtml, htmlTable } from './mime';
export type { MimeBundle, Displayable } from './mime';

/** Where displays go: the kernel runtime installs one; see {@link installDisplaySink}. */
export interface DisplaySink {
  /** Show a bundle. With `update`, replace the output that has the same display id instead. */
  display(bundle: MimeBundle, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void;
  /** Clear the cell's output; with `wait`, only once new output arrives (no flicker). */
  clear(wait: boolean): void;
}

const SINK_KEY = Symbol.for('tsdl.display.sink');
type SinkHolder = { [SINK_KEY]?: DisplaySink };

/** Called by the kernel runtime at start-up. Not for notebook code. */
export function installDisplaySink(sink: DisplaySink | undefined): void {
  (globalThis as SinkHolder)[SINK_KEY] = sink;
}

/** True when code runs inside a tsdl (or compatible) kernel that can show rich output. */
export function inNotebook(): boolean {
  return (globalThis as SinkHolder)[SINK_KEY] !== undefined;
}

function emit(bundle: MimeBundle, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void {
  const sink = (globalThis as SinkHolder)[SINK_KEY];
  if (sink) sink.display(bundle, metadata, displayId, update);
  else process.stdout.write(String(bundle['text/plain'] ?? Object.keys(bundle).join(', ')) + '\n');
}

type Bytes = Uint8Array | string;
const base64 = (b: Bytes): string => (typeof b === 'string' ? b : Buffer.from(b).toString('base64'));

/**
 * One output area entry. The first call shows it; later calls replace it in place
 * (update_display_data), which is how live training curves and progress bars redraw.
 */
export class DisplayHandle {
  private shown = false;
  constructor(readonly id: string = randomBytes(8).toString('hex')) {}

  /** Show any value (its rich form), replacing what this handle showed before. */
  display(value: unknown, metadata: Record<string, unknown> = {}): void {
    this.bundle(toMimeBundle(value), metadata);
  }
  /** Same as {@link display}: reads better for an existing handle. */
  update(value: unknown, metadata: Record<string, unknown> = {}): void {
    this.display(value, metadata);
  }
  /** Show a ready MIME bundle. */
  bundle(bundle: MimeBundle, metadata: Record<string, unknown> = {}): void {
    emit(bundle, metadata, this.id, this.shown);
    this.shown = true;
  }
  raw(contentType: string, data: Bytes): void {
    const isBinary = typeof data !== 'string';
    this.bundle({ [contentType]: isBinary ? base64(data) : data });
  }
  html(s: string): void { this.raw('text/html', s); }
  markdown(s: string): void { this.raw('text/markdown', s); }
  latex(s: string): void { this.raw('text/latex', s); }
  svg(s: string): void { this.raw('image/svg+xml', s); }
  javascript(s: string): void { this.raw('text/javascript', s); }
  text(s: string): void { this.raw('text/plain', s); }
  json(value: unknown): void { this.bundle({ 'application/json': value, 'text/plain': JSON.stringify(value, null, 2) }); }
  png(b: Bytes): void { this.raw('image/png', base64(b)); }
  jpeg(b: Bytes): void { this.raw('image/jpeg', base64(b)); }
  gif(b: Bytes): void { this.raw('image/gif', base64(b)); }
  pdf(b: Bytes): void { this.raw('application/pdf', base64(b)); }
}

/** Methods of `display` that show one kind of content as a new output. */
export interface DisplayFunctions {
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  javascript(s: string): void;
  text(s: string): void;
  json(value: unknown): void;
  png(b: Uint8Array | string): void;
  jpeg(b: Uint8Array | string): void;
  gif(b: Uint8Array | string): void;
  pdf(b: Uint8Array | string): void;
  raw(contentType: string, data: Uint8Array | string): void;
}

/** Options for {@link display}. */
export interface DisplayOptions {
  /** Give the output an id so a later `display(x, { displayId, update: true })` replaces it. */
  displayId?: string;
  /** Replace the output with `displayId` instead of adding one. */
  update?: boolean;
  metadata?: Record<string, unknown>;
}

/**
 * Show a value's rich form as a new output of the running cell, e.g.
 * `display(tf.tensor([[1, 2], [3, 4]]))` shows a table. Methods show one content type:
 * `display.html("<b>hi</b>")`, `display.markdown("# Title")`, `display.png(bytes)`.
 */
export type DisplayFunction = ((value: unknown, options?: DisplayOptions) => void) & DisplayFunctions;

function oneShot(): DisplayHandle {
  // A fresh id per call: every call adds an output, as tslab's `display.*` did.
  return new DisplayHandle();
}

export const display: DisplayFunction = Object.assign(
  (value: unknown, options: DisplayOptions = {}): void => {
    emit(toMimeBundle(value), options.metadata ?? {}, options.displayId, options.update ?? false);
  },
  {
    html: (s: string) => oneShot().html(s),
    markdown: (s: string) => oneShot().markdown(s),
    latex: (s: string) => oneShot().latex(s),
    svg: (s: string) => oneShot().svg(s),
    javascript: (s: string) => oneShot().javascript(s),
    text: (s: string) => oneShot().text(s),
    json: (v: unknown) => oneShot().json(v),
    png: (b: Bytes) => oneShot().png(b),
    jpeg: (b: Bytes) => oneShot().jpeg(b),
    gif: (b: Bytes) => oneShot().gif(b),
    pdf: (b: Bytes) => oneShot().pdf(b),
    raw: (t: string, d: Bytes) => oneShot().raw(t, d),
  },
);

/** A handle whose every call replaces the same output (tslab's `newDisplay()`). */
export function newDisplay(): DisplayHandle {
  return new DisplayHandle();
}

/** Clear the running cell's output; `wait` defers the clear until new output arrives. */
export function clearOutput(wait = false): void {
  const sink = (globalThis as SinkHolder)[SINK_KEY];
  sink?.clear(wait);
}
