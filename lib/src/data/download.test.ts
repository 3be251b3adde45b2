import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ChecksumError, cacheDir, downloadFile } from './download';
import { loadCifar10, loadMnistFull } from './datasets';
import { quietTf } from './test-helpers';

quietTf();

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A local server: GET /<name> serves files[name]; `dropAfter` cuts the next n responses midway. */
function startServer(files: Record<string, Buffer>) {
  const log: Array<{ path: string; range?: string }> = [];
  let drops = 0;
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    log.push({ path: name, range: req.headers.range });
    const body = files[name];
    if (!body) { res.writeHead(404); res.end('not found'); return; }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) { res.writeHead(416); res.end(); return; }
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else res.writeHead(200, { 'Content-Length': body.length });
    const rest = body.subarray(start);
    if (drops > 0) {
      drops--;
      res.write(rest.subarray(0, Math.floor(rest.length / 2)), () => setTimeout(() => res.socket?.destroy(), 10));
      return;
    }
    res.end(rest);
  });
  return new Promise<{ url: string; log: typeof log; dropNext: (n: number) => void; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`, log,
        dropNext: (n) => { drops = n; },
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

describe('downloadFile against a local server', () => {
  const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
  const corrupt = Buffer.from(payload);
  corrupt[1234] ^= 0xff;
  let srv: Awaited<ReturnType<typeof startServer>>;
  let dir: string;
  beforeAll(async () => { srv = await startServer({ 'data.bin': payload, 'corrupt.bin': corrupt }); });
  afterAll(() => srv.close());
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsdl-dl-')); srv.log.length = 0; });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads, verifies, and afterwards serves the file from the cache', async () => {
    const dest = join(dir, 'data.bin');
    await downloadFile(`${srv.url}data.bin`, dest, { sha256: sha(payload), progress: false });
    expect(readFileSync(dest).equals(payload)).toBe(true);
    await downloadFile(`${srv.url}data.bin`, dest, { sha256: sha(payload), progress: false });
    expect(srv.log).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(['data.bin']);
  });

  it('rejects a corrupt file with a clear error and leaves nothing behind', async () => {
    const dest = join(dir, 'corrupt.bin');
    const attempt = downloadFile(`${srv.url}corrupt.bin`, dest, { sha256: sha(payload), progress: false });
    await expect(attempt).rejects.toBeInstanceOf(ChecksumError);
    await expect(downloadFile(`${srv.url}corrupt.bin`, dest, { sha256: sha(payload), progress: false }))
      .rejects.toThrow(/Checksum mismatch for corrupt\.bin.*expected SHA-256 [0-9a-f]{64}, got [0-9a-f]{64}.*run again/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a dropped connection fails clearly, keeps no file under the final name, and resumes next time', async () => {
    const dest = join(dir, 'data.bin');
    srv.dropNext(1);
    await expect(downloadFile(`${srv.url}data.bin`, dest, { sha256: sha(payload), progress: false, retries: 0 }))
      .rejects.toThrow(/Download of data\.bin .* failed: .*dropped.*run the same code again to resume/);
    expect(existsSync(dest)).toBe(false);
    const partial = readFileSync(`${dest}.part`).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(payload.length);

    await downloadFile(`${srv.url}data.bin`, dest, { sha256: sha(payload), progress: false });
    expect(srv.log.at(-1)).toEqual({ path: 'data.bin', range: `bytes=${partial}-` });
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(readdirSync(dir)).toEqual(['data.bin']);
  });

  it('reconnects and resumes by itself within one call', async () => {
    const dest = join(dir, 'data.bin');
    srv.dropNext(2);
    await downloadFile(`${srv.url}data.bin`, dest, { sha256: sha(payload), progress: false, retries: 3 });
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(srv.log.map((l) => l.range === undefined)).toEqual([true, false, false]);
  });

  it('says which file is missing on the server', async () => {
    await expect(downloadFile(`${srv.url}nope.bin`, join(dir, 'nope.bin'), { sha256: sha(payload), progress: false }))
      .rejects.toThrow(/nope\.bin.*HTTP 404/);
  });

  it('puts the cache under TSDL_CACHE', () => {
    const saved = process.env.TSDL_CACHE;
    process.env.TSDL_CACHE = '/x/cache';
    expect(cacheDir('mnist')).toBe('/x/cache/mnist');
    if (saved === undefined) delete process.env.TSDL_CACHE; else process.env.TSDL_CACHE = saved;
  });
});

/** A minimal ustar writer for fixtures. */
function tar(entries: Record<string, Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, body] of Object.entries(entries)) {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0' + '00', 257);
    const sum = h.reduce((a, b) => a + b, 0);
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt8(0x08, 2); head.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('dataset loaders on fixture files', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsdl-ds-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loadMnistFull downloads, verifies and parses IDX files', async () => {
    const img = (n: number) => idx([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, i) => (i % 784 === 0 ? 255 : 0)));
    const lab = (n: number) => idx([n], Uint8Array.from({ length: n }, (_, i) => i % 10));
    const files = {
      'train-images-idx3-ubyte.gz': gzipSync(img(3)), 'train-labels-idx1-ubyte.gz': gzipSync(lab(3)),
      't10k-images-idx3-ubyte.gz': gzipSync(img(2)), 't10k-labels-idx1-ubyte.gz': gzipSync(lab(2)),
    };
    const srv = await startServer(files);
    try {
      const { train, test } = await loadMnistFull({
        baseUrl: srv.url, dir, progress: false,
        files: Object.entries(files).map(([name, body]) => ({ name, sha256: sha(body) })),
      });
      expect(train.xs.shape).toEqual([3, 28, 28, 1]);
      expect(test.xs.shape).toEqual([2, 28, 28, 1]);
      expect(await train.labels.array()).toEqual([0, 1, 2]);
      expect((await train.xs.max().data())[0]).toBe(1);
      tf.dispose([train.xs, train.labels, test.xs, test.labels]);
    } finally { await srv.close(); }
  });

  it('loadCifar10 reads the binary batches out of the tar.gz, channels last', async () => {
    const record = (label: number, r: number, g: number, b: number) =>
      Buffer.concat([Buffer.from([label]), Buffer.alloc(1024, r), Buffer.alloc(1024, g), Buffer.alloc(1024, b)]);
    const entries: Record<string, Buffer> = {};
    for (let i = 1; i <= 5; i++) entries[`cifar-10-batches-bin/data_batch_${i}.bin`] = record(i, 255, 0, 51);
    entries['cifar-10-batches-bin/test_batch.bin'] = Buffer.concat([record(9, 0, 255, 0), record(0, 0, 0, 255)]);
    const archive = gzipSync(tar(entries));
    const srv = await startServer({ 'cifar-10-binary.tar.gz': archive });
    try {
      const { train, test } = await loadCifar10({ baseUrl: srv.url, dir, progress: false, files: [{ name: 'cifar-10-binary.tar.gz', sha256: sha(archive) }] });
      expect(train.xs.shape).toEqual([5, 32, 32, 3]);
      expect(await train.labels.array()).toEqual([1, 2, 3, 4, 5]);
      const pixel = await train.xs.slice([0, 5, 7, 0], [1, 1, 1, 3]).data();
      expect(Array.from(pixel).map((v) => +v.toFixed(3))).toEqual([1, 0, 0.2]);
      expect(await test.labels.array()).toEqual([9, 0]);
      expect(test.classNames[9]).toBe('truck');
    } finally { await srv.close(); }
  });
});
