/**
 * `tsdl install`: writes the kernelspec (kernel.json and logos) where Jupyter looks for kernels.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { findKernelRoot } from '../server/environment';

export type InstallTarget = { kind: 'user' } | { kind: 'sys-prefix'; python?: string } | { kind: 'prefix'; dir: string };

export const KERNEL_NAME = 'tsdl';

/** Jupyter's per-user data folder, as `jupyter --data-dir` would say. */
function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? os.homedir(), 'jupyter');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

/** sys.prefix of the Python that runs Jupyter: the `jupyter` on PATH, or the given python. */
function sysPrefix(python?: string): string {
  const candidates = python ? [python] : ['python3', 'python'];
  const jupyter = findOnPath('jupyter');
  if (!python && jupyter) candidates.unshift(path.join(path.dirname(fs.realpathSync(jupyter)), 'python'));
  for (const py of candidates) {
    try {
      return execFileSync(py, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    } catch { /* try the next */ }
  }
  throw new Error('Cannot find the Python that runs Jupyter for --sys-prefix: activate its environment, or use --prefix DIR.');
}

function findOnPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, cmd);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

export function kernelsDir(target: InstallTarget): string {
  switch (target.kind) {
    case 'user': return path.join(userDataDir(), 'kernels');
    case 'sys-prefix': return path.join(sysPrefix(target.python), 'share', 'jupyter', 'kernels');
    case 'prefix': return path.join(path.resolve(target.dir), 'share', 'jupyter', 'kernels');
  }
}

export function kernelJson(root = findKernelRoot()): Record<string, unknown> {
  return {
    argv: [process.execPath, path.join(root, 'bin', 'tsdl.js'), 'kernel', '-f', '{connection_file}'],
    display_name: 'TypeScript (tsdl)',
    language: 'typescript',
    interrupt_mode: 'signal',
    env: {},
    metadata: { debugger: false, tsdl: { root } },
  };
}

/** A small square logo: TypeScript blue with a 3×3 grid of lighter cells (a tensor). */
function logoPng(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const cell = size / 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const inCell = (x % cell) > cell * 0.15 && (x % cell) < cell * 0.85 && (y % cell) > cell * 0.15 && (y % cell) < cell * 0.85;
      const [r, g, b] = inCell ? [255, 255, 255] : [49, 120, 198];
      png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Writes the kernelspec and returns its folder. */
export function installKernelspec(target: InstallTarget): string {
  const root = findKernelRoot();
  const dir = path.join(kernelsDir(target), KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(kernelJson(root), null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'logo-32x32.png'), logoPng(32));
  fs.writeFileSync(path.join(dir, 'logo-64x64.png'), logoPng(64));
  fs.copyFileSync(path.join(root, 'kernel', 'assets', 'logo-svg.svg'), path.join(dir, 'logo-svg.svg'));
  return dir;
}
