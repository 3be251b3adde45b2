/**
 * The widget model on the kernel side: its state, kept in sync with JupyterLab's copy over a
 * `jupyter.widget` comm, and observers called when a value changes on either side.
 *
 * Every model lives in one registry per runtime (a global symbol, so two copies of this module
 * would still share it): the frontend's `jupyter.widget.control` comm asks for all of them when a
 * page reloads, and `tsdl run` saves them into the notebook's metadata.
 */
import { randomUUID } from 'node:crypto';
import { DISPLAY_SYMBOL, MimeBundle } from '../../../display/src';
import { commHost, CommHost, CommMessage } from '../../../display/src/comm';
import { MODEL_DEFAULTS, ModelName } from './defaults';
import {
  BufferPath, CONTROL_PROTOCOL_VERSION, CONTROL_TARGET, FrontendMessage, MODEL_REF_PREFIX, PROTOCOL_VERSION, putBuffers,
  removeBuffers, STATE_MIME, VIEW_MIME, VIEW_VERSION, WIDGET_TARGET,
} from './protocol';

/** A change of one state key, as observers receive it. */
export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
}

type Observer = (change: Change) => void | Promise<void>;

interface Registry {
  models: Map<string, Widget>;
  controlRegistered: boolean;
}

const REGISTRY_KEY = Symbol.for('tsdl.widgets.registry');

function registry(): Registry {
  const g = globalThis as { [REGISTRY_KEY]?: Registry };
  g[REGISTRY_KEY] ??= { models: new Map(), controlRegistered: false };
  return g[REGISTRY_KEY];
}

/** Every live model, in creation order. */
export function allWidgets(): Widget[] {
  return [...registry().models.values()];
}

/** State as sent: widgets become `IPY_MODEL_` references, tuples plain arrays. */
function toJson(value: unknown): unknown {
  if (value instanceof Widget) return MODEL_REF_PREFIX + value.id;
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Uint8Array || value instanceof ArrayBuffer || value instanceof DataView) return value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

/** State as received: known `IPY_MODEL_` references become the widgets again. */
function fromJson(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(MODEL_REF_PREFIX)) {
    return registry().models.get(value.slice(MODEL_REF_PREFIX.length)) ?? value;
  }
  if (Array.isArray(value)) return value.map(fromJson);
  return value;
}

/**
 * A widget model. Subclasses give typed accessors; `get`/`set`/`observe` work on any state key
 * (see ipywidgets' docs/jupyterwidgetmodels for each model's keys).
 */
export class Widget {
  readonly id: string;
  readonly modelName: ModelName;
  private readonly state: Record<string, unknown>;
  private readonly observers = new Map<string, Set<Observer>>();
  private readonly customHandlers = new Set<(content: unknown, buffers: Uint8Array[]) => void | Promise<void>>();
  private closed = false;

  constructor(modelName: ModelName, state: Record<string, unknown> = {}) {
    this.id = randomUUID().replace(/-/g, '');
    this.modelName = modelName;
    this.state = { ...structuredClone(MODEL_DEFAULTS[modelName]), ...state };
    registry().models.set(this.id, this);
    ensureControlTarget();
    const host = commHost();
    if (host) {
      const { state: json, bufferPaths, buffers } = removeBuffers(this.jsonState());
      host.open(WIDGET_TARGET, this.id, { state: json, buffer_paths: bufferPaths }, { version: PROTOCOL_VERSION }, buffers, {
        onMessage: (msg) => this.handleMessage(msg, host),
        // Like ipywidgets, a model outlives the frontend's close of its comm: a reloaded page
        // asks for it again (request_states) and keeps using it.
        keepOnFrontendClose: true,
      });
    }
  }

  /** The full state as the frontend sees it (references as `IPY_MODEL_` strings, binary values kept). */
  jsonState(): Record<string, unknown> {
    return toJson(this.state) as Record<string, unknown>;
  }

  get(name: string): unknown {
    return this.state[name];
  }

