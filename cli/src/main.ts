/**
 * The `tsdl` command: one entry point for what users do.
 *
 *   tsdl lab                 install what is missing and open JupyterLab on the workspace learn/
 *   tsdl install [--user | --sys-prefix | --prefix DIR]   write the kernelspec
 *   tsdl kernel -f FILE      run the kernel (Jupyter starts this)
 *   tsdl run NOTEBOOK...     execute notebooks headless, writing their outputs
 *   tsdl grade ...           exercises: release, autograde, feedback; a learner's check and reveal
 *   tsdl doctor              what tsdl found on this machine
 *   tsdl test                run every test (what `npm test` runs)
 */
import { commands } from './commands/index';

const USAGE = `Usage: tsdl <command> [options]

Commands:
  lab [--teacher]           Set up what is missing and open JupyterLab on your workspace learn/
                            (--teacher: on the teacher's notebooks/)
  install [--user|--sys-prefix|--prefix DIR]
                            Install the tsdl kernelspec (default --user)
  kernel -f CONNECTION_FILE Run the kernel (Jupyter starts this for you)
  run NOTEBOOK... [--output FILE] [--timeout SECONDS] [--allow-errors] [--in-place]
                            Execute notebooks headless and write their outputs
  grade <release|autograde|feedback|check|reveal> ...
                            Exercises: student versions, grading, feedback, checking your
                            own work (tsdl grade --help)
  doctor                    Show versions, tensor backend and Jupyter setup
  test [--fast] [jest args] Run every test (npm test)
  setup native [--force]    Optional: build native TensorFlow (tfjs-node) from registry packages
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`tsdl: unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}
