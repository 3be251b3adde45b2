import * as tf from '@tensorflow/tfjs';
import { DisplayHandle, MimeBundle, toMimeBundle } from '../../../display/src';
import { quietTf } from '../data/test-helpers';
import { modelSummary, ProgressBar, trainingProgress } from '.';

quietTf();

/** A display handle that records what it would send, and whether each send was an update. */
function recordingHandle() {
  const sent: Array<{ bundle: MimeBundle; update: boolean }> = [];
  const handle = new DisplayHandle('test');
  let shown = false;
  handle.bundle = (bundle: MimeBundle) => { sent.push({ bundle, update: shown }); shown = true; };
  return { handle, sent };
}

describe('trainingProgress with model.fit', () => {
  it('draws a bar and curves in place, throttled, and ends with a table', async () => {
    const { handle, sent } = recordingHandle();
    let clock = 0; // ~100 ms a batch
    const progress = trainingProgress({ handle, now: () => (clock += 25), throttleMs: 250 });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu' }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const xs = tf.randomNormal([32, 2]);
    const ys = tf.cast(tf.greater(xs.slice([0, 0], [-1, 1]), 0), 'float32');
    const stdout = jest.spyOn(process.stderr, 'write');
    await model.fit(xs, ys, { epochs: 3, batchSize: 8, validationSplit: 0.25, callbacks: [progress, new tf.CustomCallback({ onBatchEnd: async () => { clock += 100; } })], verbose: 0 });
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();

    expect(progress.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(Object.keys(progress.history[0].logs).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    // 9 batches at 100 ms: throttled to well under one redraw per batch, all in one output
    expect(sent.length).toBeLessThan(12);
    expect(sent.slice(1).every((s) => s.update)).toBe(true);
    const last = sent.at(-1)!.bundle;
    expect(last['text/plain']).toMatch(/Epoch 3\/3 .*100%/);
    expect(last['image/svg+xml']).toContain('>val_loss</text>');
    expect(last['text/html']).toContain('<table');
    expect(last['text/html']).toContain('data:image/svg+xml;base64,');
  });

  it('prints one line per epoch on stdout outside a notebook', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const progress = trainingProgress({ epochs: 2 });
      await progress.onTrainBegin();
      await progress.onEpochEnd(0, { loss: 0.5 });
      await progress.onEpochEnd(1, { loss: 0.25 });
      await progress.onTrainEnd();
      expect(write.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/^Epoch 1\/2 - loss 0\.5000 - \d+\.\ds\n$/), expect.stringMatching(/^Epoch 2\/2 - loss 0\.2500/),
      ]);
    } finally { write.mockRestore(); }
  });

  it('serves custom loops with per-batch curves', async () => {
    const { handle, sent } = recordingHandle();
    const progress = trainingProgress({ handle, perBatch: true, title: 'GAN', throttleMs: 0 });
    for (let i = 0; i < 5; i++) await progress.onBatchEnd(i, { d_loss: 1 / (i + 1), g_loss: i });
    await progress.onTrainEnd();
    expect(progress.traces().map((t) => t.name)).toEqual(['d_loss', 'g_loss']);
    expect(sent.at(-1)!.bundle['image/svg+xml']).toContain('>GAN</text>');
  });
});

describe('ProgressBar', () => {
  it('shows a fraction, and the throttle drops intermediate redraws', () => {
    const { handle, sent } = recordingHandle();
    let clock = 0;
    const bar = new ProgressBar({ label: 'Downloading x', total: 2048, unit: 'bytes', handle, now: () => clock });
    for (let i = 1; i <= 20; i++) { clock += 10; bar.update(i * 100); }
    bar.done();
    expect(sent.length).toBe(2); // first update and the final one
    expect(sent.at(-1)!.bundle['text/plain']).toMatch(/^Downloading x \[=+\] 2\.0 KB\/2\.0 KB 100%/);
  });
});

describe('modelSummary', () => {
  it('tabulates layers and parameter counts like model.summary()', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'hidden' }), tf.layers.batchNormalization({ name: 'bn' }), tf.layers.dense({ units: 1, name: 'out' })] });
    const s = modelSummary(model);
    expect(s.layers.map((l) => [l.name, l.type, l.outputShape, l.params])).toEqual([
      ['hidden', 'Dense', '(None, 3)', 15], ['bn', 'BatchNormalization', '(None, 3)', 12], ['out', 'Dense', '(None, 1)', 4],
    ]);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([31, 25, 6]);
    expect(s.text).toContain('Total params: 31');
    const b = toMimeBundle(s);
    expect(b['text/html']).toContain('<td>BatchNormalization</td>');
  });
});