  /**
   * Changes state keys: sends the changed ones to the frontend and calls their observers, as a
   * change made in the frontend does.
   */
  set(changes: Record<string, unknown>): void {
    const changed = Object.entries(changes).filter(([k, v]) => !sameValue(this.state[k], v));
    if (!changed.length) return;
    const old = changed.map(([k]) => [k, this.state[k]] as const);
    for (const [k, v] of changed) this.state[k] = v;
    this.sendState(Object.fromEntries(changed));
    this.notify(old);
  }

  /**
   * Calls `callback` with `{ name, old, new, owner }` whenever `name` changes, in the kernel or in
   * the frontend (a dragged slider). Returns a function that stops observing. Callbacks run in the
   * runtime while the kernel is idle; a slow one keeps the kernel busy (Interrupt stops it).
   */
  observe(name: string, callback: (change: Change) => void | Promise<void>): () => void {
    const set = this.observers.get(name) ?? new Set<Observer>();
    this.observers.set(name, set);
    set.add(callback);
    return () => set.delete(callback);
  }

  /** Handles custom messages from the frontend (a button's click is one). */
  onCustom(handler: (content: unknown, buffers: Uint8Array[]) => void | Promise<void>): () => void {
    this.customHandlers.add(handler);
    return () => this.customHandlers.delete(handler);
  }

  /** Sends a custom message to the frontend model. */
  send(content: unknown, buffers: Uint8Array[] = []): void {
    commHost()?.send(this.id, { method: 'custom', content: toJson(content) }, { version: PROTOCOL_VERSION }, buffers);
  }

  /** Closes the comm: the frontend removes every view of this widget. */
  close(): void {
    if (this.closed) return;
    commHost()?.close(this.id);
    this.forget();
  }

  private forget(): void {
    this.closed = true;
    registry().models.delete(this.id);
  }

  /** The text a viewer without widget support shows (and `text/plain`). */
  protected describe(): string {
    const value = this.state.value;
    return `${this.modelName.replace(/Model$/, '')}(${value === undefined ? '' : `value=${JSON.stringify(toJson(value))}`})`;
  }

  /** A static form for viewers without widgets (GitHub, nbviewer without state); none by default. */
  staticBundle(): MimeBundle {
    return {};
  }

  [DISPLAY_SYMBOL](): MimeBundle {
    return { ...this.staticBundle(), [VIEW_MIME]: { model_id: this.id, ...VIEW_VERSION }, 'text/plain': this.describe() };
  }

  private sendState(state: Record<string, unknown>, method: 'update' | 'echo_update' = 'update'): void {
    const host = commHost();
    if (!host || this.closed) return;
    const { state: json, bufferPaths, buffers } = removeBuffers(toJson(state) as Record<string, unknown>);
    host.send(this.id, { method, state: json, buffer_paths: bufferPaths }, { version: PROTOCOL_VERSION }, buffers);
  }

  private notify(old: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    // Every observer runs, in order; the first failure is raised after the rest ran (the runtime
    // shows it), so one broken callback does not silence the others.
    let failure: { error: unknown } | undefined;
    let chain: Promise<void> | undefined;
    for (const [name, before] of old) {
      for (const observer of [...(this.observers.get(name) ?? [])]) {
        const change: Change = { name, old: before, new: this.state[name], owner: this };
        const run = (): void | Promise<void> => {
          try {
            const r = observer(change);
            if (r instanceof Promise) return r.catch((error: unknown) => { failure ??= { error }; });
          } catch (error) {
            failure ??= { error };
          }
        };
        chain = chain ? chain.then(run) : (run() ?? undefined);
      }
    }
    const finish = (): void => { if (failure) throw failure.error; };
    if (chain) return chain.then(finish);
    finish();
    return Promise.resolve();
  }

