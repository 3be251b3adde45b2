/** `tsdl setup native [--force]`: the command; the build itself is cli/src/native/. */
import { nativeDir } from '../../../lib/src/backend/probe';
import { parseCommandArgs } from '../args';
import { setupNative } from '../native/setup';

const USAGE = `Usage: tsdl setup native [--force]

Builds @tensorflow/tfjs-node against the libtensorflow in PyPI's tensorflow-cpu wheel, so tsdl
uses native TensorFlow (backend 'tensorflow') instead of WebAssembly. Needs python3, g++ and make;
downloads ~280 MB (PyPI, npm) and takes ~1 GB in ${nativeDir()} ($TSDL_NATIVE_DIR).
  --force   start from scratch (deletes that folder first)
`;

export async function setupCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('setup', argv, { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'native') {
    process.stderr.write(positionals.length ? `tsdl setup: unknown "${positionals.join(' ')}".\n\n${USAGE}` : USAGE);
    return 2;
  }
  await setupNative({ force: values.force === true });
  return 0;
}
