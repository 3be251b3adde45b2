import { backendReport, initBackend, tf } from '.';
import { findNativePackage, probeBackend } from './probe';
import { wantedWasmThreads } from './wasm-threads';

describe('initBackend', () => {
  test('picks WebAssembly here, silently: nothing on stderr, no tfjs banner', async () => {
    delete process.env.TSDL_BACKEND;
    const stderr = jest.spyOn(process.stderr, 'write');
    const warn = jest.spyOn(console, 'warn');
    const error = jest.spyOn(console, 'error');
    const log = jest.spyOn(console, 'log');
    expect(backendReport()).toBeNull();
    const report = await initBackend();
    tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync()); // first tensor: when tfjs would greet
    await tf.setBackend('cpu');
    tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync());
    await tf.setBackend(report.name);
    expect(report.name).toBe(probeBackend().name);
    expect(report.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.threads).toBe(wantedWasmThreads().threads);
    expect(report.threadsNote).toBeUndefined();
    expect(report.kernels?.wasm).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'UnsortedSegmentSum', 'MaxPoolGrad']));
    expect([stderr, warn, error, log].map((s) => s.mock.calls)).toEqual([[], [], [], []]);
    expect(await initBackend()).toBe(report);
    expect(backendReport()).toBe(report);
  });

  test('the report displays itself in Jupyter as one line', async () => {
    const report = await initBackend();
    const bundle = (report as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for('Jupyter.display')]();
    expect(bundle['text/plain']).toMatch(/^TensorFlow\.js 4\.\d+\.\d+ on wasm/);
  });

  test('danfojs-node computes with the same engine, so on the same backend', async () => {
    await initBackend();
    const dfd = require('danfojs-node') as { tensorflow: typeof tf };
    expect(dfd.tensorflow.engine()).toBe(tf.engine());
    expect(dfd.tensorflow.getBackend()).toBe('wasm');
  });
});

describe('probeBackend', () => {
  test('TSDL_BACKEND overrides the automatic choice', () => {
    expect(probeBackend({ TSDL_BACKEND: 'cpu' })).toEqual({ name: 'cpu', reason: 'TSDL_BACKEND=cpu' });
  });

  test('an unknown TSDL_BACKEND is ignored and named in the reason', () => {
    const probe = probeBackend({ TSDL_BACKEND: 'webgl' });
    expect(probe.name).not.toBe('webgl');
    expect(probe.reason).toContain('TSDL_BACKEND=webgl ignored');
  });

  test('does not mistake the @tensorflow/tfjs-node alias (plain tfjs, for danfojs) for native TensorFlow', () => {
    expect(require('@tensorflow/tfjs-node/package.json').name).toBe('@tensorflow/tfjs');
    expect(findNativePackage('@tensorflow/tfjs-node', { TSDL_NATIVE_DIR: '/nonexistent' })).toBeNull();
  });

  test('is fast enough for a kernel banner and loads no TensorFlow.js', () => {
    const start = performance.now();
    for (let i = 0; i < 20; i++) probeBackend({});
    expect((performance.now() - start) / 20).toBeLessThan(20);
    const source = require('node:fs').readFileSync(require.resolve('./probe'), 'utf8') as string;
    expect(source).not.toMatch(/from '@tensorflow|require\('@tensorflow\/tfjs'\)/);
  });
});
