import { mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradeCommand } from './cli';
import { cliIo } from './__fixtures__/cliIo';
import { CORRECT, FIXTURE_SOURCE, fillIn, PARTLY_CORRECT, toFile } from './__fixtures__/submissions';
import { parseNotebook } from './notebook';

let tmp: string;
beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'tsdl-grade-cli-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));
// partialCredit prints failed checks to stdout; in the fake kernel that is the test's console.
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());


describe('tsdl grade', () => {
  it('prints help', async () => {
    const { out, deps } = cliIo();
    expect(await gradeCommand(['--help'], deps)).toBe(0);
    expect(out.join('')).toMatch(/Usage: tsdl grade <command>[\s\S]*--memory MB/);
  });

  it('releases, autogrades and writes feedback', async () => {
    const { out, err, deps } = cliIo();
    const release = path.join(tmp, 'release');
    expect(await gradeCommand(['release', FIXTURE_SOURCE, '--out', release], deps)).toBe(0);
    const released = parseNotebook(readFileSync(path.join(release, 'ps1.ipynb'), 'utf8'));
    for (const [name, answers] of [['alice', CORRECT], ['bob', PARTLY_CORRECT]] as const) {
      await fs.mkdir(path.join(tmp, 'submitted', name), { recursive: true });
      await fs.writeFile(path.join(tmp, 'submitted', name, 'ps1.ipynb'), toFile(fillIn(released, answers)));
    }
    const graded = path.join(tmp, 'autograded');
    const code = await gradeCommand(['autograde', '--source', FIXTURE_SOURCE, '--out', graded, '--cell-timeout', '2', path.join(tmp, 'submitted', 'alice'), path.join(tmp, 'submitted', 'bob', 'ps1.ipynb')], deps);
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/alice\t5\/6 \+ manual grading\nbob\t4\/6\n/);
    expect(await gradeCommand(['feedback', graded], deps)).toBe(0);
    const html = readFileSync(path.join(graded, 'bob', 'feedback.html'), 'utf8');
    expect(html).toMatch(/4 \/ 6 points[\s\S]*Write mean\(xs\)[\s\S]*2 \/ 3[\s\S]*Partial credit: 2 of 3 points/);
  });

  it('answers bad usage with a message and exit code 2', async () => {
    const { err, deps } = cliIo();
    expect(await gradeCommand(['autograde', 'x.ipynb'], deps)).toBe(2);
    expect(err.join('')).toMatch(/autograde needs --source/);
    expect(await gradeCommand(['autograde', '--source', FIXTURE_SOURCE, '--timeout', 'soon', 'x'], deps)).toBe(2);
    expect(await gradeCommand(['release', FIXTURE_SOURCE, '--out', path.dirname(FIXTURE_SOURCE)], deps)).toBe(2);
    expect(err.join('')).toMatch(/would overwrite the source/);
    expect(await gradeCommand(['frobnicate'], deps)).toBe(2);
  });
});
