/**
 * The widget protocol as the frontend sees it: the comm messages tsdl/widgets sends for a new
 * slider, a change, a frontend update (echo, observers), buffers, the control comm's
 * request_states, a button's click and an interact redraw. A fake comm host stands in for the
 * runtime's (kernel/src/runtime/comms.ts), recording what would go to the kernel.
 */
import { DISPLAY_SYMBOL, MimeBundle } from '../../../display/src';
import { COMM_HOST_KEY, CommHandlers, CommHost, CommOpen } from '../../../display/src/comm';
import { MODEL_DEFAULTS } from './defaults';
import { button, dropdown, interact, jslink, link, output, putBuffers, removeBuffers, slider, VIEW_MIME, Widget } from './index';

interface Sent { type: 'open' | 'msg' | 'close'; commId: string; target?: string; data: Record<string, unknown>; metadata: Record<string, unknown>; buffers: Uint8Array[] }

class FakeHost implements CommHost {
  sent: Sent[] = [];
  handlers = new Map<string, CommHandlers>();
  targets = new Map<string, (open: CommOpen) => CommHandlers | undefined | Promise<CommHandlers | undefined>>();
  open(target: string, commId: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[], handlers: CommHandlers): void {
    this.handlers.set(commId, handlers);
    this.sent.push({ type: 'open', commId, target, data, metadata, buffers });
  }
  send(commId: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[]): void {
    this.sent.push({ type: 'msg', commId, data, metadata, buffers });
  }
  close(commId: string): void {
    this.sent.push({ type: 'close', commId, data: {}, metadata: {}, buffers: [] });
  }
  registerTarget(name: string, onOpen: (open: CommOpen) => CommHandlers | undefined): void {
    this.targets.set(name, onOpen);
  }
  formatError(e: unknown): { ename: string; evalue: string; traceback: string[] } {
    return { ename: 'Error', evalue: (e as Error).message, traceback: ['formatted'] };
  }
  /** What the frontend would send on a widget's comm. */
  fromFrontend(commId: string, data: Record<string, unknown>, buffers: Uint8Array[] = []): Promise<void> {
    return Promise.resolve(this.handlers.get(commId)!.onMessage!({ commId, data, metadata: { version: '2.1.0' }, buffers }));
  }
  messagesTo(w: Widget): Sent[] {
    return this.sent.filter((s) => s.commId === w.id && s.type === 'msg');
  }
}

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
  (globalThis as Record<symbol, unknown>)[COMM_HOST_KEY] = host;
  // The registry is per runtime: a fresh one per test, registering the control target again.
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('tsdl.widgets.registry')];
});
afterAll(() => {
  delete (globalThis as Record<symbol, unknown>)[COMM_HOST_KEY];
});

const stateOf = (s: Sent): Record<string, unknown> => s.data.state as Record<string, unknown>;

describe('a new slider', () => {
  test('opens its layout, its style and itself, each with ipywidgets 8’s full state, references first', () => {
    const a = slider({ min: 0, max: 10, value: 3, description: 'a' });
    const opens = host.sent.filter((s) => s.type === 'open');
    expect(opens.map((o) => stateOf(o)._model_name)).toEqual(['LayoutModel', 'SliderStyleModel', 'IntSliderModel']);
    expect(opens.every((o) => o.target === 'jupyter.widget' && o.metadata.version === '2.1.0')).toBe(true);
    const state = stateOf(opens[2]);
    // Every key ipywidgets sends, none missing (JupyterLab fills gaps with its own defaults).
    expect(Object.keys(state).sort()).toEqual(Object.keys(MODEL_DEFAULTS.IntSliderModel).sort());
    expect(state).toMatchObject({
      _model_module: '@jupyter-widgets/controls', _model_module_version: '2.0.0', _view_name: 'IntSliderView',
      value: 3, min: 0, max: 10, description: 'a', layout: `IPY_MODEL_${opens[0].commId}`, style: `IPY_MODEL_${opens[1].commId}`,
    });
    expect(opens[2].commId).toBe(a.id);
  });

  test('shows as a widget view of protocol version 2.0, with a text form for other viewers', () => {
    const a = slider({ value: 0.5, max: 1 });
    const bundle = (a as unknown as { [DISPLAY_SYMBOL](): MimeBundle })[DISPLAY_SYMBOL]();
    expect(bundle[VIEW_MIME]).toEqual({ model_id: a.id, version_major: 2, version_minor: 0 });
    expect(bundle['text/plain']).toBe('FloatSlider(value=0.5)');
  });
});

