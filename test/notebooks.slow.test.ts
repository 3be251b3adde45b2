/**
 * Every notebook in notebooks/ runs top to bottom on the tsdl kernel under the `quick` budget,
 * without an error and without anything on stderr (nbgrader fails a cell that writes to stderr).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const notebooks = fs.readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();

jest.setTimeout(300_000);

test.each(notebooks)('%s runs under TSDL_BUDGET=quick', (name) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsdl-nb-')), name);
  const r = spawnSync(process.execPath, [path.join(root, 'bin/tsdl.js'), 'run', path.join(root, 'notebooks', name), '--output', out], {
    encoding: 'utf8', env: { ...process.env, TSDL_BUDGET: 'quick' },
  });
  expect(r.stderr).not.toMatch(/failed cell/);
  expect(r.status).toBe(0);
  const nb = JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: Array<{ outputs?: Array<{ output_type: string; name?: string; text?: string[] }> }> };
  const stderr = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === 'stream' && o.name === 'stderr');
  expect(stderr.map((o) => (o.text ?? []).join(''))).toEqual([]);
});
