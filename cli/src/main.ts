/**
 * The `tsdl` command: one entry point for what users do.
 *
 *   tsdl lab                 install what is missing and open JupyterLab on notebooks/
 *   tsdl install [--user | --sys-prefix | --prefix DIR]   write the kernelspec
 *   tsdl kernel -f FILE      run the kernel (Jupyter starts this)
 *   tsdl run NOTEBOOK...     execute notebooks headless, writing their outputs
 *   tsdl grade ...           release, autograde and feedback for exercises
 *   tsdl doctor              what tsdl found on this machine
 *   tsdl test                run every test (what `npm test` runs)
 */
import { commands } from './commands/index';

const USAGE = `Usage: tsdl <command> [options]

Commands:
  lab                       Set up what is missing and open JupyterLab on the notebooks
  install [--user|--sys-prefix|--prefix DIR]
                            Install the tsdl kernelspec (default --user)
  kernel -f CONNECTION_FILE Run the kernel (Jupyter starts this for you)
  run NOTEBOOK... [--output FILE] [--timeout SECONDS] [--allow-errors] [--in-place]
                            Execute notebooks headless and write their outputs
  grade <release|autograde|feedback> ...
                            Exercises: student versions, grading, feedback (tsdl grade --help)
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
