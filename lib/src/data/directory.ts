/**
 * Images from a folder tree, one subfolder per class, as Keras's
 * `ImageDataGenerator().flow_from_directory(...)` reads them, delivered as a tf.data dataset of
 * `{ xs, ys }` batches ready for `model.fitDataset`.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { readPng, resizeRgb } from './png';
import { seededRandom, shuffled } from './random';

/** Extensions Keras lists as images; only PNG decodes here (others give a clear error). */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.ppm', '.tif', '.tiff']);

export interface ImageDirectoryOptions {
  /** [height, width] every image is resized to. Default [256, 256] (Keras's default). */
  targetSize?: [number, number];
  /** 'categorical' (one-hot, default), 'binary' (0/1 floats), 'sparse' (int ids) or 'none'. */
  classMode?: 'categorical' | 'binary' | 'sparse' | 'none';
  /** Default 32. The last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Shuffle the order each epoch. Default true. */
  shuffle?: boolean;
  /** Shuffle seed (epoch e uses seed + e). Default 0. */
  seed?: number;
  /** Multiply pixel values (0–255) by this, e.g. 1/255. Default 1. */
  rescale?: number;
  /** Fraction of each class held out for validation (Keras: the first files, sorted). */
  validationSplit?: number;
  /** Which side of `validationSplit` to read. Default 'training'. */
  subset?: 'training' | 'validation';
  /** Class folder names to use, in index order. Default: every subfolder, sorted. */
  classes?: string[];
  /** 'nearest' (Keras's default) or 'bilinear'. */
  interpolation?: 'nearest' | 'bilinear';
  /** 'rgb' (default, 3 channels) or 'grayscale' (1 channel). */
  colorMode?: 'rgb' | 'grayscale';
  /** Applied to each batch of images after rescaling, e.g. `augmentation({ flip: 'horizontal' })`. */
  augment?: (images: tf.Tensor4D) => tf.Tensor4D;
}

/** A type alias, not an interface: tf.data needs the index signature a literal type has. */
export type ImageBatch = {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
};

/** What {@link imageDirectoryDataset} found and how to read it. */
export interface ImageDirectory {
  /** Batches of `{ xs, ys }` (only `{ xs }` for classMode 'none'); a new shuffle each epoch. */
  dataset: tf.data.Dataset<ImageBatch>;
  /** Class name → index, e.g. { cats: 0, dogs: 1 }. */
  classIndices: Record<string, number>;
  classNames: string[];
  /** Every image path, relative to the root, in (unshuffled) index order. */
  filenames: string[];
  /** Class index of each file in `filenames`. */
  labels: number[];
  samples: number;
  batchSize: number;
  /** Batches per epoch (ceil(samples / batchSize)). */
  batchesPerEpoch: number;
  /** Load batch `index` of epoch `epoch` directly (what the dataset yields). */
  batch(index: number, epoch?: number): ImageBatch;
}

function listClasses(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
}

function listImages(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listImages(join(dir, entry.name), rel));
    else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(rel);
  }
  return out;
}

/**
 * Read `<directory>/<class>/*.png` like Keras's `flow_from_directory`: classes are the subfolder
 * names (sorted), images are resized to `targetSize` and multiplied by `rescale`.
 *
 * ```ts
 * const train = imageDirectoryDataset('data/shapes/train', {
 *   targetSize: [150, 150], batchSize: 20, classMode: 'binary', rescale: 1 / 255,
 *   augment: augmentation({ flip: 'horizontal', seed: 1 }),
 * });
 * await model.fitDataset(train.dataset, { epochs: 5 });
 * ```
 */
