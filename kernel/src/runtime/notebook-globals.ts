/**
 * The globals every notebook cell has, besides Node's: rich display and input. Their types are
 * given to the type checker from this file's declaration output; the runtime installs the values.
 */
import type { DisplayFunction, DisplayHandle } from '../../../display/src';

export interface InputOptions {
  /** Hide what is typed (the frontend shows a password field). */
  password?: boolean;
}

declare global {
  /**
   * Show a value's rich form as a new output: `display(tf.tensor([[1, 2], [3, 4]]))`.
   * `display.html("<b>hi</b>")`, `display.markdown("# Title")`, `display.png(bytes)`… show one
   * content type. Pass `{ displayId, update: true }` to replace an earlier output.
   */
  const display: DisplayFunction;
  /** A handle whose every call replaces the same output (live progress, animations). */
  function newDisplay(): DisplayHandle;
  /** Clear this cell's output; with `wait`, only when new output arrives. */
  function clearOutput(wait?: boolean): void;
  /**
   * Ask the user for a line of text through the notebook: `const name = await input("Name? ")`.
   * `await input("Password: ", { password: true })` hides what is typed.
   */
  function input(prompt?: string, options?: InputOptions): Promise<string>;
}
