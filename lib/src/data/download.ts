/**
 * Downloading data files into the cache, safely: the file appears under its final name only
 * once every byte has arrived and its SHA-256 matches. Until then bytes live in `<name>.part`,
 * which a later call resumes with an HTTP Range request; a checksum mismatch deletes it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ProgressReporter, progressReporter } from './progress';

/** Where datasets are cached: `$TSDL_CACHE`, else `~/.cache/tsdl`. */
export function cacheDir(...parts: string[]): string {
  const root = process.env.TSDL_CACHE && process.env.TSDL_CACHE.trim() !== ''
    ? process.env.TSDL_CACHE : join(homedir(), '.cache', 'tsdl');
  return join(root, ...parts);
}

export interface DownloadOptions {
  /** Expected SHA-256 (hex) of the whole file. Required: unverified data is never cached. */
  sha256: string;
  /** Reconnect attempts after a dropped connection within this call (resuming each time). Default 3. */
  retries?: number;
  /** Progress display: true (default) shows a bar, false is silent, or pass a reporter. */
  progress?: boolean | ProgressReporter;
  /** Give up on a connection silent for this long (ms). Default 30 s. */
  timeoutMs?: number;
}

/** Thrown when the bytes are complete but are not the expected file. */
export class ChecksumError extends Error {}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** One HTTP GET (following redirects) resolving to the response. */
function get(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(get(new URL(res.headers.location, url).toString(), headers, timeoutMs, redirects - 1));
        return;
      }
      resolve(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data from ${url} for ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}

/**
 * Append the rest of `url` to `part` (resuming from its current size). Resolves when the server
 * has sent everything it promised; rejects on a dropped connection, leaving what arrived.
 */
async function fetchInto(url: string, part: string, timeoutMs: number, report: ProgressReporter): Promise<void> {
  const have = sizeOf(part);
  const res = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, timeoutMs);
  const status = res.statusCode ?? 0;
  if (status === 416) { res.resume(); return; } // we already hold every byte
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new Error(`HTTP ${status} ${res.statusMessage ?? ''} for ${url}`.trim());
  }
  const append = status === 206 && have > 0; // a 200 means the server ignored Range: start over
  const start = append ? have : 0;
  const length = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(length) ? start + length : undefined;
  let received = start;
  report.start(total, start);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
    let failed: Error | undefined;
    const fail = (e: Error): void => { if (!failed) { failed = e; res.destroy(); out.end(); } };
    res.on('data', (chunk: Buffer) => { received += chunk.length; report.update(received, total); });
    res.on('aborted', () => fail(new Error('the connection was dropped')));
    res.on('error', (e) => fail(e));
    res.on('end', () => {
      if (total !== undefined && received < total) fail(new Error(`the connection was dropped after ${received} of ${total} bytes`));
    });
    res.pipe(out);
    out.on('error', (e) => fail(e));
    out.on('close', () => (failed ? reject(failed) : resolve()));
  });
}

/**
 * Download `url` to `dest`, verified by SHA-256, resuming a previous partial download.
 * Returns `dest`. If `dest` already exists it is trusted (it was verified when it was written).
 *
 * ```ts
 * const file = await downloadFile('https://example.org/train.gz', cacheDir('mnist', 'train.gz'),
 *   { sha256: '440fcabf…' });
 * ```
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions): Promise<string> {
  if (!/^[0-9a-f]{64}$/i.test(options.sha256)) {
    throw new Error(`downloadFile: sha256 for ${url} must be 64 hex digits, got ${JSON.stringify(options.sha256)}.`);
  }
  if (existsSync(dest)) return dest;
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const name = dest.split(/[\\/]/).pop()!;
  const report = progressReporter(options.progress ?? true, `Downloading ${name}`);
  const retries = options.retries ?? 3;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await fetchInto(url, part, options.timeoutMs ?? 30_000, report);
      lastError = undefined;
      break;
    } catch (e) {
      lastError = e as Error;
      if (/^HTTP 4\d\d/.test(lastError.message)) break; // not found, forbidden: retrying won't help
    }
  }
  if (lastError) {
    report.fail(lastError.message);
    throw new Error(
      `Download of ${name} from ${url} failed: ${lastError.message}. ` +
      `${sizeOf(part)} bytes are kept in ${part}; run the same code again to resume ` +
      `(check your network connection or proxy), or delete that file to start over.`,
    );
  }
  const actual = await sha256OfFile(part);
  if (actual.toLowerCase() !== options.sha256.toLowerCase()) {
    rmSync(part, { force: true });
    report.fail('checksum mismatch');
    throw new ChecksumError(
      `Checksum mismatch for ${name} downloaded from ${url}: expected SHA-256 ${options.sha256}, got ${actual}. ` +
      `The corrupt file was deleted; run again to download it afresh. If it keeps happening, the mirror ` +
      `serves a different file: delete ${dirname(dest)} and check the URL.`,
    );
  }
  renameSync(part, dest); // atomic on one file system: readers never see a half file
  report.done(sizeOf(dest));
  return dest;
}
