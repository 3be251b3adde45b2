/**
 * The kernel names TypeScript 7's compiler to kernel/bin/own-session through process.env at run
 * time (the compiler's API spawns with the thread's environment and takes no env of its own).
 * Inside jest, process.env is a copy that child processes never see, so the test workers get the
 * same variable from here, set before they start.
 */
const path = require('node:path');

module.exports = function setUpNativeCompilerLauncher() {
  const pkg = require.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
  process.env.TSDL_OWN_SESSION_EXE ??= path.join(path.dirname(pkg), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
};
