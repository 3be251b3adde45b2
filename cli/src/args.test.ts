import { parseCommandArgs } from './args';
import { installTarget } from './commands/install';

describe('tsdl command arguments', () => {
  test('a misspelt option is an error that names the command and the option, not a silent no-op', () => {
    expect(() => parseCommandArgs('run', ['--outptu', 'x.ipynb'], { output: { type: 'string', short: 'o' } }))
      .toThrow(/^run: Unknown option '--outptu'\. See `tsdl --help`\.$/);
  });

  test('Jupyter\'s `kernel -f FILE` and the long spelling read the same', () => {
    const options = { 'connection-file': { type: 'string', short: 'f' } } as const;
    expect(parseCommandArgs('kernel', ['-f', '/tmp/c.json'], options).values['connection-file']).toBe('/tmp/c.json');
    expect(parseCommandArgs('kernel', ['--connection-file=/tmp/c.json'], options).values['connection-file']).toBe('/tmp/c.json');
  });

  test('tsdl install picks the target the flags name', () => {
    expect(installTarget([])).toEqual({ kind: 'user' });
    expect(installTarget(['--prefix', '/opt/k'])).toEqual({ kind: 'prefix', dir: '/opt/k' });
    expect(installTarget(['--sys-prefix', '--python', '.venv/bin/python'])).toEqual({ kind: 'sys-prefix', python: '.venv/bin/python' });
    expect(() => installTarget(['--sysprefix'])).toThrow(/Unknown option '--sysprefix'/);
  });
});
