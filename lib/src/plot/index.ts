/**
 * Plots: nodeplotlib's `plot(data, layout)` and one-call charts, shown inline in JupyterLab
 * (interactive) with a static SVG for every other viewer. See docs/plots.md.
 */
export { plot, Figure, PLOTLY_MIME, plotlyLayout } from './figure';
export { line, scatter, bar, histogram, heatmap, image, imageGrid, confusionMatrix, decisionBoundary } from './charts';
export type { ChartOptions, HeatmapOptions, ImageGridOptions } from './charts';
export { renderSvg, niceTicks } from './svg';
export { COLORWAY, COLORSCALES } from './colors';
export type { Trace, Layout, Axis, Annotation } from './types';
