/**
 * The subset of Plotly's figure format (traces and layout) that tsdl draws statically. Any other
 * Plotly attribute may be set too: it passes through to the interactive chart unchanged.
 */

/** One trace, as `Plotly.newPlot` (and nodeplotlib's `plot`) takes it. */
export interface Trace {
  type?: 'scatter' | 'scattergl' | 'bar' | 'histogram' | 'heatmap' | 'image' | string;
  name?: string;
  x?: Array<number | string>;
  y?: Array<number | string>;
  z?: number[][];
  mode?: string;
  text?: string | string[] | string[][];
  texttemplate?: string;
  marker?: { color?: string | Array<string | number>; size?: number; colorscale?: string; opacity?: number; [k: string]: unknown };
  line?: { color?: string; width?: number; dash?: string; [k: string]: unknown };
  colorscale?: string | Array<[number, string]>;
  zmin?: number;
  zmax?: number;
  showscale?: boolean;
  opacity?: number;
  nbinsx?: number;
  orientation?: 'v' | 'h';
  /** For `type: 'image'`: a data: URI of a PNG. */
  source?: string;
  showlegend?: boolean;
  xaxis?: string;
  yaxis?: string;
  [key: string]: unknown;
}

export interface Axis {
  title?: string | { text?: string };
  range?: [number, number];
  type?: 'linear' | 'log' | 'category' | '-';
  autorange?: boolean | 'reversed';
  showgrid?: boolean;
  scaleanchor?: string;
  tickvals?: number[];
  ticktext?: string[];
  /** Distance between ticks, as in Plotly (e.g. 1 for whole epochs). */
  dtick?: number;
  visible?: boolean;
  [key: string]: unknown;
}

export interface Annotation {
  x: number | string;
  y: number | string;
  text: string;
  showarrow?: boolean;
  font?: { color?: string; size?: number };
  xref?: string;
  yref?: string;
  [key: string]: unknown;
}

export interface Layout {
  title?: string | { text?: string };
  width?: number;
  height?: number;
  xaxis?: Axis;
  yaxis?: Axis;
  showlegend?: boolean;
  annotations?: Annotation[];
  barmode?: 'group' | 'stack' | 'overlay';
  margin?: { l?: number; r?: number; t?: number; b?: number };
  [key: string]: unknown;
}
