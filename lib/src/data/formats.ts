/**
 * Pure parsers for the binary formats the classic datasets ship in: IDX (MNIST), the CIFAR-10
 * binary batches, and tar archives. No I/O here, so each is tested on a few bytes.
 */

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parse an (uncompressed) IDX file of unsigned bytes, as MNIST's `*-ubyte` files are. */
export function parseIdx(buf: Uint8Array, name = 'IDX file'): IdxArray {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4 || view.getUint16(0) !== 0) {
    throw new Error(`${name} is not an IDX file (bad magic number); delete it from the cache and download again.`);
  }
  const type = view.getUint8(2);
  const rank = view.getUint8(3);
  if (type !== 0x08) throw new Error(`${name}: IDX element type 0x${type.toString(16)} is not unsigned bytes (0x08).`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength - offset !== count) {
    throw new Error(`${name}: header says ${dims.join('×')} = ${count} bytes of data, file has ${buf.byteLength - offset}; the file is truncated or corrupt: delete it and download again.`);
  }
  return { dims, data: buf.subarray(offset, offset + count) };
}

/** One CIFAR-10 binary batch: records of 1 label byte + 3072 pixel bytes (R, G, B planes). */
export function parseCifarBatch(buf: Uint8Array, name = 'CIFAR-10 batch'): { images: Uint8Array; labels: Uint8Array; count: number } {
  const record = 1 + 32 * 32 * 3;
  if (buf.byteLength % record !== 0) {
    throw new Error(`${name}: ${buf.byteLength} bytes is not a whole number of ${record}-byte records; the file is corrupt: delete the CIFAR-10 cache folder and download again.`);
  }
  const count = buf.byteLength / record;
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const base = n * record;
    labels[n] = buf[base];
    // planes (channel-major) → height × width × channel, the layout tf.js convolutions expect
    for (let p = 0; p < 1024; p++) {
      const o = n * 3072 + p * 3;
      images[o] = buf[base + 1 + p];
      images[o + 1] = buf[base + 1 + 1024 + p];
      images[o + 2] = buf[base + 1 + 2048 + p];
    }
  }
  return { images, labels, count };
}

/** The regular files of a (ustar or GNU) tar archive, by path. */
export function readTar(buf: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, len: number): string => {
    let end = from;
    while (end < from + len && buf[end] !== 0) end++;
    return Buffer.from(buf.subarray(from, end)).toString('utf8');
  };
  let pos = 0;
  let longName: string | undefined;
  while (pos + 512 <= buf.byteLength) {
    if (buf.subarray(pos, pos + 512).every((b) => b === 0)) break; // end-of-archive block
    const name = text(pos, 100);
    const size = parseInt(text(pos + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(buf[pos + 156] || 48);
    const prefix = text(pos + 345, 155);
    const body = buf.subarray(pos + 512, pos + 512 + size);
    if (body.byteLength < size) throw new Error(`tar archive is truncated inside ${name}; delete it and download again.`);
    if (type === 'L') longName = text(pos + 512, size);
    else {
      const path = longName ?? (prefix ? `${prefix}/${name}` : name);
      longName = undefined;
      if (type === '0' || type === '\0') files.set(path, body);
    }
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
