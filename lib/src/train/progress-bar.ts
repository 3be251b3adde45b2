/**
 * A progress bar that redraws in place: in a notebook through one display handle
 * (update_display_data), in a terminal with a carriage return, and elsewhere (logs, CI) as a
 * single line when it finishes. It writes to stdout only, never stderr.
 */
import { DisplayHandle, escapeHtml, inNotebook } from '../../../display/src';

export interface ProgressBarOptions {
  /** Text before the bar, e.g. 'Epoch 3/10' or 'Downloading train.gz'. */
  label?: string;
  /** The value at 100%; unknown totals show a count instead of a bar. */
  total?: number;
  /** Minimum time between redraws. Default 250 ms (at most 4 updates a second). */
  throttleMs?: number;
  /** How values are written: 'count' (default) or 'bytes' (KB/MB). */
  unit?: 'count' | 'bytes';
  /** Where the bar goes; default: a display handle in a notebook, stdout elsewhere. */
  handle?: DisplayHandle;
  /** A clock, for tests. */
  now?: () => number;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The state a bar shows; pure so its text and HTML forms can be tested. */
export interface ProgressState {
  label: string;
  value: number;
  total?: number;
  unit: 'count' | 'bytes';
  elapsedS: number;
  /** Extra text after the bar, e.g. 'loss 0.231 · acc 0.94'. */
  note?: string;
  status: 'running' | 'done' | 'failed';
}

export function progressText(s: ProgressState): string {
  const fmt = s.unit === 'bytes' ? formatBytes : (n: number) => String(n);
  const parts = [s.label];
  if (s.total !== undefined && s.total > 0) {
    const f = Math.min(1, s.value / s.total);
    const width = 30;
    const filled = Math.round(f * width);
    parts.push(`[${'='.repeat(filled)}${filled < width ? '>' : ''}${'.'.repeat(Math.max(0, width - filled - 1))}]`,
      `${fmt(s.value)}/${fmt(s.total)}`, `${(f * 100).toFixed(0)}%`);
    const rate = s.value / Math.max(s.elapsedS, 1e-9);
    if (s.status === 'running' && f > 0 && f < 1) parts.push(`ETA ${formatSeconds((s.total - s.value) / rate)}`);
  } else parts.push(fmt(s.value));
  parts.push(formatSeconds(s.elapsedS));
  if (s.note) parts.push(s.note);
  if (s.status === 'failed') parts.push('FAILED');
  return parts.join(' ');
}

export function progressHtml(s: ProgressState): string {
  const pct = s.total ? Math.min(100, (100 * s.value) / s.total) : undefined;
  const colour = s.status === 'failed' ? '#d62728' : s.status === 'done' ? '#2ca02c' : '#1f77b4';
  const bar = pct === undefined ? '' :
    `<div style="flex:0 0 240px;height:12px;background:#e5e5e5;border-radius:3px;overflow:hidden">` +
    `<div style="width:${pct.toFixed(1)}%;height:100%;background:${colour}"></div></div>`;
  const text = escapeHtml(progressText({ ...s, label: '' }).replace(/\[[=>.]*\]\s*/, '').trim());
  return `<div class="tsdl-progress" style="display:flex;gap:8px;align-items:center;font-family:monospace;font-size:12px">` +
    `<span>${escapeHtml(s.label)}</span>${bar}<span>${text}</span></div>`;
}

/**
 * ```ts
 * const bar = new ProgressBar({ label: 'Epoch 1/5', total: steps });
 * for (let i = 1; i <= steps; i++) { trainStep(); bar.update(i, `loss ${loss.toFixed(3)}`); }
 * bar.done();
 * ```
 */
export class ProgressBar {
  private readonly started: number;
  private lastDraw = -Infinity;
  private state: ProgressState;
  private readonly handle: DisplayHandle | undefined;
  private readonly tty: boolean;
  private readonly throttleMs: number;
  private readonly now: () => number;

  constructor(options: ProgressBarOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.started = this.now();
    this.throttleMs = options.throttleMs ?? 250;
    this.handle = options.handle ?? (inNotebook() ? new DisplayHandle() : undefined);
    this.tty = !this.handle && Boolean(process.stdout.isTTY);
    this.state = { label: options.label ?? '', value: 0, total: options.total, unit: options.unit ?? 'count', elapsedS: 0, status: 'running' };
  }

  /** Restart the clock's reference total, e.g. when a resumed download learns its size. */
  setTotal(total: number | undefined): void { this.state.total = total; }

  /** Move to `value`; redraws at most every `throttleMs`. */
  update(value: number, note?: string): void {
    this.state = { ...this.state, value, note: note ?? this.state.note, elapsedS: (this.now() - this.started) / 1000 };
    if (this.now() - this.lastDraw >= this.throttleMs) this.draw();
  }

  /** Final redraw (always shown). */
  done(note?: string): void {
    const total = this.state.total ?? this.state.value;
    this.state = { ...this.state, status: 'done', value: Math.max(this.state.value, this.state.total === undefined ? this.state.value : total), note: note ?? this.state.note, elapsedS: (this.now() - this.started) / 1000 };
    this.draw(true);
  }

  fail(note: string): void {
    this.state = { ...this.state, status: 'failed', note, elapsedS: (this.now() - this.started) / 1000 };
    this.draw(true);
  }

  get text(): string { return progressText(this.state); }

  private draw(final = false): void {
    this.lastDraw = this.now();
    if (this.handle) this.handle.bundle({ 'text/html': progressHtml(this.state), 'text/plain': progressText(this.state) });
    else if (this.tty) process.stdout.write(`\r${progressText(this.state)}${final ? '\n' : ''}`);
    else if (final) process.stdout.write(`${progressText(this.state)}\n`);
  }
}
