/** Step: the tfjs-node addon compiled against libtensorflow with npm's node-gyp, and the check that it works. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNativePackage } from '../../../lib/src/backend/probe';
import { runCommand } from '../run-command';
import { bindingPath, BUILD_STAMP, type Context, NAPI_VERSION, replaceWithSymlink, runsOk, tail } from './context';

export async function compileAddon(ctx: Context): Promise<void> {
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
export function verify(ctx: Context): string {
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
