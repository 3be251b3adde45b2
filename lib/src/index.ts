/**
 * tsdl: deep learning in TypeScript notebooks. `import * as tsdl from "tsdl"` gives one
 * TensorFlow.js instance on the fastest backend this machine has (`tsdl.tf`), datasets and
 * loaders, plots that show inline in JupyterLab, training progress, and the budget helper.
 */
export * from './backend';
export * from './budget';
export * from './data';
export * from './plot';
export * from './train';
export * from './report';
export * from './linear-map';
export * from './toy2d';
export * from './netdiagram';
