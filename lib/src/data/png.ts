/** PNG files ↔ RGB pixel arrays, with resizing: what the directory loader and the generator need. */
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** An RGB image, row-major, 3 bytes a pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Read a PNG as RGB (alpha is composited over white, grey is expanded). */
export function readPng(path: string): RgbImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`Cannot read image ${path}: ${(e as Error).message}. Check the path and its permissions.`);
  }
  const isPng = bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (!isPng) {
    const kind = bytes[0] === 0xff && bytes[1] === 0xd8 ? 'a JPEG' : bytes.length === 0 ? 'empty' : 'not a PNG';
    throw new Error(`Cannot decode image ${path}: the file is ${kind}. tsdl reads PNG images: convert it (e.g. \`convert in.jpg out.png\`) or remove it from the folder.`);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw new Error(`Cannot decode image ${path}: ${(e as Error).message}. The file is damaged: replace it or remove it from the folder.`);
  }
  const { width, height } = png;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = png.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(png.data[i * 4 + c] * a + 255 * (1 - a));
  }
  return { width, height, data };
}

/** Encode RGB (3 bytes a pixel) or grey (1 byte a pixel) pixels as PNG bytes. */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 1 | 3 = 3): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) png.data[i * 4 + c] = pixels[i * channels + (channels === 3 ? c : 0)];
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}

export function writePng(path: string, image: RgbImage): void {
  writeFileSync(path, encodePng(image.width, image.height, image.data, 3));
}

/**
 * Resize like Keras's `load_img(target_size=…)`: 'nearest' (Keras's default) or 'bilinear'
 * (half-pixel centres, as PIL does).
 */
export function resizeRgb(img: RgbImage, width: number, height: number, interpolation: 'nearest' | 'bilinear' = 'nearest'): RgbImage {
  if (img.width === width && img.height === height) return img;
  const out = new Uint8Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (interpolation === 'nearest') {
        const ix = Math.min(img.width - 1, Math.floor((x + 0.5) * sx));
        const iy = Math.min(img.height - 1, Math.floor((y + 0.5) * sy));
        const i = (iy * img.width + ix) * 3;
        out[o] = img.data[i]; out[o + 1] = img.data[i + 1]; out[o + 2] = img.data[i + 2];
      } else {
        const fx = Math.max(0, (x + 0.5) * sx - 0.5);
        const fy = Math.max(0, (y + 0.5) * sy - 0.5);
        const x0 = Math.min(img.width - 1, Math.floor(fx)); const x1 = Math.min(img.width - 1, x0 + 1);
        const y0 = Math.min(img.height - 1, Math.floor(fy)); const y1 = Math.min(img.height - 1, y0 + 1);
        const ax = fx - x0; const ay = fy - y0;
        for (let c = 0; c < 3; c++) {
          const p = (xx: number, yy: number) => img.data[(yy * img.width + xx) * 3 + c];
          const top = p(x0, y0) * (1 - ax) + p(x1, y0) * ax;
          const bottom = p(x0, y1) * (1 - ax) + p(x1, y1) * ax;
          out[o + c] = Math.round(top * (1 - ay) + bottom * ay);
        }
      }
    }
  }
  return { width, height, data: out };
}
