/**
 * A small fully connected network drawn as circles and edges, each edge labelled with its weight
 * (or gradient) and drawn thicker the larger it is: red for positive, blue for negative.
 */
import * as tf from '@tensorflow/tfjs';
import { Figure } from '../plot/figure';
import { Annotation, Trace } from '../plot/types';

export interface NetworkDiagramOptions {
  /** A label per node, layer by layer (e.g. [['x₁','x₂'], ['h₁','h₂','h₃'], ['ŷ']]). Default: none. */
  nodeLabels?: string[][];
  /** Biases per layer after the input, written under each node (e.g. [b1, [b2]]). */
  biases?: Array<number[] | tf.Tensor>;
  title?: string;
  width?: number;
  height?: number;
  /** Significant digits of the edge labels. Default 3. */
  digits?: number;
}

const matrixOf = (w: number[][] | number[] | tf.Tensor): number[][] => {
  const m = w instanceof tf.Tensor ? (w.arraySync() as number[][] | number[]) : w;
  return m.map((row) => (Array.isArray(row) ? row : [row])); // a vector is a column: one output
};
const vectorOf = (b: number[] | tf.Tensor): number[] => (b instanceof tf.Tensor ? Array.from(b.dataSync()) : b);

/**
 * Draw a dense network from its weight matrices (rows = inputs, columns = outputs, as
 * `tf.matMul(x, W)` uses them); a vector is one output's weights.
 *
 * ```ts
 * networkDiagram([W1, W2], { nodeLabels: [['x₁', 'x₂'], ['h₁', 'h₂', 'h₃'], ['ŷ']], biases: [b1, [b2]] });
 * ```
 */
export function networkDiagram(weights: Array<number[][] | number[] | tf.Tensor>, options: NetworkDiagramOptions = {}): Figure {
  if (weights.length === 0) throw new Error('networkDiagram: give at least one weight matrix.');
  const mats = weights.map(matrixOf);
  const sizes = [mats[0].length, ...mats.map((m) => m[0]?.length ?? 0)];
  mats.forEach((m, k) => {
    if (m.length !== sizes[k]) throw new Error(`networkDiagram: weight matrix ${k} has ${m.length} rows but layer ${k} has ${sizes[k]} nodes; rows are the inputs.`);
  });
  const digits = options.digits ?? 3;
  const tallest = Math.max(...sizes);
  const yOf = (layer: number, i: number) => (sizes[layer] - 1) / 2 - i; // each layer centred on y = 0
  const biggest = Math.max(1e-12, ...mats.flat(2).map(Math.abs));
  const traces: Trace[] = [];
  const annotations: Annotation[] = [];
  mats.forEach((m, k) => m.forEach((row, i) => row.forEach((w, j) => {
    const [x0, y0, x1, y1] = [k, yOf(k, i), k + 1, yOf(k + 1, j)];
    traces.push({ type: 'scatter', mode: 'lines', x: [x0, x1], y: [y0, y1], showlegend: false, hoverinfo: 'skip',
      line: { color: w > 0 ? '#d62728' : w < 0 ? '#1f77b4' : '#bbbbbb', width: 0.5 + 5 * Math.abs(w) / biggest } });
    // labels near the start of edges that fan out (where they do not overlap), mid-way into a single node
    const f = sizes[k + 1] === 1 ? 0.5 : 0.2;
    annotations.push({ x: x0 + f * (x1 - x0), y: y0 + f * (y1 - y0) + 0.06, text: String(+w.toPrecision(digits)), showarrow: false, font: { size: 10, color: '#333' } });
  })));
  sizes.forEach((n, k) => {
    traces.push({ type: 'scatter', mode: 'markers', x: Array(n).fill(k), y: Array.from({ length: n }, (_, i) => yOf(k, i)), showlegend: false,
      marker: { size: 30, color: '#4c4c4c' } });
    for (let i = 0; i < n; i++) {
      const label = options.nodeLabels?.[k]?.[i];
      if (label) annotations.push({ x: k, y: yOf(k, i), text: label, showarrow: false, font: { size: 12, color: '#fff' } });
      const b = k > 0 && options.biases?.[k - 1] !== undefined ? vectorOf(options.biases[k - 1])[i] : undefined;
      if (b !== undefined) annotations.push({ x: k, y: yOf(k, i) - 0.3, text: `b=${+b.toPrecision(digits)}`, showarrow: false, font: { size: 10, color: '#555' } });
    }
  });
  const hidden = { visible: false, showgrid: false, zeroline: false };
  return new Figure(traces, {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 200 + 160 * sizes.length, height: options.height ?? 120 + 90 * tallest,
    showlegend: false, annotations, margin: { l: 30, r: 30, t: options.title ? 50 : 20, b: 20 },
    xaxis: { ...hidden, range: [-0.3, sizes.length - 0.7] }, yaxis: { ...hidden, range: [-(tallest - 1) / 2 - 0.6, (tallest - 1) / 2 + 0.5] },
  });
}