describe('state sync', () => {
  test('a change in the kernel sends only that key as an update and calls observers', () => {
    const a = slider({ max: 10, value: 3 });
    const seen: Array<[unknown, unknown]> = [];
    a.observe('value', (c) => { seen.push([c.old, c.new]); });
    a.value = 7;
    a.value = 7; // unchanged: nothing sent
    expect(host.messagesTo(a).map((m) => m.data)).toEqual([{ method: 'update', state: { value: 7 }, buffer_paths: [] }]);
    expect(seen).toEqual([[3, 7]]);
  });

  test('an update from the frontend is echoed first, then observers run, and nothing is sent back as an update', async () => {
    const a = slider({ max: 10, value: 3 });
    const order: string[] = [];
    a.observe('value', (c) => { order.push(`observer ${c.old}->${c.new} (${host.messagesTo(a).length} sent)`); });
    await host.fromFrontend(a.id, { method: 'update', state: { value: 9 }, buffer_paths: [] });
    expect(a.value).toBe(9);
    expect(host.messagesTo(a).map((m) => m.data)).toEqual([{ method: 'echo_update', state: { value: 9 }, buffer_paths: [] }]);
    expect(order).toEqual(['observer 3->9 (1 sent)']);
  });

  test('an async observer holds the message until it is done (the kernel stays busy meanwhile)', async () => {
    const a = slider({ max: 10 });
    let done = false;
    a.observe('value', async () => { await new Promise((r) => setTimeout(r, 20)); done = true; });
    await host.fromFrontend(a.id, { method: 'update', state: { value: 1 } });
    expect(done).toBe(true);
  });

  test('an observer that throws fails the message (the runtime shows the error) after the other observers ran', async () => {
    const a = slider({ max: 10 });
    let other = false;
    a.observe('value', () => { throw new Error('broken callback'); });
    a.observe('value', () => { other = true; });
    await expect(host.fromFrontend(a.id, { method: 'update', state: { value: 4 } })).rejects.toThrow('broken callback');
    expect(other).toBe(true);
  });

  test('custom messages go both ways, with their buffers', async () => {
    const w = new Widget('LabelModel', { value: '' });
    const got: unknown[] = [];
    w.onCustom((content, buffers) => { got.push([content, buffers.length]); });
    await host.fromFrontend(w.id, { method: 'custom', content: { ping: 1 } }, [new Uint8Array([1])]);
    w.send({ pong: 2 }, [new Uint8Array([2, 3])]);
    expect(got).toEqual([[{ ping: 1 }, 1]]);
    const [sent] = host.messagesTo(w);
    expect(sent.data).toEqual({ method: 'custom', content: { pong: 2 } });
    expect(sent.buffers).toEqual([new Uint8Array([2, 3])]);
  });

  test('request_state answers with the whole state', async () => {
    const a = slider({ max: 10, value: 2 });
    await host.fromFrontend(a.id, { method: 'request_state' });
    const [reply] = host.messagesTo(a);
    expect(reply.data.method).toBe('update');
    expect(stateOf(reply)).toMatchObject({ _model_name: 'IntSliderModel', value: 2, max: 10 });
  });

  test('a dropdown keeps values in the kernel: the frontend’s index maps back to the value', async () => {
    const relu = (x: number): number => Math.max(0, x);
    const tanh = Math.tanh;
    const d = dropdown({ options: [['ReLU', relu], ['tanh', tanh]] as const, description: 'f' });
    expect(stateOf(host.sent.find((s) => s.commId === d.id)!)).toMatchObject({ _options_labels: ['ReLU', 'tanh'], index: 0 });
    const picked: unknown[] = [];
    d.observe('value', (c) => { picked.push(c.new); });
    await host.fromFrontend(d.id, { method: 'update', state: { index: 1 } });
    expect(d.value).toBe(tanh);
    expect(picked).toEqual([tanh]);
    expect(() => { d.value = Math.sin; }).toThrow('is not one of the options (ReLU, tanh)');
  });
});

