import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { labEnv, nbgraderConfigDir } from './lab';

const root = path.resolve(__dirname, '..', '..', '..');

test("JupyterLab finds the course's nbgrader configuration first, and keeps a configured path after it", () => {
  const env = labEnv(root, '/venv/bin', { PATH: '/usr/bin', JUPYTER_CONFIG_PATH: '/mine' });
  expect(env.JUPYTER_CONFIG_PATH).toBe([nbgraderConfigDir(root), '/mine'].join(path.delimiter));
  expect(env.PATH).toBe(['/venv/bin', '/usr/bin'].join(path.delimiter));
  expect(labEnv(root, '/venv/bin', {}).JUPYTER_CONFIG_PATH).toBe(nbgraderConfigDir(root));
});

test('the nbgrader_config.py JupyterLab gets loads the course configuration that exists', () => {
  const config = readFileSync(path.join(nbgraderConfigDir(root), 'nbgrader_config.py'), 'utf8');
  const loaded = /load_subconfig\(os\.path\.join\(os\.path\.dirname\(os\.path\.abspath\(__file__\)\), ([^)]*)\)\)/.exec(config);
  expect(loaded).not.toBeNull();
  const parts = loaded![1].split(',').map((p) => JSON.parse(p.trim()) as string);
  expect(existsSync(path.join(nbgraderConfigDir(root), ...parts))).toBe(true);
});
