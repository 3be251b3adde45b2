import { initBackend, tf } from '.';

test('TSDL_BACKEND=tensorflow without native TensorFlow falls back to wasm with one line on stdout, none on stderr', async () => {
  process.env.TSDL_BACKEND = 'tensorflow';
  process.env.TSDL_NATIVE_DIR = '/nonexistent';
  const stderr = jest.spyOn(process.stderr, 'write');
  const warn = jest.spyOn(console, 'warn');
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  const report = await initBackend();
  expect(report.name).toBe('wasm');
  expect(report.fallbackFrom).toEqual({ name: 'tensorflow', error: '@tensorflow/tfjs-node is not installed' });
  expect(tf.getBackend()).toBe('wasm');
  expect(log.mock.calls).toHaveLength(1);
  expect(String(log.mock.calls[0][0])).toMatch(/^tsdl: backend tensorflow is unavailable .*tsdl setup native/);
  expect(stderr).not.toHaveBeenCalled();
  expect(warn).not.toHaveBeenCalled();
});
