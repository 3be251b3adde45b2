/**
 * `tsdl run` on a notebook with widgets writes their last state where JupyterLab saves it
 * (`metadata.widgets["application/vnd.jupyter.widget-state+json"]`), valid against ipywidgets'
 * own state schema (from .venv), so nbconvert's HTML and nbviewer draw them with their values.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runNotebook, Notebook } from '../../../kernel/src/notebook/run';
import { root } from '../../../test/helpers/jupyter';

const STATE_MIME = 'application/vnd.jupyter.widget-state+json';

test('tsdl run saves every widget model with its last value, in the saved-state schema', async () => {
  const nb: Notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [{ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, id: 'a',
      source: 'import { slider, vbox, label } from "tsdl/widgets";\nconst a = slider({ value: 4, max: 9 });\na.value = 6;\nvbox([a, label("six")])' }],
  };
  const { notebook, errors } = await runNotebook(nb, { cwd: root });
  expect(errors).toEqual([]);
  const saved = (notebook.metadata.widgets as Record<string, { version_major: number; state: Record<string, { model_name: string; state: Record<string, unknown> }> }>)[STATE_MIME];
  expect(saved.version_major).toBe(2);
  const models = Object.values(saved.state);
  expect(models.find((m) => m.model_name === 'IntSliderModel')?.state.value).toBe(6);
  expect(models.find((m) => m.model_name === 'LabelModel')?.state.value).toBe('six');
  // The displayed box is among them, so a viewer can draw the cell's output.
  const view = (notebook.cells[0].outputs as Array<{ data: Record<string, { model_id: string }> }>)[0].data['application/vnd.jupyter.widget-view+json'];
  expect(saved.state[view.model_id].model_name).toBe('VBoxModel');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsdl-widget-state-'));
  try {
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(saved));
    const check = spawnSync(path.join(root, '.venv', 'bin', 'python'), ['-c',
      'import json, sys, jsonschema, ipywidgets, os\n' +
      'schema = json.load(open(os.path.join(os.path.dirname(ipywidgets.__file__), "state.schema.json")))\n' +
      'jsonschema.validate(json.load(open(sys.argv[1])), schema)', path.join(dir, 'state.json')], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
