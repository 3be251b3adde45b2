/**
 * Live training feedback for `model.fit` / `model.fitDataset` and hand-written loops: a progress
 * bar, loss and metric curves redrawn in place through one display handle (at most ~4 times a
 * second), and a per-epoch table when training ends. Outside a notebook: one line per epoch on
 * stdout. Nothing goes to stderr (nbgrader fails cells that write there).
 */
import * as tf from '@tensorflow/tfjs';
import { DisplayHandle, htmlTable, inNotebook, MimeBundle } from '../../../display/src';
import { renderSvg } from '../plot/svg';
import { Trace } from '../plot/types';
import { progressHtml, progressText, ProgressState } from './progress-bar';

/** Logs as tfjs passes them: metric name → number. */
export type Logs = Record<string, number | unknown>;

export interface TrainingProgressOptions {
  /** Total epochs (shown in the bar). Taken from fit's params when omitted. */
  epochs?: number;
  /** Batches per epoch, for the inner bar. Taken from fit's params when known. */
  batchesPerEpoch?: number;
  /** Metrics to plot; default every metric in the logs. 'loss' and 'val_loss' share a chart with other metrics. */
  metrics?: string[];
  title?: string;
  /** Minimum ms between redraws. Default 250. */
  throttleMs?: number;
  /** Draw curves per batch (custom loops with few epochs) instead of per epoch. Default: per epoch. */
  perBatch?: boolean;
  /** Where to draw; default a new display handle (in a notebook). */
  handle?: DisplayHandle;
  now?: () => number;
}

interface EpochRow { epoch: number; seconds: number; logs: Record<string, number> }

const numericLogs = (logs: Logs | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(logs ?? {}).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;

/** tfjs hands a tf.Callback scalars still as tensors; read them (as CustomCallback would). */
async function resolveLogs(logs: Logs | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (typeof v === 'number') out[k] = v;
    else if (v instanceof tf.Tensor && v.size === 1) out[k] = (await v.data())[0];
  }
  return numericLogs(out);
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4));

/**
 * A `model.fit` callback (also usable by hand in custom loops) that shows progress and curves.
 * tfjs takes a `callbacks` array as either all `tf.Callback`s or all plain objects: to combine it
 * with plain-object callbacks, pass `{ ...obj }` forms or wrap them with `new tf.CustomCallback(obj)`.
 *
 * ```ts
 * await model.fit(xs, ys, { epochs: 10, validationSplit: 0.2, callbacks: trainingProgress() });
 *
 * // a custom loop
 * const progress = trainingProgress({ epochs: 50, title: 'GAN' });
 * for (let e = 0; e < 50; e++) { …; progress.onEpochEnd(e, { d_loss, g_loss }); }
 * progress.onTrainEnd();
 * ```
 */
export class TrainingProgress extends tf.Callback {
  /** Per-epoch logs so far (also what the summary table shows). */
  readonly history: EpochRow[] = [];
  /** Per-batch logs (when perBatch is set, or for custom loops calling onBatchEnd). */
  readonly batches: Array<Record<string, number>> = [];
  private epochs: number | undefined;
  private steps: number | undefined;
  private epoch = 0;
  private batch = 0;
  private readonly started: number;
  private epochStarted: number;
  private lastDraw = -Infinity;
  private finished = false;
  private readonly handle: DisplayHandle | undefined;
  private readonly now: () => number;
  private readonly throttleMs: number;
  constructor(private readonly options: TrainingProgressOptions = {}) {
    super();
    // tfjs copies the methods of callbacks it does not recognise (e.g. in a mixed array) onto a
    // CustomCallback, calling them with another `this`: bind them so both routes work.
    for (const m of ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const) (this as unknown as Record<string, unknown>)[m] = this[m].bind(this);
    this.now = options.now ?? (() => Date.now());
    this.started = this.now();
    this.epochStarted = this.started;
    this.throttleMs = options.throttleMs ?? 250;
    this.epochs = options.epochs;
    this.steps = options.batchesPerEpoch;
    this.handle = options.handle ?? (inNotebook() ? new DisplayHandle() : undefined);
  }

  override async onTrainBegin(_logs?: Logs): Promise<void> {
    // fit's parameters, which tfjs hands to a tf.Callback (absent in custom loops)
    this.params ??= {};
    this.epochs ??= typeof this.params.epochs === 'number' ? this.params.epochs : undefined;
    const samples = this.params.samples; const batchSize = this.params.batchSize; const steps = this.params.steps;
    this.steps ??= typeof steps === 'number' ? steps : typeof samples === 'number' && typeof batchSize === 'number' ? Math.ceil(samples / batchSize) : undefined;
    this.draw(true);
  }

