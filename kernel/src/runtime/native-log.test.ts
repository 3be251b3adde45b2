import { splitNativeLog } from './native-log';

// Exactly what tfjs-node on TensorFlow 2.21 printed on an Intel Xeon (AVX-512 VNNI, AMX) when loaded.
const TENSORFLOW_START =
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n' +
  'I0000 00:00:1796563146.871310    6993 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n';

test("TensorFlow's start-up notes go to the kernel log, not the cell", () => {
  expect(splitNativeLog(TENSORFLOW_START)).toEqual({ shown: '', logged: TENSORFLOW_START });
});

test("the user's own stderr, warnings and errors stay on the cell, in order", () => {
  const user = 'Warning: the learning rate is high\nI think this is fine\n';
  const nativeWarning = 'W1206 13:19:06.871310    6993 cpu_allocator.cc:121] Allocation of 400000000 exceeds 10% of free memory.\n';
  const nativeError = 'E1206 13:19:06.871310    6993 op_kernel.cc:1830] OP_REQUIRES failed\n';
  const { shown, logged } = splitNativeLog(user + TENSORFLOW_START + nativeWarning + nativeError + 'no newline at the end');
  expect(shown).toBe(user + nativeWarning + nativeError + 'no newline at the end');
  expect(logged).toBe(TENSORFLOW_START);
});

test('plain text passes through unchanged', () => {
  expect(splitNativeLog('I0000 is not a log line\n')).toEqual({ shown: 'I0000 is not a log line\n', logged: '' });
  expect(splitNativeLog('')).toEqual({ shown: '', logged: '' });
});
