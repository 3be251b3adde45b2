/**
 * `tsdl setup native`, the build: native TensorFlow on the CPU (backend 'tensorflow') without the download
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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createVenv, venvPaths } from '../python-env';
import { compileAddon, verify } from './addon';
import { bindingPath, BUILD_STAMP, type Context, ENTRY_FILE, LIBTENSORFLOW_STAMP, linksTo, makeContext, readJson, readText, replaceWithSymlink, runsOk, seconds, tfjsLink } from './context';
import { fetchLibtensorflow } from './libtensorflow';
import { runtimeDependenciesPresent, unpackTfjsNode } from './tfjs-node';

interface Step {
  title: string;
  done(ctx: Context): boolean;
  run(ctx: Context): Promise<void>;
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