  override async onEpochBegin(epoch: number, _logs?: Logs): Promise<void> {
    this.epoch = epoch;
    this.batch = 0;
    this.epochStarted = this.now();
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    this.batch = batch + 1;
    // per-batch values are only read when drawn per batch: reading a tensor waits for the backend
    const values = this.options.perBatch ? await resolveLogs(logs) : {};
    delete values.batch; delete values.size;
    if (this.options.perBatch) this.batches.push(values);
    this.draw(false);
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    this.epoch = epoch + 1;
    const values = await resolveLogs(logs);
    this.history.push({ epoch: epoch + 1, seconds: (this.now() - this.epochStarted) / 1000, logs: values });
    this.epochStarted = this.now();
    if (!this.handle) {
      const parts = Object.entries(values).map(([k, v]) => `${k} ${fmt(v)}`);
      process.stdout.write(`Epoch ${epoch + 1}${this.epochs ? `/${this.epochs}` : ''} - ${parts.join(' - ')} - ${this.history.at(-1)!.seconds.toFixed(1)}s\n`);
    }
    this.draw(false);
  }

  override async onTrainEnd(_logs?: Logs): Promise<void> {
    this.finished = true;
    this.draw(true);
  }

  /** The curves as Plotly traces: one chart, one line per metric. */
  traces(): Trace[] {
    const rows = this.options.perBatch ? this.batches.map((logs, i) => ({ x: i + 1, logs })) : this.history.map((r) => ({ x: r.epoch, logs: r.logs }));
    const names = this.options.metrics ?? [...new Set(rows.flatMap((r) => Object.keys(r.logs)))];
    return names.map((name) => ({
      type: 'scatter', mode: rows.length <= 30 ? 'lines+markers' : 'lines', name,
      x: rows.map((r) => r.x), y: rows.map((r) => r.logs[name] ?? NaN),
      ...(name.startsWith('val_') ? { line: { dash: 'dash' } } : {}),
    }));
  }

  private state(): ProgressState {
    const elapsedS = (this.now() - this.started) / 1000;
    const label = `${this.options.title ? `${this.options.title} · ` : ''}Epoch ${Math.min(this.epoch + (this.finished ? 0 : 1), this.epochs ?? Infinity)}${this.epochs ? `/${this.epochs}` : ''}`;
    const last = this.history.at(-1)?.logs ?? {};
    const note = Object.entries(last).map(([k, v]) => `${k} ${fmt(v)}`).join(' · ');
    if (this.epochs) {
      const within = this.steps ? Math.min(1, this.batch / this.steps) : 0;
      return { label, value: this.finished ? this.epochs : this.epoch + (this.history.length === this.epoch ? 0 : within), total: this.epochs, unit: 'count', elapsedS, note, status: this.finished ? 'done' : 'running' };
    }
    return { label, value: this.epoch, unit: 'count', elapsedS, note, status: this.finished ? 'done' : 'running' };
  }

  /** What the handle shows now: bar, curves and (at the end) the table. */
  bundle(): MimeBundle {
    const s = { ...this.state(), value: Math.round(this.state().value * 100) / 100 };
    const traces = this.traces();
    const hasCurves = traces.some((t) => (t.y ?? []).length > 0);
    const chart = hasCurves ? renderSvg(traces, { width: 640, height: 320, xaxis: { title: this.options.perBatch ? 'step' : 'epoch', dtick: 1 }, ...(this.options.title ? { title: this.options.title } : {}) }) : '';
    const table = this.finished && this.history.length > 0 ? this.summaryTable() : '';
    const img = chart ? `<img alt="training curves" src="data:image/svg+xml;base64,${Buffer.from(chart).toString('base64')}"/>` : '';
    const bundle: MimeBundle = {
      'text/html': `<div class="tsdl-training">${progressHtml(s)}${img}${table}</div>`,
      'text/plain': progressText(s),
    };
    if (chart) bundle['image/svg+xml'] = chart;
    return bundle;
  }

  private summaryTable(): string {
    const names = [...new Set(this.history.flatMap((r) => Object.keys(r.logs)))];
    const rows = this.history.map((r) => [r.epoch, ...names.map((n) => r.logs[n] ?? ''), +r.seconds.toFixed(2)]);
    return htmlTable(['epoch', ...names, 'seconds'], rows);
  }

  private draw(force: boolean): void {
    if (!this.handle) return;
    const t = this.now();
    if (!force && t - this.lastDraw < this.throttleMs) return;
    this.lastDraw = t;
    this.handle.bundle(this.bundle());
  }
}

/** A progress-and-curves callback for `model.fit` (see {@link TrainingProgress}). */
export function trainingProgress(options: TrainingProgressOptions = {}): TrainingProgress {
  return new TrainingProgress(options);
}