describe('buffers', () => {
  test('binary values leave the state with their paths and come back to the same places', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const more = new Uint8Array([4]);
    const state = { plain: [0, 'text'], x: { ar: bytes }, y: [more, 5] };
    const { state: json, bufferPaths, buffers } = removeBuffers(state);
    expect(json).toEqual({ plain: [0, 'text'], x: {}, y: [null, 5] });
    expect(bufferPaths).toEqual([['x', 'ar'], ['y', 0]]);
    expect(buffers).toEqual([bytes, more]);
    // The input is left as it was.
    expect(state.x.ar).toBe(bytes);
    putBuffers(json, bufferPaths, buffers);
    expect(json).toEqual(state);
  });

  test('a binary value set in the kernel goes as a buffer; one from the frontend is put back into the state', async () => {
    const w = new Widget('LabelModel', { value: '' });
    w.set({ value: new Uint8Array([9, 8]) });
    const [update] = host.messagesTo(w);
    expect(update.data).toEqual({ method: 'update', state: {}, buffer_paths: [['value']] });
    expect(update.buffers).toEqual([new Uint8Array([9, 8])]);
    await host.fromFrontend(w.id, { method: 'update', state: {}, buffer_paths: [['value']] }, [new Uint8Array([7])]);
    expect(w.get('value')).toEqual(new Uint8Array([7]));
  });
});

describe('the control comm (a page reload)', () => {
  test('request_states answers with every model’s state', async () => {
    const a = slider({ value: 4, max: 10 });
    const onOpen = host.targets.get('jupyter.widget.control')!;
    const handlers = (await onOpen({ commId: 'ctl', targetName: 'jupyter.widget.control', data: {}, metadata: { version: '1.0.0' }, buffers: [] }))!;
    await handlers.onMessage!({ commId: 'ctl', data: { method: 'request_states' }, metadata: {}, buffers: [] });
    const reply = host.sent.find((s) => s.commId === 'ctl')!;
    expect(reply.data.method).toBe('update_states');
    const states = reply.data.states as Record<string, { model_name: string; state: Record<string, unknown> }>;
    expect(Object.values(states).map((s) => s.model_name)).toEqual(['LayoutModel', 'SliderStyleModel', 'IntSliderModel']);
    expect(states[a.id].state.value).toBe(4);
  });

  test('a model whose comm the frontend closed (a page unloading) is still offered to the reloaded page', async () => {
    const a = slider({ value: 5, max: 10 });
    expect(host.handlers.get(a.id)?.keepOnFrontendClose).toBe(true);
    await host.handlers.get(a.id)!.onClose?.({ commId: a.id, data: {}, metadata: {}, buffers: [] });
    const onOpen = host.targets.get('jupyter.widget.control')!;
    const handlers = (await onOpen({ commId: 'ctl', targetName: 'jupyter.widget.control', data: {}, metadata: { version: '1.0.0' }, buffers: [] }))!;
    await handlers.onMessage!({ commId: 'ctl', data: { method: 'request_states' }, metadata: {}, buffers: [] });
    const states = host.sent.find((s) => s.commId === 'ctl')!.data.states as Record<string, unknown>;
    expect(Object.keys(states)).toContain(a.id);
  });

  test('a control comm of another major version is refused', async () => {
    slider();
    const onOpen = host.targets.get('jupyter.widget.control')!;
    expect(await onOpen({ commId: 'c', targetName: 'jupyter.widget.control', data: {}, metadata: { version: '2.0.0' }, buffers: [] })).toBeUndefined();
  });
});

