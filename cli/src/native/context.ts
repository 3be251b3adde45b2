/**
 * Where \`tsdl setup native\` puts things and what they must match, and the small file helpers its
 * steps share.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nativeDir } from '../../../lib/src/backend/probe';
import { repoRoot } from '../python-env';

/**
 * tfjs-node 4.22 is published for N-API 3–8, and its loader (node-pre-gyp) picks the highest of
 * those the running Node supports: 8 on every Node ≥ 15.
 */
export const NAPI_VERSION = 8;


/** Written into the unpacked package as its "main", ahead of tfjs-node's own entry. */
export const ENTRY_FILE = 'tsdl-entry.js';

/** What each step's result was built for (the requirements file's hash), beside the result. */
export const BUILD_STAMP = '.tsdl-build';
export const LIBTENSORFLOW_STAMP = '.tsdl-requirements.sha256';

export interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  dependencies?: Record<string, string>;
}

/** Where everything lives, and what it must match. */
export interface Context {
  dir: string;
  venv: string;
  libtensorflow: string;
  pkg: string;
  requirementsFile: string;
  /** sha256 of the requirements file: libtensorflow and the addon are rebuilt when it changes. */
  requirementsHash: string;
  /** tsdl's own @tensorflow/tfjs (and its tfjs-core), which tfjs-node must share. */
  tfjsDir: string;
  tfjsCoreDir: string;
  tfjsVersion: string;
  log: (line: string) => void;
}

export function makeContext(log: (line: string) => void): Context {
  const dir = nativeDir();
  const repo = repoRoot();
  const requirementsFile = path.join(repo, 'python', 'requirements-native.txt');
  const tfjsManifest = require.resolve('@tensorflow/tfjs/package.json', { paths: [__dirname] });
  const tfjsDir = path.dirname(tfjsManifest);
  const tfjsCoreDir = path.dirname(require.resolve('@tensorflow/tfjs-core/package.json', { paths: [tfjsDir] }));
  return {
    dir,
    venv: path.join(dir, 'venv'),
    libtensorflow: path.join(dir, 'libtensorflow'),
    pkg: path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node'),
    requirementsFile,
    requirementsHash: createHash('sha256').update(fs.readFileSync(requirementsFile)).digest('hex'),
    tfjsDir,
    tfjsCoreDir,
    tfjsVersion: readJson(tfjsManifest).version ?? '',
    log,
  };
}

export function bindingPath(ctx: Context): string {
  return path.join(ctx.pkg, 'lib', `napi-v${NAPI_VERSION}`, 'tfjs_binding.node');
}

export function tfjsLink(ctx: Context, name: 'tfjs' | 'tfjs-core'): string {
  return path.join(ctx.dir, 'node_modules', '@tensorflow', name);
}

export function linksTo(link: string, target: string): boolean {
  try {
    return fs.realpathSync(link) === fs.realpathSync(target);
  } catch {
    return false;
  }
}

export function replaceWithSymlink(link: string, target: string): void {
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
}

export function runsOk(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export function readJson(file: string): PackageJson {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}

export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

export function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