export function imageDirectoryDataset(directory: string, options: ImageDirectoryOptions = {}): ImageDirectory {
  const {
    targetSize = [256, 256], classMode = 'categorical', batchSize = 32, shuffle = true, seed = 0, rescale = 1,
    validationSplit = 0, subset = 'training', interpolation = 'nearest', colorMode = 'rgb', augment,
  } = options;
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new Error(`Image folder ${directory} does not exist. Point to a folder with one subfolder per class ` +
      `(e.g. ${join(directory, 'cats')}/ and ${join(directory, 'dogs')}/), or make a sample with writeImageFolder().`);
  }
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new Error(`imageDirectoryDataset: validationSplit must be in [0, 1), got ${validationSplit}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`imageDirectoryDataset: batchSize must be a positive integer, got ${batchSize}.`);
  const classNames = options.classes ?? listClasses(directory);
  if (classNames.length === 0) {
    throw new Error(`Image folder ${directory} has no class subfolders. Put each class's images in its own subfolder, e.g. ${join(directory, 'cats', 'cat.0.png')}.`);
  }
  const filenames: string[] = [];
  const labels: number[] = [];
  classNames.forEach((cls, index) => {
    const dir = join(directory, cls);
    if (!existsSync(dir)) throw new Error(`Class folder ${dir} does not exist (listed in options.classes). Create it or remove '${cls}' from classes.`);
    const files = listImages(dir);
    // Keras: validation takes the first fraction of each class's sorted files, training the rest
    const cut = Math.floor(validationSplit * files.length);
    const chosen = subset === 'validation' ? files.slice(0, cut) : files.slice(cut);
    for (const f of chosen) { filenames.push(`${cls}/${f}`); labels.push(index); }
  });
  if (filenames.length === 0) {
    throw new Error(`Image folder ${directory} has class folders (${classNames.join(', ')}) but no images${validationSplit ? ` in the ${subset} subset` : ''}. Add .png files to them.`);
  }
  const [height, width] = targetSize;
  const channels = colorMode === 'rgb' ? 3 : 1;
  const batchesPerEpoch = Math.ceil(filenames.length / batchSize);
  const order = (epoch: number): number[] => {
    const ids = filenames.map((_, i) => i);
    return shuffle ? shuffled(ids, seededRandom(seed + epoch)) : ids;
  };

  const loadBatch = (ids: number[]): ImageBatch => {
    const pixels = new Float32Array(ids.length * height * width * channels);
    ids.forEach((id, b) => {
      const img = resizeRgb(readPng(join(directory, filenames[id])), width, height, interpolation);
      const o = b * height * width * channels;
      for (let p = 0; p < height * width; p++) {
        if (channels === 3) for (let c = 0; c < 3; c++) pixels[o + p * 3 + c] = img.data[p * 3 + c] * rescale;
        // ITU-R 601 luma, as PIL's convert('L')
        else pixels[o + p] = (img.data[p * 3] * 0.299 + img.data[p * 3 + 1] * 0.587 + img.data[p * 3 + 2] * 0.114) * rescale;
      }
    });
    return tf.tidy(() => {
      let xs = tf.tensor4d(pixels, [ids.length, height, width, channels]);
      if (augment) xs = augment(xs);
      const y = ids.map((id) => labels[id]);
      const ys = classMode === 'categorical'
        ? tf.tensor2d(y.flatMap((k) => classNames.map((_, j) => (j === k ? 1 : 0))), [y.length, classNames.length])
        : classMode === 'binary' ? tf.tensor2d(y, [y.length, 1])
          : classMode === 'sparse' ? tf.tensor1d(y, 'int32') : tf.zeros([y.length]);
      return { xs, ys };
    });
  };
  if (classMode === 'binary' && classNames.length !== 2) {
    throw new Error(`classMode 'binary' needs exactly 2 classes, ${directory} has ${classNames.length} (${classNames.join(', ')}). Use 'categorical'.`);
  }

  let epoch = 0;
  const dataset = tf.data.generator(function* () {
    const ids = order(epoch++);
    for (let b = 0; b < batchesPerEpoch; b++) yield loadBatch(ids.slice(b * batchSize, (b + 1) * batchSize));
  } as unknown as () => Iterator<tf.TensorContainer>) as unknown as tf.data.Dataset<ImageBatch>;

  return {
    dataset,
    classIndices: Object.fromEntries(classNames.map((c, i) => [c, i])),
    classNames,
    filenames,
    labels,
    samples: filenames.length,
    batchSize,
    batchesPerEpoch,
    batch: (index, e = 0) => loadBatch(order(e).slice(index * batchSize, (index + 1) * batchSize)),
  };
}
