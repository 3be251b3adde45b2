/**
 * `tsdl setup native`: native TensorFlow on the CPU (backend 'tensorflow') without the download
 * that `npm install @tensorflow/tfjs-node` makes from storage.googleapis.com, using only package
 * registries: libtensorflow comes out of PyPI's TensorFlow wheel, tfjs-node's sources from npm,
 * and the addon is compiled here with npm's own node-gyp.
 *
 * Everything goes into `nativeDir()` (~/.cache/tsdl/native, or $TSDL_NATIVE_DIR), outside the
 * project: the project's own node_modules/@tensorflow/tfjs-node is an alias of @tensorflow/tfjs
 * (see package.json "overrides") that `npm install` would restore, and tsdl's backend probe looks
 * in nativeDir() first. Nothing else in tsdl depends on this step; without it tsdl uses WebAssembly.
 *
 *   nativeDir/
 *     venv/                                  a small venv, only for its pip
 *     libtensorflow/{lib,include}            the wheel's libtensorflow_cc.so.2, …_framework.so.2, C headers
 *     node_modules/@tensorflow/tfjs-node/    unpacked from `npm pack`, compiled in place
 *     node_modules/@tensorflow/tfjs{,-core}  symlinks to tsdl's own, so there is one TensorFlow.js
 *
 * Each step checks whether its result is already there, so running the command again only
 * re-checks and re-verifies (a second or two).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNativePackage, nativeDir } from '../../../lib/src/backend/probe';
import { createVenv, repoRoot, venvPaths } from '../python-env';
import { runCommand } from '../run-command';

/**
 * libtensorflow does not depend on the Python version, so one wheel file is pinned (with its hash)
 * and fetched whatever python runs pip.
 */
const WHEEL_PLATFORM = ['--platform', 'manylinux_2_27_x86_64', '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311'];

/** The parts of the wheel the addon needs: the C API's two libraries and the headers it includes. */
const WHEEL_LIBRARIES = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
const WHEEL_HEADER_DIRS = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/platform/', 'xla/tsl/c/'];

/**
 * tfjs-node 4.22 is published for N-API 3–8, and its loader (node-pre-gyp) picks the highest of
 * those the running Node supports: 8 on every Node ≥ 15.
 */
const NAPI_VERSION = 8;

/** Written into the unpacked package as its "main", ahead of tfjs-node's own entry. */
const ENTRY_FILE = 'tsdl-entry.js';
const ENTRY_SOURCE = `// Written by \`tsdl setup native\`.
// TensorFlow's C++ logging prints INFO lines on fd 2 when its first context is created; in a
// notebook they land on the cell's stderr, which nbgrader counts as a failure. Set
// TF_CPP_MIN_LOG_LEVEL yourself (0 = everything) to see them. (Where oneDNN is on by default,
// TensorFlow 2.21 also prints a note at load time that this does not silence; the tsdl kernel
// moves such INFO lines to its log.)
if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
module.exports = require('./dist/index.js');
`;

const BUILD_STAMP = '.tsdl-build';
const LIBTENSORFLOW_STAMP = '.tsdl-requirements.sha256';

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  dependencies?: Record<string, string>;
}

/** Where everything lives, and what it must match. */
interface Context {
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

interface Step {
  title: string;
  done(ctx: Context): boolean;
  run(ctx: Context): Promise<void>;
}

const USAGE = `Usage: tsdl setup native [--force]

Builds @tensorflow/tfjs-node against the libtensorflow in PyPI's tensorflow-cpu wheel, so tsdl
uses native TensorFlow (backend 'tensorflow') instead of WebAssembly. Needs python3, g++ and make;
downloads ~280 MB (PyPI, npm) and takes ~1 GB in ${nativeDir()} ($TSDL_NATIVE_DIR).
  --force   start from scratch (deletes that folder first)
`;

export async function setupCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== 'native' || rest.some((a) => a !== '--force')) {
    process.stderr.write(what === undefined || what === 'native' || what === '--help' || what === '-h' ? USAGE : `tsdl setup: unknown "${argv.join(' ')}".\n\n${USAGE}`);
    return what === '--help' || what === '-h' ? 0 : 2;
  }
  await setupNative({ force: rest.includes('--force') });
  return 0;
}

