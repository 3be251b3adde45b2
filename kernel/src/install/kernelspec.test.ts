/** `tsdl install --prefix DIR` writes a kernelspec Jupyter can start, with its logos. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { installKernelspec, kernelsDir } from './kernelspec';

test('the kernelspec names the tsdl kernel command, TypeScript, signal interrupts, and has logos', () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-spec-'));
  const dir = installKernelspec({ kind: 'prefix', dir: prefix });
  expect(dir).toBe(path.join(prefix, 'share', 'jupyter', 'kernels', 'tsdl'));
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'kernel.json'), 'utf8'));
  expect(spec).toMatchObject({ display_name: 'TypeScript (tsdl)', language: 'typescript', interrupt_mode: 'signal' });
  expect(spec.argv.slice(-3)).toEqual(['kernel', '-f', '{connection_file}']);
  expect(fs.existsSync(spec.argv[1])).toBe(true);
  for (const size of [32, 64]) {
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, `logo-${size}x${size}.png`)));
    expect([png.width, png.height]).toEqual([size, size]);
  }
  expect(fs.readFileSync(path.join(dir, 'logo-svg.svg'), 'utf8')).toMatch(/^<svg/);
});

test('--user installs under JUPYTER_DATA_DIR when it is set', () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-data-'));
  const old = process.env.JUPYTER_DATA_DIR;
  process.env.JUPYTER_DATA_DIR = data;
  try {
    expect(kernelsDir({ kind: 'user' })).toBe(path.join(data, 'kernels'));
  } finally {
    if (old === undefined) delete process.env.JUPYTER_DATA_DIR; else process.env.JUPYTER_DATA_DIR = old;
  }
});
