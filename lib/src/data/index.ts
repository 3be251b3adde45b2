/**
 * Data for the chapters: real datasets (MNIST, CIFAR-10, the SpamAssassin e-mails), generated
 * ones, a Keras-style directory loader, augmentation, and Keras-compatible text preprocessing.
 */
export { cacheDir, downloadFile, ChecksumError } from './download';
export type { DownloadOptions } from './download';
export {
  loadMnist, loadMnistFull, loadCifar10, MNIST_CLASSES, CIFAR10_CLASSES, MNIST_FILES, MNIST_URL, CIFAR10_FILES, CIFAR10_URL,
} from './datasets';
export type { LabelledImages, TrainTest, MnistOptions, DownloadDatasetOptions, RemoteFile } from './datasets';
export { parseIdx, parseCifarBatch, readTar } from './formats';
export { shapes10, writeImageFolder, SHAPE_CLASSES } from './synthetic';
export type { ShapesOptions, ImageFolderOptions } from './synthetic';
export { imageDirectoryDataset } from './directory';
export type { ImageDirectory, ImageDirectoryOptions, ImageBatch } from './directory';
export {
  randomFlip, randomCrop, colorJitter, gaussianNoise, adjustBrightness, adjustContrast, adjustSaturation, augmentation,
} from './augment';
export type { FlipOptions, CropOptions, JitterOptions, NoiseOptions, AugmentationOptions } from './augment';
export { Tokenizer, padSequences, textToWordSequence, KERAS_FILTERS } from './text';
export type { TokenizerOptions, PadOptions } from './text';
export { readTextCsv, exportSpamCsv, emailText, SPAM_CSV } from './text-data';
export type { TextDataset, ReadTextCsvOptions, SpamExportOptions } from './text-data';
export { readPng, writePng, encodePng, resizeRgb } from './png';
export type { RgbImage } from './png';
export { seededRandom, shuffled } from './random';
export type { Random } from './random';
