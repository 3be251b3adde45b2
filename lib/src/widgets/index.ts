/**
 * `tsdl/widgets`: Jupyter widgets from TypeScript, rendered by JupyterLab's own widget manager
 * (ipywidgets 8's models and protocol). See docs/widgets.md.
 *
 *     import { slider, interact } from "tsdl/widgets";
 *     interact(({ a }) => tsdl.line({ y: xs.map((x) => a * x) }, { x: xs }), { a: slider({ min: 0, max: 2, step: 0.1, value: 1 }) })
 */
export { Widget, allWidgets, managerState, savedState } from './widget';
export type { Change } from './widget';
export {
  DOMWidget, ValueWidget, SelectionWidget, Button, Box, SelectionContainer,
  slider, intSlider, floatSlider, rangeSlider, intRangeSlider, floatRangeSlider, dropdown, toggleButtons, checkbox, text,
  button, play, progress, label, html, hbox, vbox, tab, accordion, jslink, link,
} from './controls';
export type {
  ControlOptions, SliderOptions, RangeSliderOptions, SelectionOptions, ToggleButtonsOptions, CheckboxOptions, TextOptions,
  ButtonOptions, ButtonStyle, PlayOptions, ProgressOptions, BoxOptions, ContainerOptions, Choices,
} from './controls';
export { Output, output } from './output';
export type { OutputEntry } from './output';
export { Interactive, interact } from './interact';
export type { Control, ValueOf, Values, InteractOptions } from './interact';
export { PROTOCOL_VERSION, VIEW_MIME, STATE_MIME, removeBuffers, putBuffers } from './protocol';
