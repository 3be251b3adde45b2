/**
 * The controls: typed wrappers over ipywidgets' models (`@jupyter-widgets/controls` 2.0.0), each
 * opened with ipywidgets' full default state plus its own Layout and style models, as ipywidgets
 * sends them.
 */
import type { ModelName } from './defaults';
import { Change, Widget } from './widget';

/** Options every control takes. */
export interface ControlOptions {
  /** The label left of the control. */
  description?: string;
  disabled?: boolean;
  tooltip?: string;
  /** CSS layout, ipywidgets' Layout keys: `{ width: "300px" }`. */
  layout?: Record<string, string | null>;
  /** The style model's keys: `{ description_width: "initial" }`, `{ bar_color: "green" }`. */
  style?: Record<string, string | null>;
}

const STYLE_MODEL: Partial<Record<ModelName, ModelName>> = {
  IntSliderModel: 'SliderStyleModel', FloatSliderModel: 'SliderStyleModel', IntRangeSliderModel: 'SliderStyleModel',
  FloatRangeSliderModel: 'SliderStyleModel', DropdownModel: 'DescriptionStyleModel', CheckboxModel: 'CheckboxStyleModel',
  ToggleButtonsModel: 'ToggleButtonsStyleModel', ButtonModel: 'ButtonStyleModel', TextModel: 'TextStyleModel',
  PlayModel: 'DescriptionStyleModel', IntProgressModel: 'ProgressStyleModel', FloatProgressModel: 'ProgressStyleModel',
  LabelModel: 'LabelStyleModel', HTMLModel: 'HTMLStyleModel',
};

/** The state of a new model: its options, a new Layout and (for controls) a new style model. */
function withParts(model: ModelName, options: ControlOptions, state: Record<string, unknown>): Record<string, unknown> {
  const { description, disabled, tooltip, layout, style } = options;
  const out: Record<string, unknown> = { ...state, layout: new Widget('LayoutModel', layout ?? {}) };
  const styleModel = STYLE_MODEL[model];
  if (styleModel) out.style = new Widget(styleModel, style ?? {});
  if (description !== undefined) out.description = description;
  if (disabled !== undefined) out.disabled = disabled;
  if (tooltip !== undefined) out.tooltip = tooltip;
  return out;
}

/** A model with parts (layout, style) and options. */
export class DOMWidget extends Widget {
  constructor(model: ModelName, options: ControlOptions = {}, state: Record<string, unknown> = {}) {
    super(model, withParts(model, options, state));
  }
  get layout(): Widget { return this.get('layout') as Widget; }
  get style(): Widget | undefined { return this.get('style') as Widget | undefined; }
  get description(): string { return String(this.get('description') ?? ''); }
  set description(text: string) { this.set({ description: text }); }
}

/** A control with a value: `.value` reads and sets it, `observe("value", …)` follows it. */
export class ValueWidget<T> extends DOMWidget {
  get value(): T { return this.get('value') as T; }
  set value(v: T) { this.set({ value: v }); }
  /** `observe("value", ({ old, new }) => …)`, typed for this control's value. */
  onChange(callback: (value: T, change: Change<T>) => void | Promise<void>): () => void {
    return this.observe('value', (c) => callback(c.new, c));
  }
  /** `observe("value", …)` gets this control's value type. */
  override observe(name: 'value', callback: (change: Change<T>) => void | Promise<void>): () => void;
  override observe(name: string, callback: (change: Change) => void | Promise<void>): () => void;
  override observe(name: string, callback: (change: Change<T>) => void | Promise<void>): () => void {
    return super.observe(name, callback as (change: Change) => void | Promise<void>);
  }
}

export interface SliderOptions extends ControlOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Update while dragging (default) or only on release. */
  continuousUpdate?: boolean;
  orientation?: 'horizontal' | 'vertical';
  /** d3-format of the number shown beside the slider: ".3f", "d". */
  readoutFormat?: string;
}

const decimals = (x: number): number => {
  const s = String(x);
  const e = s.match(/e-(\d+)$/);
  return e ? Number(e[1]) : (s.split('.')[1]?.length ?? 0);
};

function sliderState(o: SliderOptions, float: boolean, value: unknown): Record<string, unknown> {
  const state: Record<string, unknown> = { value };
  if (o.min !== undefined) state.min = o.min;
  if (o.max !== undefined) state.max = o.max;
  if (o.step !== undefined) state.step = o.step;
  if (o.continuousUpdate !== undefined) state.continuous_update = o.continuousUpdate;
  if (o.orientation) state.orientation = o.orientation;
  // ".2f" (ipywidgets' default) would show a step of 0.001 as 0.00: follow the step's decimals.
  if (o.readoutFormat) state.readout_format = o.readoutFormat;
  else if (float && o.step !== undefined && decimals(o.step) > 2) state.readout_format = `.${decimals(o.step)}f`;
  return state;
}

