/**
 * The kernel's life and death, counted in processes: it exits on shutdown_request, soon after
 * SIGTERM (even with a cell stuck in a loop), and when the process that started it dies (a
 * jupyter_client KernelManager in a Python process, which sets JPY_PARENT_PID); and when it is
 * SIGKILLed its runtime and TypeScript 7 children notice their pipes closing and exit too. Each
 * case lists the kernel's process tree first and checks that none of it is left.
 */
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { KernelClient } from '../kernel/src/client';
import { setUpJupyter, JupyterSetup } from './helpers/jupyter';

jest.setTimeout(180_000);

/** Whatever a failed case left running, ended after the suite. */
const started: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const stop of started) await stop();
});

interface Proc { pid: number; ppid: number; cmd: string }

function processes(): Proc[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).trim().split('\n').map((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!;
    return { pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] };
  });
}

/** `pid` and everything below it. */
function tree(pid: number): Proc[] {
  const all = processes();
  const out = all.filter((p) => p.pid === pid);
  for (let i = 0; i < out.length; i++) out.push(...all.filter((p) => p.ppid === out[i].pid));
  return out;
}

const alive = (pids: number[]): number[] => {
  const now = new Set(processes().map((p) => p.pid));
  return pids.filter((p) => now.has(p));
};

async function gone(pids: number[], timeoutMs: number): Promise<{ left: number[]; ms: number }> {
  const start = Date.now();
  let left = alive(pids);
  while (left.length && Date.now() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 50));
    left = alive(pids);
  }
  return { left, ms: Date.now() - start };
}

/** The kernel's tree once it has run a cell: the kernel, its runtime and (installed) TypeScript 7. */
async function runningKernel(): Promise<{ kernel: KernelClient; procs: Proc[] }> {
  const kernel = await KernelClient.start({ cwd: os.tmpdir() });
  started.push(() => kernel.shutdown());
  expect((await kernel.execute('const x: number = 1; x')).status).toBe('ok');
  const procs = tree(kernel.process!.pid!);
  expect(describeProcs(procs)).toMatch(/runtime-main\.js/);
  return { kernel, procs };
}

function describeProcs(procs: Proc[]): string {
  return procs.map((p) => `${p.pid} ${p.cmd.slice(0, 200)}`).join('\n');
}

test('shutdown_request: the kernel and every child exit', async () => {
  const { kernel, procs } = await runningKernel();
  await kernel.request('control', 'shutdown_request', { restart: false });
  const { left } = await gone(procs.map((p) => p.pid), 10_000);
  expect(describeProcs(procs.filter((p) => left.includes(p.pid)))).toBe('');
  await kernel.shutdown();
});

test('SIGTERM with a cell stuck in a loop: the kernel and every child exit within 2 s', async () => {
  const { kernel, procs } = await runningKernel();
  const stuck = kernel.execute('for (;;) {}');
  await new Promise((r) => setTimeout(r, 1000));
  kernel.process!.kill('SIGTERM');
  const kernelExit = await gone([kernel.process!.pid!], 10_000);
  const { left, ms } = await gone(procs.map((p) => p.pid), 10_000);
  process.stdout.write(`SIGTERM to exit: the kernel ${kernelExit.ms} ms, its whole tree ${kernelExit.ms + ms} ms\n`);
  expect(describeProcs(procs.filter((p) => left.includes(p.pid)))).toBe('');
  expect(kernelExit.ms).toBeLessThan(2000);
  void stuck.catch(() => undefined);
  await kernel.shutdown();
});

test('SIGKILL of the kernel, its runtime stuck in a loop: the children notice their pipes close and exit', async () => {
  const { kernel, procs } = await runningKernel();
  const children = procs.filter((p) => p.pid !== kernel.process!.pid);
  expect(children.length).toBeGreaterThan(0);
  const stuck = kernel.execute('for (;;) {}');
  await new Promise((r) => setTimeout(r, 1000));
  kernel.process!.kill('SIGKILL');
  const { left, ms } = await gone(procs.map((p) => p.pid), 10_000);
  process.stdout.write(`SIGKILL of the kernel to exit of its children: ${ms} ms\n`);
  expect(describeProcs(procs.filter((p) => left.includes(p.pid)))).toBe('');
  void stuck.catch(() => undefined);
  await kernel.shutdown();
});

test('when TypeScript 7\'s process dies, the kernel does not wait for it: later cells compile on TypeScript 6', async () => {
  const { kernel, procs } = await runningKernel();
  const tsc = procs.find((p) => /\btsc --api\b/.test(p.cmd));
  expect(describeProcs(procs)).toMatch(/tsc --api/);
  process.kill(tsc!.pid, 'SIGKILL');
  const r = await kernel.execute('const z: number = x + 41;\nz');
  expect(r.status).toBe('ok');
  expect(r.outputs.map((o) => (o.output_type === 'execute_result' ? o.data['text/plain'] : '')).join('')).toBe('42');
  expect((await kernel.execute('const bad: string = z;')).error?.ename).toBe('TypeScriptError');
  await kernel.shutdown();
});

describe('started by jupyter_client', () => {
  let jupyter: JupyterSetup;
  beforeAll(async () => { jupyter = await setUpJupyter(); }, 15 * 60_000);
  afterAll(() => jupyter?.cleanup());

  test('when the KernelManager\'s process dies, the kernel (JPY_PARENT_PID) and its children exit', async () => {
    // The parent starts the kernel as Jupyter Server does, runs a cell, says the kernel's pid, and waits.
    const script = [
      'import sys, time',
      'from jupyter_client.manager import KernelManager',
      `km = KernelManager(kernel_name="${jupyter.kernelName}")`,
      'km.start_kernel()',
      'kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=120)',
      'kc.execute_interactive("const y: number = 2; y", timeout=120, output_hook=lambda msg: None)',
      'print("kernel pid", km.provisioner.process.pid, flush=True)',
      'time.sleep(600)',
    ].join('\n');
    const parent = spawn(jupyter.python, ['-c', script], { env: jupyter.env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(() => { parent.kill('SIGKILL'); });
    let out = '';
    parent.stdout.on('data', (b: Buffer) => (out += b.toString()));
    parent.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const deadline = Date.now() + 150_000;
    while (!/^kernel pid \d+$/m.test(out) && Date.now() < deadline && parent.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    const kernelPid = Number(/^kernel pid (\d+)$/m.exec(out)?.[1]);
    expect({ kernelPid, out }).toMatchObject({ kernelPid: expect.any(Number) });
    const procs = tree(kernelPid);
    expect(describeProcs(procs)).toMatch(/runtime-main\.js/);

    parent.kill('SIGKILL');
    const { left, ms } = await gone(procs.map((p) => p.pid), 15_000);
    process.stdout.write(`parent killed to exit of the kernel's tree: ${ms} ms\n`);
    const leftover = procs.filter((p) => left.includes(p.pid));
    for (const p of leftover) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    expect(describeProcs(leftover)).toBe('');
  });
});
