/** Every `tsdl` subcommand, by name. Each takes its arguments and returns an exit code. */
import { doctorCommand } from './doctor';
import { installCommand } from './install';
import { kernelCommand } from './kernel';
import { labCommand } from './lab';
import { runCommand } from './run';
import { runTests } from './test';
import { gradeCommand } from '../../../grader/src/cli';

export type Command = (argv: string[]) => Promise<number>;

export const commands: Record<string, Command> = {
  lab: labCommand,
  install: installCommand,
  kernel: kernelCommand,
  run: runCommand,
  grade: (argv) => gradeCommand(argv),
  doctor: doctorCommand,
  test: runTests,
  setup: (argv) => (require('./setup-native') as typeof import('./setup-native')).setupCommand(argv), // loaded on use: optional
};