function clampDefault(o: SliderOptions, fallback: number): number {
  return o.value ?? Math.min(Math.max(fallback, o.min ?? fallback), o.max ?? fallback);
}

/** An integer slider (IntSliderModel): 0 to 100 by 1 unless told. */
export function intSlider(options: SliderOptions = {}): ValueWidget<number> {
  return new ValueWidget<number>('IntSliderModel', options, sliderState(options, false, clampDefault(options, 0)));
}

/** A float slider (FloatSliderModel): 0 to 100 by 0.1 unless told. */
export function floatSlider(options: SliderOptions = {}): ValueWidget<number> {
  return new ValueWidget<number>('FloatSliderModel', options, sliderState(options, true, clampDefault(options, 0)));
}

/**
 * A slider, integer when every number given (value, min, max, step) is an integer, float otherwise:
 * `slider({ min: 0, max: 1, step: 0.01, value: 0.2 })`.
 */
export function slider(options: SliderOptions = {}): ValueWidget<number> {
  const numbers = [options.value, options.min, options.max, options.step].filter((x): x is number => x !== undefined);
  return numbers.every(Number.isInteger) ? intSlider(options) : floatSlider(options);
}

export interface RangeSliderOptions extends Omit<SliderOptions, 'value'> {
  value?: [number, number];
}

/** An integer range slider: two handles, value `[low, high]`. */
export function intRangeSlider(options: RangeSliderOptions = {}): ValueWidget<[number, number]> {
  return new ValueWidget<[number, number]>('IntRangeSliderModel', options, sliderState(options as SliderOptions, false, options.value ?? [25, 75]));
}

/** A float range slider: two handles, value `[low, high]`. */
export function floatRangeSlider(options: RangeSliderOptions = {}): ValueWidget<[number, number]> {
  return new ValueWidget<[number, number]>('FloatRangeSliderModel', options, sliderState(options as SliderOptions, true, options.value ?? [25, 75]));
}

/** A range slider, integer when every number given is an integer. */
export function rangeSlider(options: RangeSliderOptions = {}): ValueWidget<[number, number]> {
  const numbers = [...(options.value ?? []), options.min, options.max, options.step].filter((x): x is number => x !== undefined);
  return numbers.every(Number.isInteger) ? intRangeSlider(options) : floatRangeSlider(options);
}

/** Options of a choice: values (shown as their text) or `[label, value]` pairs. */
export type Choices<T> = ReadonlyArray<T | readonly [string, T]>;

export interface SelectionOptions<T> extends ControlOptions {
  options: Choices<T>;
  /** The chosen value (the first option unless told). */
  value?: T;
}

/**
 * A choice among options (Dropdown, ToggleButtons). The frontend knows labels and an index; the
 * values stay here, so any value (a function, a tensor) can be an option.
 */
export class SelectionWidget<T> extends DOMWidget {
  private readonly choices: Array<readonly [string, T]>;

