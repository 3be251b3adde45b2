/**
 * `interact(fn, controls)`: controls above an output that shows `fn`'s result (a plot, a table,
 * anything displayable) and redraws it whenever a control moves.
 */
import { Box, ControlOptions, DOMWidget, SelectionWidget, ValueWidget } from './controls';
import { Output } from './output';

/** A control whose value interact passes on. */
export type Control = ValueWidget<unknown> | SelectionWidget<unknown>;
/** The value type of a control. */
export type ValueOf<C> = C extends ValueWidget<infer T> ? T : C extends SelectionWidget<infer T> ? T | undefined : never;
export type Values<C extends Record<string, Control>> = { [K in keyof C]: ValueOf<C[K]> };

export interface InteractOptions extends ControlOptions {
  /** Run `fn` only when this button is clicked, not on every change (slow functions). */
  manualButton?: DOMWidget & { onClick(cb: () => void | Promise<void>): () => void };
}

/** What `interact` returns: a VBox (show it by ending the cell with it) with its parts. */
export class Interactive<C extends Record<string, Control>> extends Box {
  /** The output `fn`'s result is drawn in. */
  readonly output: Output;

  constructor(private readonly fn: (values: Values<C>) => unknown, readonly controls: C, options: InteractOptions = {}) {
    const output = new Output();
    const children: DOMWidget[] = [...Object.values(controls), ...(options.manualButton ? [options.manualButton] : []), output];
    super('VBoxModel', options, { children, _dom_classes: ['widget-interact'] });
    this.output = output;
    for (const [name, control] of Object.entries(controls)) if (!control.description) control.description = name;
    if (options.manualButton) options.manualButton.onClick(() => this.update());
    else for (const control of Object.values(controls)) control.observe('value', () => this.update());
    // The first drawing is synchronous for a synchronous fn: the figure is there when the cell
    // shows the widget, for the static fallback.
    void this.update();
  }

  /** The controls' current values. */
  get values(): Values<C> {
    return Object.fromEntries(Object.entries(this.controls).map(([k, c]) => [k, c.value])) as Values<C>;
  }

  /** Runs `fn` with the current values and replaces the output with its result. */
  update(): Promise<void> {
    const draw = (): void | Promise<void> => {
      this.output.clear(true);
      const result = this.output.run(() => {
        const r = this.fn(this.values);
        return r instanceof Promise ? r.then((v) => this.show(v)) : this.show(r);
      });
      return result instanceof Promise ? result.then(() => undefined) : undefined;
    };
    const drawn = draw();
    return drawn instanceof Promise ? drawn : Promise.resolve();
  }

  /** What a viewer that draws neither widgets nor the figure shows (an untrusted notebook). */
  protected override describe(): string {
    const values = Object.entries(this.controls).map(([k, c]) => `${k}=${JSON.stringify(c instanceof SelectionWidget ? c.label : c.value)}`);
    return `interact(${values.join(', ')}): run the cell to use its controls`;
  }

  private show(value: unknown): void {
    if (value !== undefined) this.output.display(value);
  }
}

/**
 * Controls for `fn`'s parameters and an output that shows its result, redrawn when a control
 * moves: `interact(({ a }) => tsdl.line(...), { a: slider({ min: 0, max: 2, step: 0.1 }) })`.
 * A control without a description is labelled with its key. Show the result by ending the cell
 * with it (or `display(...)`).
 */
export function interact<C extends Record<string, Control>>(fn: (values: Values<C>) => unknown, controls: C, options: InteractOptions = {}): Interactive<C> {
  return new Interactive(fn, controls, options);
}