/** Runs every step that is not done yet, then proves the result loads and computes. */
export async function setupNative(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<void> {
  checkPlatform();
  const ctx = makeContext(opts.log ?? ((line) => process.stderr.write(`${line}\n`)));
  if (opts.force) {
    ctx.log(`tsdl: --force: deleting ${ctx.dir}`);
    fs.rmSync(ctx.dir, { recursive: true, force: true });
  }
  fs.mkdirSync(ctx.dir, { recursive: true });
  const started = Date.now();
  for (const [i, step] of STEPS.entries()) {
    const label = `tsdl: [${i + 1}/${STEPS.length}] ${step.title}`;
    if (step.done(ctx)) {
      ctx.log(`${label}: already done`);
      continue;
    }
    ctx.log(`${label} …`);
    const t0 = Date.now();
    await step.run(ctx);
    ctx.log(`${label}: done in ${seconds(t0)}`);
  }
  const check = verify(ctx);
  ctx.log(`tsdl: native TensorFlow works (${check}); setup took ${seconds(started)}.`);
  process.stdout.write(
    `Native TensorFlow is ready in ${ctx.pkg}.\n` +
      `New kernels and processes pick backend 'tensorflow' (restart running kernels). To undo: rm -rf ${ctx.dir}\n`,
  );
}

function checkPlatform(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `tsdl setup native builds against TensorFlow's Linux x86-64 wheel, not ${process.platform}-${process.arch}. ` +
        'Here use `npm install @tensorflow/tfjs-node` (it downloads a prebuilt libtensorflow) where storage.googleapis.com is reachable.',
    );
  }
}

function makeContext(log: (line: string) => void): Context {
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

const STEPS: Step[] = [
  {
    title: 'a Python environment for pip',
    done: (ctx) => runsOk(venvPaths(ctx.venv).python, ['-c', 'pass']),
    run: (ctx) => createVenv(ctx.venv, process.env.TSDL_PYTHON ?? 'python3'),
  },
  {
    title: 'libtensorflow from PyPI (tensorflow-cpu wheel: ~275 MB download, 850 MB unpacked)',
    done: (ctx) => readText(path.join(ctx.libtensorflow, LIBTENSORFLOW_STAMP)) === ctx.requirementsHash,
    run: fetchLibtensorflow,
  },
  {
    title: "@tensorflow/tfjs-node's sources from npm (npm pack, without its download script)",
    done: (ctx) => {
      const pkg = readJson(path.join(ctx.pkg, 'package.json'));
      return pkg.version === ctx.tfjsVersion && pkg.main === ENTRY_FILE && runtimeDependenciesPresent(ctx, pkg);
    },
    run: unpackTfjsNode,
  },
  {
    title: "point tfjs-node at tsdl's own @tensorflow/tfjs",
    done: (ctx) => linksTo(tfjsLink(ctx, 'tfjs'), ctx.tfjsDir) && linksTo(tfjsLink(ctx, 'tfjs-core'), ctx.tfjsCoreDir),
    run: async (ctx) => {
      replaceWithSymlink(tfjsLink(ctx, 'tfjs'), ctx.tfjsDir);
      replaceWithSymlink(tfjsLink(ctx, 'tfjs-core'), ctx.tfjsCoreDir);
    },
  },
  {
    title: 'compile the tfjs-node addon against libtensorflow (node-gyp, ~30 s)',
    done: (ctx) => fs.existsSync(bindingPath(ctx)) && readText(path.join(ctx.pkg, BUILD_STAMP)) === ctx.requirementsHash,
    run: compileAddon,
  },
];

async function fetchLibtensorflow(ctx: Context): Promise<void> {
  const download = path.join(ctx.dir, 'download');
  const partial = `${ctx.libtensorflow}.partial`;
  fs.rmSync(download, { recursive: true, force: true });
  fs.rmSync(partial, { recursive: true, force: true });
  const python = venvPaths(ctx.venv).python;
  const pip = await runCommand(
    python,
    ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', ...WHEEL_PLATFORM,
      '--require-hashes', '-r', ctx.requirementsFile, '-d', download],
    { echo: true },
  );
  if (pip.code !== 0) {
    throw new Error(
      `pip could not download the TensorFlow wheel pinned in ${ctx.requirementsFile} (exit ${pip.code}). ` +
        'Check the network or a proxy (PIP_INDEX_URL); "THESE PACKAGES DO NOT MATCH THE HASHES" means the index served ' +
        "another file than PyPI's. Then run `tsdl setup native` again.",
    );
  }
  const wheel = fs.readdirSync(download).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`pip reported success but left no .whl in ${download}: run \`tsdl setup native\` again.`);
  ctx.log(`tsdl:   unpacking libtensorflow and its C headers from ${wheel}`);
  const unpacked = await runCommand(python, ['-c', UNPACK_WHEEL, path.join(download, wheel), partial, JSON.stringify(WHEEL_LIBRARIES), JSON.stringify(WHEEL_HEADER_DIRS)]);
  if (unpacked.code !== 0) {
    throw new Error(`Could not unpack ${wheel}:\n${unpacked.output.trim()}\nDelete ${ctx.dir} and run \`tsdl setup native\` again.`);
  }
  fs.writeFileSync(path.join(partial, LIBTENSORFLOW_STAMP), ctx.requirementsHash);
  // Renamed into place only when complete, so an interrupted run starts this step again.
  fs.rmSync(ctx.libtensorflow, { recursive: true, force: true });
  fs.renameSync(partial, ctx.libtensorflow);
  fs.rmSync(download, { recursive: true, force: true });
}

