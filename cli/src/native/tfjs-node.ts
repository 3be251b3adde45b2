/** Step: @tensorflow/tfjs-node's sources from npm, unpacked without its download script. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from '../run-command';
import { type Context, ENTRY_FILE, type PackageJson, readJson, tail } from './context';

const ENTRY_SOURCE = `// Written by \`tsdl setup native\`.
// TensorFlow's C++ logging prints INFO lines on fd 2 when its first context is created; in a
// notebook they land on the cell's stderr, which nbgrader counts as a failure. Set
// TF_CPP_MIN_LOG_LEVEL yourself (0 = everything) to see them. (Where oneDNN is on by default,
// TensorFlow 2.21 also prints a note at load time that this does not silence; the tsdl kernel
// moves such INFO lines to its log.)
if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
module.exports = require('./dist/index.js');
`;

export async function unpackTfjsNode(ctx: Context): Promise<void> {
  const spec = `@tensorflow/tfjs-node@${ctx.tfjsVersion}`;
  const staging = path.join(ctx.dir, 'pack');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const packed = await runCommand('npm', ['pack', spec, '--pack-destination', staging, '--silent'], { cwd: staging });
  const tarball = fs.readdirSync(staging).find((f) => f.endsWith('.tgz'));
  if (packed.code !== 0 || !tarball) {
    throw new Error(`npm pack ${spec} failed (exit ${packed.code}):\n${packed.output.trim()}\nCheck that the npm registry is reachable (npm config get registry), then run again.`);
  }
  const untar = await runCommand('tar', ['xzf', tarball], { cwd: staging });
  if (untar.code !== 0) throw new Error(`Could not unpack ${tarball}:\n${untar.output.trim()}`);
  const unpacked = path.join(staging, 'package');
  const manifest = readJson(path.join(unpacked, 'package.json'));

  // tfjs-node's small JS dependencies (node-pre-gyp finds the addon, protobuf, progress bars),
  // installed as declared — except @tensorflow/tfjs, which must be tsdl's own (linked next step).
  ctx.log(`tsdl:   installing tfjs-node's JavaScript dependencies into ${ctx.dir}`);
  const dependencies = runtimeDependencies(manifest);
  const nativeManifest = { name: 'tsdl-native', private: true, description: 'Written by `tsdl setup native`.', dependencies };
  fs.writeFileSync(path.join(ctx.dir, 'package.json'), JSON.stringify(nativeManifest, null, 2) + '\n');
  // --ignore-scripts: nothing here should download at install time. npm also prunes what
  // package.json does not list, which is why tfjs-node is moved in only afterwards.
  const installed = await runCommand('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev'], { cwd: ctx.dir });
  if (installed.code !== 0) {
    throw new Error(`npm install in ${ctx.dir} failed (exit ${installed.code}):\n${tail(installed.output)}\nCheck that the npm registry is reachable, then run again.`);
  }

  fs.writeFileSync(path.join(unpacked, ENTRY_FILE), ENTRY_SOURCE);
  fs.writeFileSync(path.join(unpacked, 'package.json'), JSON.stringify({ ...manifest, main: ENTRY_FILE }, null, 2) + '\n');
  fs.rmSync(ctx.pkg, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(ctx.pkg), { recursive: true });
  fs.renameSync(unpacked, ctx.pkg);
  fs.rmSync(staging, { recursive: true, force: true });
}

function runtimeDependencies(manifest: PackageJson): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.dependencies ?? {}).filter(([name]) => name !== '@tensorflow/tfjs'));
}

export function runtimeDependenciesPresent(ctx: Context, manifest: PackageJson): boolean {
  return Object.keys(runtimeDependencies(manifest)).every((dep) => fs.existsSync(path.join(ctx.dir, 'node_modules', dep, 'package.json')));
}
