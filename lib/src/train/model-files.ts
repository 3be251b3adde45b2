/**
 * Save and load Keras-style models as files without @tensorflow/tfjs-node: the same layout its
 * `file://` handler writes (`model.json` + `weights.bin`), so a model saved here loads there and
 * back. Writes go through a temp folder renamed into place: a crash mid-save never leaves a model
 * whose JSON and weights disagree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function concatWeights(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) { out.set(new Uint8Array(p), offset); offset += p.byteLength; }
  return out;
}

/**
 * Saves `model` into the folder `dir` (created if missing; an earlier model there is replaced).
 *
 * ```ts
 * await tsdl.saveModel(model, "models/spam");
 * const again = await tsdl.loadModel("models/spam");
 * ```
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  const target = path.resolve(dir);
  return model.save(tf.io.withSaveHandler(async (artifacts) => {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.saving-`));
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
    };
    const weights = concatWeights(artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
    fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), weights);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
        weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
        weightDataBytes: weights.byteLength,
      },
    };
  }));
}

/** Loads a model that {@link saveModel} (or tfjs-node's `file://` handler) wrote into `dir`. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const jsonFile = path.join(path.resolve(dir), MODEL_JSON);
  if (!fs.existsSync(jsonFile)) throw new Error(`No model in ${dir}: ${MODEL_JSON} is missing. Save one first with tsdl.saveModel(model, ${JSON.stringify(dir)}).`);
  const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as {
    modelTopology: object; format?: string; generatedBy?: string; convertedBy?: string | null; trainingConfig?: tf.io.TrainingConfig;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const file = path.join(path.dirname(jsonFile), p);
    if (!fs.existsSync(file)) throw new Error(`${dir}: weights file ${p} named in ${MODEL_JSON} is missing; save the model again.`);
    return fs.readFileSync(file);
  });
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs, weightData,
    format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy ?? undefined,
    ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
  }));
}