  /** A comm message from the frontend; the returned promise settles when its callbacks are done. */
  async handleMessage(msg: CommMessage, host: CommHost): Promise<void> {
    const data = msg.data as FrontendMessage;
    if (data.method === 'update') {
      const state = data.state ?? {};
      putBuffers(state, (data.buffer_paths ?? []) as BufferPath[], msg.buffers);
      const known = Object.entries(state).filter(([k]) => k in this.state);
      if (!known.length) return;
      // ipywidgets 8 echoes what it accepted, so other frontends (a second tab) follow; the
      // sending frontend recognises its own echo by the parent message id.
      const echo = removeBuffers(Object.fromEntries(known));
      host.send(this.id, { method: 'echo_update', state: echo.state, buffer_paths: echo.bufferPaths }, { version: PROTOCOL_VERSION }, echo.buffers);
      const changed = known.filter(([k, v]) => !sameValue(this.state[k], fromJson(v)));
      const old = changed.map(([k]) => [k, this.state[k]] as const);
      for (const [k, v] of changed) this.state[k] = fromJson(v);
      await this.notify(old);
    } else if (data.method === 'request_state') {
      this.sendState(this.state);
    } else if (data.method === 'custom') {
      await this.dispatchCustom(data.content, msg.buffers);
    }
  }

  /** Runs the custom-message handlers, as a message from the frontend would. */
  protected async dispatchCustom(content: unknown, buffers: Uint8Array[]): Promise<void> {
    for (const handler of [...this.customHandlers]) await handler(content, buffers);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return false;
}

/** Every model's state, keyed by id, as the control comm and the notebook's metadata hold it. */
export function managerState(): { version_major: 2; version_minor: 0; state: Record<string, { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> }> } {
  const state: Record<string, { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> }> = {};
  for (const w of allWidgets()) {
    const s = w.jsonState();
    state[w.id] = { model_name: w.modelName, model_module: String(s._model_module), model_module_version: String(s._model_module_version), state: s };
  }
  return { ...VIEW_VERSION, state };
}

/**
 * The notebook metadata JupyterLab writes under `metadata.widgets` (binary values as base64, as
 * the saved-state schema asks), displayable so `tsdl run` can ask the runtime for it.
 */
export function savedState(): { [STATE_MIME]: unknown } & { [DISPLAY_SYMBOL](): MimeBundle } {
  const manager = managerState();
  for (const entry of Object.values(manager.state)) {
    const { state, bufferPaths, buffers } = removeBuffers(entry.state);
    entry.state = state;
    if (buffers.length) {
      (entry as Record<string, unknown>).buffers = bufferPaths.map((path, i) => ({ path, encoding: 'base64', data: Buffer.from(buffers[i]).toString('base64') }));
    }
  }
  return {
    [STATE_MIME]: manager,
    [DISPLAY_SYMBOL]: () => ({ [STATE_MIME]: manager, 'text/plain': `${Object.keys(manager.state).length} widget models` }),
  };
}

/**
 * Answers the frontend's `jupyter.widget.control` comm: on a page reload JupyterLab asks for every
 * model's state at once (`request_states`) and rebuilds the views from it.
 */
function ensureControlTarget(): void {
  const reg = registry();
  const host = commHost();
  if (!host || reg.controlRegistered) return;
  reg.controlRegistered = true;
  // Frontend-created widgets are not supported: the comm is refused (closed).
  host.registerTarget(WIDGET_TARGET, () => undefined);
  host.registerTarget(CONTROL_TARGET, (open) => {
    if (String(open.metadata.version ?? '').split('.')[0] !== CONTROL_PROTOCOL_VERSION.split('.')[0]) return undefined;
    return {
      onMessage: (msg) => {
        if ((msg.data as { method?: string }).method !== 'request_states') return;
        const states: Record<string, unknown> = {};
        for (const [id, entry] of Object.entries(managerState().state)) states[id] = entry;
        const { state, bufferPaths, buffers } = removeBuffers(states);
        host.send(open.commId, { method: 'update_states', states: state, buffer_paths: bufferPaths }, {}, buffers);
      },
    };
  });
}

/** The comm host, for subclasses that format errors (the Output widget). */
export function host(): CommHost | undefined {
  return commHost();
}