describe('callbacks', () => {
  test('a click runs onClick; captured prints become the output widget’s outputs', async () => {
    const out = output();
    let clicks = 0;
    const b = button({ description: 'go', onClick: out.capture(() => { process.stdout.write(`clicked ${++clicks}\n`); }) });
    await host.fromFrontend(b.id, { method: 'custom', content: { event: 'click' } });
    await host.fromFrontend(b.id, { method: 'custom', content: { event: 'click' } });
    expect(out.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'clicked 1\nclicked 2\n' }]);
    expect(stateOf(host.messagesTo(out).at(-1)!).outputs).toEqual(out.outputs);
  });

  test('an exception inside capture is shown in the output, formatted by the runtime, not raised', async () => {
    const out = output();
    const b = button({ onClick: out.capture(() => { throw new Error('boom'); }) });
    await expect(host.fromFrontend(b.id, { method: 'custom', content: { event: 'click' } })).resolves.toBeUndefined();
    expect(out.outputs).toEqual([{ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['formatted'] }]);
  });

  test('interact draws once, then redraws in one update per change with the new value', async () => {
    const a = slider({ max: 10, value: 2 });
    const view = interact(({ a: v }) => ({ [DISPLAY_SYMBOL]: () => ({ 'image/svg+xml': `<svg>${v}</svg>`, 'text/plain': `a=${v}` }) }), { a });
    expect(a.description).toBe('a');
    expect(view.output.outputs).toEqual([{ output_type: 'display_data', data: { 'image/svg+xml': '<svg>2</svg>', 'text/plain': 'a=2' }, metadata: {} }]);
    // Viewers without widgets see the first drawing.
    expect((view as unknown as { [DISPLAY_SYMBOL](): MimeBundle })[DISPLAY_SYMBOL]()['image/svg+xml']).toBe('<svg>2</svg>');
    const before = host.messagesTo(view.output).length;
    await host.fromFrontend(a.id, { method: 'update', state: { value: 5 } });
    const updates = host.messagesTo(view.output).slice(before);
    expect(updates).toHaveLength(1);
    expect(stateOf(updates[0]).outputs).toEqual([{ output_type: 'display_data', data: { 'image/svg+xml': '<svg>5</svg>', 'text/plain': 'a=5' }, metadata: {} }]);
  });
});

describe('links', () => {
  test('jslink opens a LinkModel between the two values; jslink one way a DirectionalLinkModel', () => {
    const a = slider({ max: 10 });
    const b = slider({ max: 10 });
    const l = jslink(a, 'value', b, 'value');
    expect(stateOf(host.sent.find((s) => s.commId === l.id)!)).toMatchObject({
      _model_name: 'LinkModel', source: [`IPY_MODEL_${a.id}`, 'value'], target: [`IPY_MODEL_${b.id}`, 'value'],
    });
    expect(jslink(a, 'value', b, 'value', { bidirectional: false }).modelName).toBe('DirectionalLinkModel');
  });

  test('link keeps two values equal through the kernel, both ways, until unlinked', async () => {
    const a = slider({ max: 10, value: 3 });
    const pct = slider({ max: 100, value: 0 });
    const unlink = link(a, 'value', pct, 'value', { transform: (v: number) => v * 10, inverse: (v: number) => v / 10 });
    expect(pct.value).toBe(30);
    await host.fromFrontend(a.id, { method: 'update', state: { value: 5 } });
    expect(pct.value).toBe(50);
    pct.value = 70;
    expect(a.value).toBe(7);
    unlink();
    a.value = 1;
    expect(pct.value).toBe(70);
  });
});

describe('interact with a button', () => {
  test('redraws only when the button is clicked, with the values at that moment', async () => {
    const a = slider({ max: 10, value: 1 });
    const go = button({ description: 'Run' });
    let calls = 0;
    const view = interact(({ a: v }) => { calls++; return `a=${v}`; }, { a }, { manualButton: go });
    expect(view.children).toContain(go);
    await host.fromFrontend(a.id, { method: 'update', state: { value: 4 } });
    expect(calls).toBe(1);
    await go.click();
    expect(calls).toBe(2);
    expect(view.output.outputs).toEqual([{ output_type: 'display_data', data: { 'text/plain': "'a=4'" }, metadata: {} }]);
  });
});
