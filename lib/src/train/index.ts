/** Training feedback: live progress and curves for model.fit and custom loops, model summaries. */
export { TrainingProgress, trainingProgress } from './callback';
export type { TrainingProgressOptions, Logs } from './callback';
export { ProgressBar, progressText, progressHtml } from './progress-bar';
export type { ProgressBarOptions, ProgressState } from './progress-bar';
export { modelSummary } from './summary';
export type { ModelSummary, LayerRow } from './summary';
export { saveModel, loadModel } from './model-files';