/** Python, not a Node zip reader: the venv is there anyway, and zipfile streams the 750 MB member. */
const UNPACK_WHEEL = `
import json, os, shutil, sys, zipfile
wheel, out, libraries, header_dirs = sys.argv[1], sys.argv[2], set(json.loads(sys.argv[3])), tuple('tensorflow/include/' + d for d in json.loads(sys.argv[4]))
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name in libraries:
            target = os.path.join(out, 'lib', os.path.basename(name))
        elif name.startswith(header_dirs) and not name.endswith('/'):
            target = os.path.join(out, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
missing = [n for n in libraries if not os.path.exists(os.path.join(out, 'lib', os.path.basename(n)))]
if missing:
    sys.exit('not in the wheel: ' + ', '.join(missing))
`;

async function unpackTfjsNode(ctx: Context): Promise<void> {
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

function runtimeDependenciesPresent(ctx: Context, manifest: PackageJson): boolean {
  return Object.keys(runtimeDependencies(manifest)).every((dep) => fs.existsSync(path.join(ctx.dir, 'node_modules', dep, 'package.json')));
}

async function compileAddon(ctx: Context): Promise<void> {
  const nodeGyp = findNodeGyp();
  checkCompilers();
  wireDeps(ctx);
  const headers = nodeHeadersDir();
  const args = [
    nodeGyp, 'rebuild',
    ...(headers ? [`--nodedir=${headers}`] : []),
    // node-pre-gyp normally passes these; binding.gyp needs them.
    '--module_name=tfjs_binding', `--module_path=${path.dirname(bindingPath(ctx))}`, `--napi_build_version=${NAPI_VERSION}`,
  ];
  const built = await runCommand(process.execPath, args, { cwd: ctx.pkg });
  if (built.code !== 0 || !fs.existsSync(bindingPath(ctx))) {
    const headerHint = headers
      ? ''
      : "\nNode's C headers were not found next to node: install them (Debian/Ubuntu: apt-get install libnode-dev) or set npm_config_nodedir to the folder holding include/node/node_api.h.";
    throw new Error(`node-gyp could not build the tfjs-node addon (exit ${built.code}):\n${tail(built.output)}${headerHint}\nFix the error above and run \`tsdl setup native\` again.`);
  }
  fs.writeFileSync(path.join(ctx.pkg, BUILD_STAMP), ctx.requirementsHash);
}

/**
 * binding.gyp links `-ltensorflow -ltensorflow_framework` from deps/lib and sets the addon's
 * RUNPATH to $ORIGIN/../../deps/lib; the wheel's library is libtensorflow_cc.so.2 (also its
 * SONAME, so that is the name the addon records). Relative links keep working if the folder moves,
 * and no LD_LIBRARY_PATH is needed.
 */
function wireDeps(ctx: Context): void {
  const depsLib = path.join(ctx.pkg, 'deps', 'lib');
  fs.mkdirSync(depsLib, { recursive: true });
  const cc = path.join(ctx.libtensorflow, 'lib', 'libtensorflow_cc.so.2');
  const framework = path.join(ctx.libtensorflow, 'lib', 'libtensorflow_framework.so.2');
  const links: [string, string][] = [
    ['libtensorflow.so', cc], ['libtensorflow_cc.so.2', cc],
    ['libtensorflow_framework.so', framework], ['libtensorflow_framework.so.2', framework],
  ];
  for (const [name, target] of links) replaceWithSymlink(path.join(depsLib, name), path.relative(depsLib, target));
  const depsDir = path.join(ctx.pkg, 'deps');
  replaceWithSymlink(path.join(depsDir, 'include'), path.relative(depsDir, path.join(ctx.libtensorflow, 'include')));
}

/** npm's own node-gyp (bundled with every npm), so nothing more is downloaded. */
function findNodeGyp(): string {
  const candidates = [process.env.npm_config_node_gyp];
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  if (npmRoot.status === 0) candidates.push(path.join(npmRoot.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c): c is string => c !== undefined && fs.existsSync(c));
  if (!found) {
    throw new Error("Could not find npm's bundled node-gyp (looked under `npm root -g`/npm). Install it (`npm install -g node-gyp`) and set npm_config_node_gyp to its bin/node-gyp.js, then run again.");
  }
  return found;
}

function checkCompilers(): void {
  const cxx = process.env.CXX ?? 'g++';
  const missing = [cxx, 'make'].filter((tool) => !runsOk(tool, ['--version']));
  if (missing.length) {
    throw new Error(`Compiling the tfjs-node addon needs ${missing.join(' and ')}, not found. Debian/Ubuntu: apt-get install g++ make; then run \`tsdl setup native\` again.`);
  }
}

/**
 * Node's C headers without a download: npm_config_nodedir if set, else the prefix node runs from
 * (/usr for Debian's nodejs, which ships /usr/include/node). Undefined lets node-gyp fetch them.
 */
function nodeHeadersDir(): string | undefined {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')];
  return candidates.find((d): d is string => d !== undefined && fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')) && fs.existsSync(path.join(d, 'include', 'node', 'common.gypi')));
}

/** Loads the built package in a fresh node, as a notebook would, and checks a small product. */
function verify(ctx: Context): string {
  const script = `
    const tf = require(${JSON.stringify(ctx.pkg)});
    const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
    process.stdout.write(JSON.stringify({ backend: tf.getBackend(), values: Array.from(y.dataSync()) }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  let result: { backend?: string; values?: number[] } = {};
  try {
    result = JSON.parse(r.stdout) as typeof result;
  } catch {
    // reported below with stderr
  }
  if (r.status !== 0 || result.backend !== 'tensorflow' || result.values?.join() !== '19,22,43,50') {
    throw new Error(
      `The built tfjs-node does not work (exit ${r.status}, backend ${result.backend}, matMul ${result.values?.join()}):\n${tail(r.stderr)}\n` +
        `Run \`tsdl setup native --force\` to rebuild from scratch; if it fails again, please report this output.`,
    );
  }
  const found = findNativePackage('@tensorflow/tfjs-node');
  if (found !== ctx.pkg) {
    ctx.log(`tsdl: warning: tsdl's backend probe finds ${found ?? 'no tfjs-node'} before ${ctx.pkg}; remove that one to use this build.`);
  }
  if (process.env.TSDL_BACKEND && process.env.TSDL_BACKEND !== 'tensorflow') {
    ctx.log(`tsdl: note: TSDL_BACKEND=${process.env.TSDL_BACKEND} is set and wins over native TensorFlow; unset it to use this build.`);
  }
  return 'matMul [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]] on backend tensorflow';
}

function bindingPath(ctx: Context): string {
  return path.join(ctx.pkg, 'lib', `napi-v${NAPI_VERSION}`, 'tfjs_binding.node');
}

function tfjsLink(ctx: Context, name: 'tfjs' | 'tfjs-core'): string {
  return path.join(ctx.dir, 'node_modules', '@tensorflow', name);
}

function linksTo(link: string, target: string): boolean {
  try {
    return fs.realpathSync(link) === fs.realpathSync(target);
  } catch {
    return false;
  }
}

function replaceWithSymlink(link: string, target: string): void {
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
}

function runsOk(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function readJson(file: string): PackageJson {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
