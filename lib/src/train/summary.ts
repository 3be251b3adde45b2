/** `model.summary()` as a table a notebook shows: layer, type, output shape, parameters. */
import * as tf from '@tensorflow/tfjs';
import { DISPLAY_SYMBOL, escapeHtml, MimeBundle } from '../../../display/src';

export interface LayerRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

export interface ModelSummary {
  layers: LayerRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The same text `model.summary()` prints. */
  text: string;
  [DISPLAY_SYMBOL](): MimeBundle;
}

const shapeText = (s: unknown): string => JSON.stringify(s).replace(/null/g, 'None').replace(/,/g, ', ').replace(/\[/g, '(').replace(/\]/g, ')');
const count = (ws: tf.LayerVariable[]) => ws.reduce((a, w) => a + (w.shape as number[]).reduce((p, d) => p * d, 1), 0);

/**
 * A model's layers as a rich table (also its text form, as `model.summary()` prints it).
 *
 * ```ts
 * modelSummary(model); // last expression in a cell: shows the table
 * ```
 */
export function modelSummary(model: tf.LayersModel): ModelSummary {
  const layers: LayerRow[] = model.layers.map((l) => {
    let out: unknown;
    try { out = l.outputShape; } catch { out = 'multiple'; }
    return { name: l.name, type: l.getClassName(), outputShape: typeof out === 'string' ? out : shapeText(out), params: l.countParams() };
  });
  const trainableParams = count(model.trainableWeights);
  const nonTrainableParams = count(model.nonTrainableWeights);
  const lines: string[] = [];
  model.summary(undefined, undefined, (...msg: unknown[]) => lines.push(msg.map(String).join(' ')));
  const text = lines.join('\n');
  const fmt = (n: number) => n.toLocaleString('en-US');
  const html = `<table class="tsdl-table"><thead><tr><th>Layer</th><th>Type</th><th>Output shape</th><th style="text-align:right">Params</th></tr></thead><tbody>` +
    layers.map((r) => `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.type)}</td><td><code>${escapeHtml(r.outputShape)}</code></td><td style="text-align:right">${fmt(r.params)}</td></tr>`).join('') +
    `</tbody><tfoot><tr><th colspan="3">Total params</th><th style="text-align:right">${fmt(trainableParams + nonTrainableParams)}</th></tr>` +
    `<tr><td colspan="3">Trainable</td><td style="text-align:right">${fmt(trainableParams)}</td></tr>` +
    `<tr><td colspan="3">Non-trainable</td><td style="text-align:right">${fmt(nonTrainableParams)}</td></tr></tfoot></table>`;
  return {
    layers, totalParams: trainableParams + nonTrainableParams, trainableParams, nonTrainableParams, text,
    [DISPLAY_SYMBOL]: () => ({ 'text/html': html, 'text/plain': text }),
  };
}
