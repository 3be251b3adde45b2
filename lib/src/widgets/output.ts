/**
 * The output widget (`@jupyter-widgets/output` OutputModel): an output area that code writes
 * into. Captured prints, displays and errors become the model's `outputs` state (nbformat
 * outputs), which the kernel sends; so what a callback shows also lands in the saved widget
 * state, and static viewers of a saved notebook see it.
 */
import { MimeBundle, toMimeBundle } from '../../../display/src';
import { DOMWidget, ControlOptions } from './controls';
import { host } from './widget';

export type OutputEntry =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

const SINK_KEY = Symbol.for('tsdl.display.sink');
type Sink = {
  display(bundle: MimeBundle, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void;
  clear(wait: boolean): void;
};
type SinkHolder = { [SINK_KEY]?: Sink };

/** MIME types a viewer without widgets can show, best first. */
const STATIC_TYPES = ['image/svg+xml', 'image/png', 'text/html'];

export class Output extends DOMWidget {
  private pending: OutputEntry[] | undefined;
  private pendingIds: Array<string | undefined> = [];
  private ids: Array<string | undefined> = [];
  private clearOnNext = false;
  private flushScheduled = false;

  constructor(options: ControlOptions = {}) {
    super('OutputModel', options, {});
  }

  get outputs(): OutputEntry[] {
    return this.get('outputs') as OutputEntry[];
  }

  /** Empties it now, or (`wait`) when the next output arrives, so a redraw does not flicker. */
  clear(wait = false): void {
    if (wait) { this.clearOnNext = true; return; }
    this.clearOnNext = false;
    this.pending = [];
    this.pendingIds = [];
    this.flush();
  }

  /** Adds an output (nbformat form); `displayId` lets a later display with the same id replace it. */
  append(entry: OutputEntry, displayId?: string): void {
    if (!this.pending) { this.pending = [...this.outputs]; this.pendingIds = [...this.ids]; }
    if (this.clearOnNext) { this.pending = []; this.pendingIds = []; this.clearOnNext = false; }
    const last = this.pending[this.pending.length - 1];
    if (entry.output_type === 'stream' && last?.output_type === 'stream' && last.name === entry.name) {
      this.pending[this.pending.length - 1] = { ...last, text: last.text + entry.text };
    } else {
      this.pending.push(entry);
      this.pendingIds.push(displayId);
    }
    // Many prints in a row go as one update.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Shows a value's rich form in this output. */
  display(value: unknown): void {
    this.append({ output_type: 'display_data', data: toMimeBundle(value), metadata: {} });
  }

  /** Sends what was appended since the last update (done on its own after each batch). */
  flush(): void {
    this.flushScheduled = false;
    if (!this.pending) return;
    const outputs = this.pending;
    this.ids = this.pendingIds;
    this.pending = undefined;
    this.set({ outputs });
  }

  /**
   * Runs `fn` with everything it prints, displays or throws going into this output; returns what
   * it returns (for an async `fn`, once it settles). An exception is shown here as a traceback
   * and not raised again (as ipywidgets' `with out:` in a callback), so it is never lost.
   */
  run<R>(fn: () => R): R extends Promise<infer U> ? Promise<U | undefined> : R | undefined;
  run(fn: () => unknown): unknown {
    const restore = this.redirect();
    let result: unknown;
    try {
      result = fn();
    } catch (e) {
      this.showError(e);
      restore();
      return undefined;
    }
    if (result instanceof Promise) {
      return result.then(
        (v) => { restore(); return v; },
        (e: unknown) => { this.showError(e); restore(); return undefined; });
    }
    restore();
    return result;
  }

  /** `fn`, wrapped so that each call runs inside {@link run}: `button.onClick(out.capture(() => …))`. */
  capture<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R extends Promise<infer U> ? Promise<U | undefined> : R | undefined {
    return (...args: A) => this.run(() => fn(...args)) as R extends Promise<infer U> ? Promise<U | undefined> : R | undefined;
  }

  private showError(e: unknown): void {
    const formatted = host()?.formatError(e) ?? {
      ename: e instanceof Error ? e.name : 'Error', evalue: e instanceof Error ? e.message : String(e),
      traceback: [e instanceof Error ? e.stack ?? e.message : String(e)],
    };
    this.append({ output_type: 'error', ...formatted });
  }

  /** Points displays, prints and clear_output at this widget; returns the undo. */
  private redirect(): () => void {
    const g = globalThis as SinkHolder;
    const before = g[SINK_KEY];
    g[SINK_KEY] = {
      display: (data, metadata, displayId, update) => {
        if (update && displayId) {
          const i = (this.pending ? this.pendingIds : this.ids).lastIndexOf(displayId);
          if (i !== -1) {
            if (!this.pending) { this.pending = [...this.outputs]; this.pendingIds = [...this.ids]; }
            this.pending[i] = { output_type: 'display_data', data, metadata };
            if (!this.flushScheduled) { this.flushScheduled = true; setImmediate(() => this.flush()); }
            return;
          }
        }
        this.append({ output_type: 'display_data', data, metadata }, displayId);
      },
      clear: (wait) => this.clear(wait),
    };
    const writes = (['stdout', 'stderr'] as const).map((name) => {
      const stream = process[name];
      const original = stream.write;
      stream.write = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean => {
        const encoding = typeof encodingOrCb === 'string' ? (encodingOrCb as BufferEncoding) : 'utf8';
        this.append({ output_type: 'stream', name, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(encoding) });
        const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
        if (typeof callback === 'function') process.nextTick(callback as () => void);
        return true;
      }) as typeof stream.write;
      return () => { stream.write = original; };
    });
    return () => {
      g[SINK_KEY] = before;
      writes.forEach((undo) => undo());
      this.flush();
    };
  }

  /** The first output a viewer without widgets can show (an interact's figure). */
  override staticBundle(): MimeBundle {
    for (const o of this.outputs) {
      if (o.output_type !== 'display_data') continue;
      const type = STATIC_TYPES.find((t) => t in o.data);
      if (type) return { [type]: o.data[type] };
    }
    return {};
  }

  protected override describe(): string {
    return `Output(${this.outputs.length} outputs)`;
  }
}

export function output(options: ControlOptions = {}): Output {
  return new Output(options);
}
