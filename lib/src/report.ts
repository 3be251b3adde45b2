/**
 * `report({ testAccuracy: 0.985 })`: the numbers a chapter reaches, shown as a table and carried
 * in a machine-readable MIME type, so the curriculum benchmark reads them from the executed
 * notebook instead of anyone typing them into a README.
 */
import { DISPLAY_SYMBOL, htmlTable, MimeBundle } from '../../display/src';

/** The MIME type whose JSON the notebook benchmark collects. */
export const METRICS_MIME = 'application/vnd.tsdl.metrics+json';

export type Metrics = Record<string, number | string>;

export interface Report {
  readonly metrics: Metrics;
  [DISPLAY_SYMBOL](): MimeBundle;
}

const shown = (v: number | string) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));

/**
 * Names and values a chapter reaches; the last expression of a cell, or `display(report(...))`.
 *
 * ```ts
 * tsdl.report({ "test accuracy": acc, "seconds": secs })
 * ```
 */
export function report(metrics: Metrics): Report {
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`report(): ${k} is ${v}; report finite numbers (did training diverge?)`);
  }
  const rows = Object.entries(metrics).map(([k, v]) => [k, shown(v)]);
  return {
    metrics: { ...metrics },
    [DISPLAY_SYMBOL]: () => ({
      'text/plain': rows.map(([k, v]) => `${k}: ${v}`).join('\n'),
      'text/html': htmlTable(['measure', 'value'], rows),
      [METRICS_MIME]: { ...metrics },
    }),
  };
}