  constructor(model: ModelName, options: SelectionOptions<T>, extra: Record<string, unknown> = {}) {
    const choices = options.options.map((o) => (Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' ? (o as readonly [string, T]) : [String(o), o as T] as const));
    const index = options.value === undefined ? (choices.length ? 0 : null) : choices.findIndex(([, v]) => v === options.value);
    if (index === -1) throw new Error(`The value ${String(options.value)} is not one of the options (${choices.map(([l]) => l).join(', ')}): pass one of them as value.`);
    super(model, options, { ...extra, _options_labels: choices.map(([label]) => label), index });
    this.choices = choices;
  }
  get index(): number | null { return this.get('index') as number | null; }
  get value(): T | undefined { const i = this.index; return i === null ? undefined : this.choices[i]?.[1]; }
  set value(v: T | undefined) {
    const i = this.choices.findIndex(([, c]) => c === v);
    if (i === -1) throw new Error(`${String(v)} is not one of the options (${this.choices.map(([l]) => l).join(', ')}).`);
    this.set({ index: i });
  }
  get label(): string | undefined { const i = this.index; return i === null ? undefined : this.choices[i]?.[0]; }
  /** `"value"` and `"label"` follow the frontend's `index`. */
  override observe(name: 'value', callback: (change: Change<T | undefined>) => void | Promise<void>): () => void;
  override observe(name: string, callback: (change: Change) => void | Promise<void>): () => void;
  override observe(name: string, callback: (change: Change<T | undefined>) => void | Promise<void>): () => void {
    const cb = callback as (change: Change) => void | Promise<void>;
    if (name !== 'value' && name !== 'label') return super.observe(name, cb);
    const at = (i: unknown): unknown => (typeof i === 'number' ? this.choices[i]?.[name === 'value' ? 1 : 0] : undefined);
    return super.observe('index', (c) => cb({ name, old: at(c.old), new: at(c.new), owner: this }));
  }
  onChange(callback: (value: T | undefined, change: Change<T | undefined>) => void | Promise<void>): () => void {
    return this.observe('value', (c) => callback(c.new, c));
  }
  protected override describe(): string {
    return `${this.modelName.replace(/Model$/, '')}(value=${JSON.stringify(this.label ?? null)})`;
  }
}

export function dropdown<T>(options: SelectionOptions<T>): SelectionWidget<T> {
  return new SelectionWidget<T>('DropdownModel', options);
}

export interface ToggleButtonsOptions<T> extends SelectionOptions<T> {
  tooltips?: string[];
  buttonStyle?: ButtonStyle;
}

export function toggleButtons<T>(options: ToggleButtonsOptions<T>): SelectionWidget<T> {
  const extra: Record<string, unknown> = {};
  if (options.tooltips) extra.tooltips = options.tooltips;
  if (options.buttonStyle) extra.button_style = options.buttonStyle;
  return new SelectionWidget<T>('ToggleButtonsModel', options, extra);
}

export interface CheckboxOptions extends ControlOptions {
  value?: boolean;
  /** Indent to line up with labelled controls (ipywidgets' default: true). */
  indent?: boolean;
}

export function checkbox(options: CheckboxOptions = {}): ValueWidget<boolean> {
  const state: Record<string, unknown> = { value: options.value ?? false };
  if (options.indent !== undefined) state.indent = options.indent;
  return new ValueWidget<boolean>('CheckboxModel', options, state);
}

export interface TextOptions extends ControlOptions {
  value?: string;
  placeholder?: string;
  continuousUpdate?: boolean;
}

export function text(options: TextOptions = {}): ValueWidget<string> {
  const state: Record<string, unknown> = { value: options.value ?? '' };
  if (options.placeholder !== undefined) state.placeholder = options.placeholder;
  if (options.continuousUpdate !== undefined) state.continuous_update = options.continuousUpdate;
  return new ValueWidget<string>('TextModel', options, state);
}

export type ButtonStyle = '' | 'primary' | 'success' | 'info' | 'warning' | 'danger';

export interface ButtonOptions extends ControlOptions {
  /** A Font Awesome icon name: "check", "play". */
  icon?: string;
  buttonStyle?: ButtonStyle;
  /** Called on every click (see {@link Button.onClick}). */
  onClick?: (button: Button) => void | Promise<void>;
}

export class Button extends DOMWidget {
  constructor(options: ButtonOptions = {}) {
    const state: Record<string, unknown> = {};
    if (options.icon !== undefined) state.icon = options.icon;
    if (options.buttonStyle !== undefined) state.button_style = options.buttonStyle;
    super('ButtonModel', options, state);
    if (options.onClick) this.onClick(options.onClick);
  }
  /**
   * Calls `callback` on every click. What it prints goes to JupyterLab's log console unless it
   * runs inside an output widget's `capture`; give it one to see it under the cell.
   */
  onClick(callback: (button: Button) => void | Promise<void>): () => void {
    return this.onCustom((content) => {
      if ((content as { event?: string } | null)?.event === 'click') return callback(this);
    });
  }
  /** Clicks it from code, as the frontend does. */
  click(): Promise<void> {
    return this.dispatchCustom({ event: 'click' }, []);
  }
  protected override describe(): string {
    return `Button(description=${JSON.stringify(this.description)})`;
  }
}

export function button(options: ButtonOptions = {}): Button {
  return new Button(options);
}

export interface PlayOptions extends ControlOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Milliseconds between steps. */
  interval?: number;
  repeat?: boolean;
}

/** A play button that steps its value from min to max; jslink it to a slider. */
export function play(options: PlayOptions = {}): ValueWidget<number> {
  const state: Record<string, unknown> = { value: options.value ?? options.min ?? 0 };
  for (const key of ['min', 'max', 'step', 'interval', 'repeat'] as const) if (options[key] !== undefined) state[key] = options[key];
  return new ValueWidget<number>('PlayModel', options, state);
}

export interface ProgressOptions extends ControlOptions {
  value?: number;
  min?: number;
  max?: number;
  barStyle?: '' | 'success' | 'info' | 'warning' | 'danger';
  orientation?: 'horizontal' | 'vertical';
}

/** A progress bar (FloatProgressModel; IntProgressModel when every number given is an integer). */
export function progress(options: ProgressOptions = {}): ValueWidget<number> {
  const numbers = [options.value, options.min, options.max].filter((x): x is number => x !== undefined);
  const state: Record<string, unknown> = { value: options.value ?? options.min ?? 0 };
  if (options.min !== undefined) state.min = options.min;
  if (options.max !== undefined) state.max = options.max;
  if (options.barStyle !== undefined) state.bar_style = options.barStyle;
  if (options.orientation) state.orientation = options.orientation;
  return new ValueWidget<number>(numbers.every(Number.isInteger) ? 'IntProgressModel' : 'FloatProgressModel', options, state);
}

/** Plain text (LabelModel). */
export function label(value = '', options: ControlOptions = {}): ValueWidget<string> {
  return new ValueWidget<string>('LabelModel', options, { value });
}

/** HTML (HTMLModel), rendered by the frontend. */
export function html(value = '', options: ControlOptions = {}): ValueWidget<string> {
  return new ValueWidget<string>('HTMLModel', options, { value });
}

/** A row or column of widgets (HBoxModel, VBoxModel). */
export class Box extends DOMWidget {
  get children(): Widget[] { return this.get('children') as Widget[]; }
  set children(children: Widget[]) { this.set({ children }); }
  /** The first child's static form: an interact's figure, for viewers without widgets. */
  override staticBundle(): Record<string, unknown> {
    for (const child of this.children) {
      const bundle = child.staticBundle();
      if (Object.keys(bundle).length) return bundle;
    }
    return {};
  }
  protected override describe(): string {
    return `${this.modelName.replace(/Model$/, '')}(${this.children.length} children)`;
  }
}

export interface BoxOptions extends ControlOptions {
  boxStyle?: '' | 'success' | 'info' | 'warning' | 'danger';
}

export function hbox(children: Widget[], options: BoxOptions = {}): Box {
  return new Box('HBoxModel', options, { children, ...(options.boxStyle ? { box_style: options.boxStyle } : {}) });
}

export function vbox(children: Widget[], options: BoxOptions = {}): Box {
  return new Box('VBoxModel', options, { children, ...(options.boxStyle ? { box_style: options.boxStyle } : {}) });
}

/** Tabs or an accordion: children with titles, one shown (or open) at a time. */
export class SelectionContainer extends Box {
  get selectedIndex(): number | null { return this.get('selected_index') as number | null; }
  set selectedIndex(i: number | null) { this.set({ selected_index: i }); }
  get titles(): string[] { return this.get('titles') as string[]; }
  set titles(titles: string[]) { this.set({ titles }); }
}

export interface ContainerOptions extends BoxOptions {
  /** One title per child (the children's order). */
  titles?: string[];
  selectedIndex?: number | null;
}

function containerState(children: Widget[], options: ContainerOptions, firstOpen: boolean): Record<string, unknown> {
  return {
    children,
    titles: options.titles ?? children.map((_, i) => String(i)),
    selected_index: options.selectedIndex !== undefined ? options.selectedIndex : firstOpen && children.length ? 0 : null,
  };
}

export function tab(children: Widget[], options: ContainerOptions = {}): SelectionContainer {
  return new SelectionContainer('TabModel', options, containerState(children, options, true));
}

export function accordion(children: Widget[], options: ContainerOptions = {}): SelectionContainer {
  return new SelectionContainer('AccordionModel', options, containerState(children, options, false));
}

/**
 * Keeps `target[targetName]` equal to `source[sourceName]` in the browser, with no round trip to
 * the kernel (LinkModel); `bidirectional: false` links one way (DirectionalLinkModel).
 */
export function jslink(source: Widget, sourceName: string, target: Widget, targetName: string, options: { bidirectional?: boolean } = {}): Widget {
  return new Widget(options.bidirectional === false ? 'DirectionalLinkModel' : 'LinkModel', { source: [source, sourceName], target: [target, targetName] });
}

/**
 * Keeps two widgets' values equal through the kernel (both ways; `bidirectional: false` one way),
 * optionally through `transform` (source to target) and `inverse`. Returns a function that unlinks.
 */
export function link(source: Widget, sourceName: string, target: Widget, targetName: string,
  options: { bidirectional?: boolean; transform?: (v: never) => unknown; inverse?: (v: never) => unknown } = {}): () => void {
  const forward = options.transform ?? ((v: unknown) => v);
  const backward = options.inverse ?? ((v: unknown) => v);
  let busy = false;
  const sync = (to: Widget, name: string, f: (v: never) => unknown) => (c: Change): void => {
    if (busy) return;
    busy = true;
    try { to.set({ [name]: f(c.new as never) }); } finally { busy = false; }
  };
  target.set({ [targetName]: forward(source.get(sourceName) as never) });
  const stops = [source.observe(sourceName, sync(target, targetName, forward))];
  if (options.bidirectional !== false) stops.push(target.observe(targetName, sync(source, sourceName, backward)));
  return () => stops.forEach((stop) => stop());
}
