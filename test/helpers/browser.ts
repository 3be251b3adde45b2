/**
 * JupyterLab in Chromium for the browser suites: `openLab` starts the pinned JupyterLab from .venv
 * on a free loopback port with fresh settings, writes the given notebooks into its root, opens the
 * first one in Debian's Chromium (playwright-core, no browser download) and resolves once the
 * kernel has answered its first kernel_info_request over the websocket (before that, JupyterLab
 * says "Idle" but cells run then are lost). `close()` ends the browser, the server and its kernels.
 *
 *   const lab = await openLab({ 'demo.ipynb': notebookJson(['1 + 1']) });
 *   await lab.cell(0).locator('.jp-InputArea-editor').click();
 *   ...
 *   await lab.close();
 *
 * `browserSuite` is `describe`, or `describe.skip` with a message when /usr/bin/chromium is
 * missing outside CI (in CI a skip would hide a missing proof, so it fails instead).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { JupyterSetup, killTree, root, setUpJupyter } from './jupyter';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const inCI = Boolean(process.env.CI) && process.env.CI !== 'false';
export const haveChromium = existsSync(CHROMIUM);

/** `describe` when the suite can run, else `describe.skip` (after saying why). */
export function browserSuite(what: string): jest.Describe {
  if (!haveChromium && !inCI) process.stderr.write(`Skipping ${what}: ${CHROMIUM} is missing (Debian: apt-get install chromium).\n`);
  return haveChromium || inCI ? describe : describe.skip;
}

/** An .ipynb with one code cell per source, for the kernel under test. */
export function notebookJson(sources: string[], kernelName = process.env.TSDL_TEST_KERNEL ?? 'tsdl'): string {
  return JSON.stringify({
    cells: sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, execution_count: null, metadata: {}, outputs: [], source })),
    metadata: {
      kernelspec: { name: kernelName, display_name: 'TypeScript', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

export interface Lab {
  jupyter: JupyterSetup;
  page: Page;
  browser: Browser;
  /** http://127.0.0.1:<port> */
  base: string;
  token: string;
  /** The server's stdout and stderr so far (put it in failure messages). */
  log(): string;
  /** The notebook's i-th cell. */
  cell(i: number): Locator;
  /** Waits for `text` in `locator`, failing with what JupyterLab shows, a screenshot and the server log. */
  expectText(locator: Locator, text: string, timeoutMs?: number): Promise<void>;
  /** Saves a screenshot to test-output/<name>.png; returns a phrase for an error message. */
  failureScreenshot(name?: string): Promise<string>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until the server answers, failing early with its log if it exits. */
export async function waitForServer(url: string, lab: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (lab.exitCode !== null) throw new Error(`jupyter lab exited (code ${lab.exitCode}):\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter lab did not answer ${url} within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Starts JupyterLab with `notebooks` (file name -> .ipynb text) in its root and opens the first.
 * TSDL_DEBUG_BROWSER=1 echoes the server log, websocket frames and the browser console.
 */
export async function openLab(notebooks: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<Lab> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing in CI: .ci/run should have installed Debian's chromium.`);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const jupyter = await setUpJupyter();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsdl-lab-'));
  const rootDir = path.join(dir, 'notebooks');
  mkdirSync(rootDir);
  for (const [name, text] of Object.entries(notebooks)) writeFileSync(path.join(rootDir, name), text);
  // Fresh settings: no news/update prompts over the notebook, no restored workspace.
  const settings = path.join(dir, 'settings', '@jupyterlab', 'apputils-extension');
  mkdirSync(settings, { recursive: true });
  writeFileSync(path.join(settings, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));

  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const env = {
    ...jupyter.env,
    JUPYTERLAB_SETTINGS_DIR: path.join(dir, 'settings'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(dir, 'workspaces'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
  };
  const server = spawn(jupyter.jupyter, ['lab', '--no-browser', '--allow-root', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0', `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${rootDir}`,
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
  { cwd: rootDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let serverLog = '';
  const log = (): string => serverLog.slice(-4000);
  server.stdout!.on('data', (b: Buffer) => (serverLog += b.toString()));
  server.stderr!.on('data', (b: Buffer) => (serverLog += b.toString()));
  const debug = Boolean(process.env.TSDL_DEBUG_BROWSER);
  if (debug) server.stderr!.on('data', (b: Buffer) => process.stderr.write(`[lab] ${b}`));

  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    // SIGTERM lets the server shut its kernels down; the group kill catches stragglers.
    killTree(server.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    killTree(server.pid);
    jupyter.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForServer(`${base}/api/status?token=${token}`, server, log, timeoutMs);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    if (debug) {
      page.on('websocket', (ws) => {
        ws.on('framesent', (f) => process.stderr.write(`[ws>] ${String(f.payload).slice(0, 300)}\n`));
        ws.on('framereceived', (f) => process.stderr.write(`[ws<] ${String(f.payload).slice(0, 300)}\n`));
      });
      page.on('console', (m) => process.stderr.write(`[browser] ${m.text()}\n`));
    }
    const kernelReady = new Promise<void>((resolve) => {
      page.on('websocket', (ws) => {
        if (!ws.url().includes('/api/kernels/')) return;
        ws.on('framereceived', (frame) => { if (String(frame.payload).includes('"kernel_info_reply"')) resolve(); });
      });
    });
    await page.goto(`${base}/lab/tree/${Object.keys(notebooks)[0]}?token=${token}`);
    let timer: NodeJS.Timeout | undefined;
    const tooLate = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the kernel sent no kernel_info_reply to JupyterLab within ${timeoutMs} ms:\n${log()}`)), timeoutMs);
    });
    await Promise.race([kernelReady, tooLate]).finally(() => clearTimeout(timer));
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: timeoutMs });

    const failureScreenshot = async (name = 'jupyterlab-failure'): Promise<string> => {
      const shot = path.join(root, 'test-output', `${name}.png`);
      mkdirSync(path.dirname(shot), { recursive: true });
      return (await page.screenshot({ path: shot }).then(() => true, () => false)) ? ` (screenshot: ${path.relative(root, shot)})` : '';
    };
    const expectText = async (locator: Locator, text: string, waitMs = 60_000): Promise<void> => {
      try {
        await locator.filter({ hasText: text }).first().waitFor({ timeout: waitMs });
      } catch (err) {
        const seen = await locator.allInnerTexts().catch(() => []);
        throw new Error(`expected "${text}"; JupyterLab shows ${JSON.stringify(seen)}${await failureScreenshot()}\n${(err as Error).message}\n\njupyter lab log:\n${log()}`);
      }
    };
    return {
      jupyter, page, browser, base, token, log, close, expectText, failureScreenshot,
      cell: (i) => page.locator('.jp-Notebook .jp-Cell').nth(i),
    };
  } catch (e) {
    await close();
    throw e;
  }
}
