import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel } from './model-files';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function smallModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

test('a saved model loads back with the same predictions', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-model-')), 'm');
  const model = smallModel();
  await saveModel(model, dir);
  expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
  const again = await loadModel(dir);
  const x = tf.tensor2d([[1, 2, 3], [-1, 0, 0.5]]);
  expect(Array.from((again.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  // Saving again over it replaces the model and leaves no temp folders behind.
  await saveModel(again, dir);
  expect(fs.readdirSync(path.dirname(dir))).toEqual(['m']);
});

test('loading from a folder without a model says how to make one', async () => {
  await expect(loadModel(path.join(os.tmpdir(), 'no-such-model'))).rejects.toThrow(/model.json is missing. Save one first with tsdl.saveModel/);
});
