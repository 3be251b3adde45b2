/**
 * The Jupyter widget message protocol, version 2 (ipywidgets 8, `@jupyter-widgets/base` 2.0):
 * the pieces that do not depend on any widget. See ipywidgets' packages/schema/messages.md.
 */

/** comm_open/comm_msg metadata.version for widget comms (ipywidgets 8.1's `__protocol_version__`). */
export const PROTOCOL_VERSION = '2.1.0';
/** metadata.version of the `jupyter.widget.control` comm (ipywidgets' `__control_protocol_version__`). */
export const CONTROL_PROTOCOL_VERSION = '1.0.0';
export const WIDGET_TARGET = 'jupyter.widget';
export const CONTROL_TARGET = 'jupyter.widget.control';
/** The display_data MIME type a widget view is shown with. */
export const VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
/** The notebook metadata key (under `metadata.widgets`) that saves every model's state. */
export const STATE_MIME = 'application/vnd.jupyter.widget-state+json';
export const VIEW_VERSION = { version_major: 2, version_minor: 0 } as const;
/** A model reference inside state: `"IPY_MODEL_" + model id`. */
export const MODEL_REF_PREFIX = 'IPY_MODEL_';

export type BufferPath = Array<string | number>;

const isBinary = (v: unknown): v is Uint8Array | ArrayBuffer | DataView =>
  v instanceof Uint8Array || v instanceof ArrayBuffer || v instanceof DataView;

function toBytes(v: Uint8Array | ArrayBuffer | DataView): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Takes binary values out of a state for the message's buffers: in a list they become null, in an
 * object the key is removed, and each one's path is listed (ipywidgets' `_remove_buffers`). Parts
 * with no binary value are shared with the input, which is never changed.
 */
export function removeBuffers(state: Record<string, unknown>): { state: Record<string, unknown>; bufferPaths: BufferPath[]; buffers: Uint8Array[] } {
  const bufferPaths: BufferPath[] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: unknown, path: BufferPath): unknown => {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((v, i) => {
        if (isBinary(v)) {
          copy ??= [...value];
          copy[i] = null;
          bufferPaths.push([...path, i]);
          buffers.push(toBytes(v));
        } else if (v !== null && typeof v === 'object') {
          const next = walk(v, [...path, i]);
          if (next !== v) { copy ??= [...value]; copy[i] = next; }
        }
      });
      return copy ?? value;
    }
    if (value !== null && typeof value === 'object') {
      let copy: Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(value)) {
        if (isBinary(v)) {
          copy ??= { ...(value as Record<string, unknown>) };
          delete copy[k];
          bufferPaths.push([...path, k]);
          buffers.push(toBytes(v));
        } else if (v !== null && typeof v === 'object') {
          const next = walk(v, [...path, k]);
          if (next !== v) { copy ??= { ...(value as Record<string, unknown>) }; copy[k] = next; }
        }
      }
      return copy ?? value;
    }
    return value;
  };
  return { state: walk(state, []) as Record<string, unknown>, bufferPaths, buffers };
}

/** Puts a message's buffers back at their paths, in place (ipywidgets' `_put_buffers`). */
export function putBuffers(state: Record<string, unknown>, bufferPaths: BufferPath[], buffers: Uint8Array[]): void {
  bufferPaths.forEach((path, i) => {
    if (!path.length || i >= buffers.length) return;
    let obj = state as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) obj = obj[key] as Record<string | number, unknown>;
    obj[path[path.length - 1]] = buffers[i];
  });
}

/** What the frontend sends on a widget comm (data of comm_msg). */
export type FrontendMessage =
  | { method: 'update'; state: Record<string, unknown>; buffer_paths?: BufferPath[] }
  | { method: 'request_state' }
  | { method: 'custom'; content: unknown };
