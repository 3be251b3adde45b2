/** Step: libtensorflow and its C headers out of PyPI's tensorflow-cpu wheel. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { venvPaths } from '../python-env';
import { runCommand } from '../run-command';
import { type Context, LIBTENSORFLOW_STAMP } from './context';

/**
 * libtensorflow does not depend on the Python version, so one wheel file is pinned (with its hash)
 * and fetched whatever python runs pip.
 */
const WHEEL_PLATFORM = ['--platform', 'manylinux_2_27_x86_64', '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311'];

/** The parts of the wheel the addon needs: the C API's two libraries and the headers it includes. */
const WHEEL_LIBRARIES = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
const WHEEL_HEADER_DIRS = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/platform/', 'xla/tsl/c/'];

export async function fetchLibtensorflow(ctx: Context): Promise<void> {
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
