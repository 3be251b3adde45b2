/**
 * The kernel over real ZeroMQ sockets, driven by our TypeScript client: what jupyter_kernel_test
 * and nbclient do not cover (interrupts in both modes, stdin, bad messages, big output, memory).
 * Needs the build (`npm run build`); `tsdl test` builds first.
 */
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import { KernelClient } from '../client';
import { encode } from '../protocol/wire';

jest.setTimeout(120_000);

let kernel: KernelClient;

beforeAll(async () => {
  kernel = await KernelClient.start({ cwd: os.tmpdir() });
});

afterAll(async () => {
  await kernel?.shutdown();
});

const text = (r: Awaited<ReturnType<KernelClient['execute']>>): string =>
  r.outputs.map((o) => (o.output_type === 'stream' ? o.text : o.output_type === 'execute_result' ? String(o.data['text/plain']) : '')).join('');

test('kernel_info names TypeScript, Node and the tensor backend', async () => {
  const reply = await kernel.request('shell', 'kernel_info_request', {});
  const info = reply.content as { language_info: { name: string; file_extension: string }; banner: string; protocol_version: string };
  expect(info.language_info).toMatchObject({ name: 'typescript', file_extension: '.ts' });
  expect(info.banner).toMatch(/TypeScript \d/);
  expect(info.banner).toMatch(/Node\.js \d/);
  expect(info.banner).toMatch(/tensors on/);
  expect(Number(info.protocol_version)).toBeGreaterThanOrEqual(5.3);
});

test('state is kept across cells; the last expression is the result', async () => {
  await kernel.execute('const base = 40;');
  const r = await kernel.execute('base + 2');
  expect(r.status).toBe('ok');
  expect(text(r)).toBe('42');
});

test('a thrown error points at the cell line and keeps the kernel alive', async () => {
  const r = await kernel.execute('const fine = 1;\nthrow new RangeError("too far");');
  expect(r.status).toBe('error');
  expect(r.error).toMatchObject({ ename: 'RangeError', evalue: 'too far' });
  expect(r.error!.traceback.join('\n')).toMatch(/In\[\d+\]:2:7/);
  expect((await kernel.execute('fine')).status).toBe('ok');
});

test('a type error is reported against the cell and the cell does not run', async () => {
  const r = await kernel.execute('let ran = true;\nconst n: number = "x";');
  expect(r.error?.ename).toBe('TypeScriptError');
  expect(r.error?.evalue).toMatch(/:2:7: Type 'string' is not assignable to type 'number'/);
  const after = await kernel.execute('typeof (globalThis as any).ran');
  expect(text(after)).toBe("'undefined'");
});

test('an unhandled rejection is reported on stderr and the kernel keeps working', async () => {
  const r = await kernel.execute('Promise.reject(new Error("nobody caught me")); await new Promise((r) => setTimeout(r, 50)); 1');
  expect(r.outputs.some((o) => o.output_type === 'stream' && o.name === 'stderr' && /nobody caught me/.test(o.text))).toBe(true);
  expect(text(await kernel.execute('2 + 2'))).toBe('4');
});

test('interrupt by message stops a busy synchronous loop, state survives', async () => {
  await kernel.execute('let spins = 0;');
  const running = kernel.execute('while (true) { spins++; }');
  setTimeout(() => void kernel.interrupt(), 1000);
  const r = await running;
  expect(r.error?.ename).toBe('Interrupted');
  const after = await kernel.execute('spins > 0');
  expect(text(after)).toBe('true');
});

test('interrupts land between WebAssembly tensor kernels: threaded wasm keeps working after them', async () => {
  // The loop is a function so that the interrupted cell, `spin()`, compiles at once: an interrupt
  // during a compile stops the cell before it runs (tested below), and this one is about the run.
  const setup = await kernel.execute('import * as tsdl from "tsdl";\nconst wasmInfo = await tsdl.initBackend();\nconst m = tsdl.tf.randomNormal([384, 384]);\nlet products = 0;\n' +
    'function spin(): never { for (;;) { tsdl.tf.tidy(() => { tsdl.tf.matMul(m, m).dataSync(); }); products++; } }\n`${wasmInfo.name} ${wasmInfo.threads}`');
  const [name, threads] = text(setup).replace(/'/g, '').split(' ');
  expect(name).toBe('wasm');
  if (os.availableParallelism() > 1) expect(Number(threads)).toBeGreaterThan(1);
  // The loop spends most of its time inside matMul, and makes and frees tensors: a termination
  // inside either used to leave the thread pool or the allocator locked, and the next tensor
  // operation never returned.
  // The first `spin()` is compiled (seconds on a loaded machine); later ones reuse it, so their
  // interrupts land in the loop, not in the compile. Run until a product is done.
  for (let tries = 0; tries < 5 && text(await kernel.execute('products > 0')) !== 'true'; tries++) {
    const warm = kernel.execute('spin()');
    setTimeout(() => void kernel.interrupt(), 3000);
    expect((await warm).error?.ename).toBe('Interrupted');
  }
  for (const delay of [300, 420, 550, 610, 770, 330, 460, 590, 640, 710]) {
    const running = kernel.execute('spin()');
    setTimeout(() => void kernel.interrupt(), delay);
    expect((await running).error?.ename).toBe('Interrupted');
    const after = await kernel.execute('tsdl.tf.tidy(() => tsdl.tf.matMul(m, m).shape.join("x")) + " " + (products > 0)');
    expect(text(after)).toBe("'384x384 true'");
  }
});

test('an interrupt while the cell is still being compiled stops it before it runs', async () => {
  // 3,000 declarations take a while to check; the loop at the end would never return if it ran.
  const lines = Array.from({ length: 3000 }, (_, i) => `const slowToCompile${i}: number = ${i};`);
  const running = kernel.execute(`${lines.join('\n')}\nfor (;;) {}`);
  setTimeout(() => void kernel.interrupt(), 30);
  const r = await running;
  expect(r.error?.ename).toBe('Interrupted');
  expect(r.error?.traceback.join('\n')).toMatch(/while it was being compiled; it did not run/);
  expect(text(await kernel.execute('typeof (globalThis as any).slowToCompile0'))).toBe("'undefined'");
});

test('interrupt by signal (SIGINT) stops a pending await', async () => {
  const running = kernel.execute('await new Promise((r) => setTimeout(r, 60_000));');
  setTimeout(() => kernel.signalInterrupt(), 1000);
  const r = await running;
  expect(r.error?.ename).toBe('Interrupted');
  expect((await kernel.execute('1')).status).toBe('ok');
});

test('stdin: input() and password input go through input_request', async () => {
  const prompts: Array<[string, boolean]> = [];
  const r = await kernel.execute('const who = await input("Name? "); const pw = await input("Password: ", { password: true }); `${who}:${pw.length}`', {
    onInput: (prompt, password) => { prompts.push([prompt, password]); return password ? 'secret' : 'Ada'; },
  });
  expect(prompts).toEqual([['Name? ', false], ['Password: ', true]]);
  expect(text(r)).toBe("'Ada:6'");
});

test('input() without allow_stdin fails with a clear error', async () => {
  const r = await kernel.execute('await input("x")', { allowStdin: false });
  expect(r.error?.evalue).toMatch(/does not support input/);
});

test('process.exit() fails the cell instead of killing the kernel', async () => {
  await kernel.execute('const survivor = "still here";');
  const r = await kernel.execute('process.exit(1)');
  expect(r.error?.ename).toBe('ProcessExitError');
  expect(text(await kernel.execute('survivor'))).toBe("'still here'");
});

test('unsigned and wrongly signed messages are dropped, never executed', async () => {
  const msg = kernel.message('execute_request', { code: '(globalThis as any).hacked = true', silent: false });
  const frames = encode(msg, kernel.signer);
  frames[1] = Buffer.from('0'.repeat(64)); // wrong signature
  await kernel.sendFrames('shell', frames);
  const unsigned = encode(msg, kernel.signer);
  unsigned[1] = Buffer.from('');
  await kernel.sendFrames('shell', unsigned);
  await new Promise((r) => setTimeout(r, 300));
  const r = await kernel.execute('typeof (globalThis as any).hacked');
  expect(text(r)).toBe("'undefined'");
});

test('a malformed but signed request gets an error reply, not a crash', async () => {
  const reply = await kernel.request('shell', 'execute_request', { code: 42 } as never);
  expect(reply.content).toMatchObject({ status: 'error', ename: 'BadRequest' });
  const garbage = encode(kernel.message('complete_request', {}), kernel.signer).slice(0, 3);
  await kernel.sendFrames('shell', garbage);
  expect((await kernel.execute('1 + 1')).status).toBe('ok');
});

test('a signed message whose msg_type is a list is dropped, and the shell socket keeps answering', async () => {
  // This one message used to end the shell socket's receive loop: the kernel stayed up, deaf.
  const msg = kernel.message('execute_request', { code: '1' });
  (msg.header as unknown as Record<string, unknown>).msg_type = ['execute_request'];
  await kernel.sendFrames('shell', encode(msg, kernel.signer));
  await new Promise((r) => setTimeout(r, 300));
  expect(kernel.kernelLog).toMatch(/dropped a shell message: header has no string msg_type \(got a list\)/);
  expect((await kernel.execute('2 + 3')).status).toBe('ok');
});

test('a cell that prints 10 MB delivers all of it', async () => {
  const r = await kernel.execute('const line = "x".repeat(1023) + "\\n"; for (let i = 0; i < 10 * 1024; i++) process.stdout.write(line);');
  expect(r.status).toBe('ok');
  const total = r.outputs.reduce((n, o) => n + (o.output_type === 'stream' ? o.text.length : 0), 0);
  expect(total).toBe(10 * 1024 * 1024);
});

test('display handles update in place; rich values display', async () => {
  const r = await kernel.execute('const h = newDisplay(); h.html("<i>1</i>"); h.html("<i>2</i>"); display.markdown("**md**");');
  const displays = r.outputs.filter((o) => o.output_type === 'display_data');
  expect(displays).toHaveLength(2);
  expect((displays[0] as { data: Record<string, unknown> }).data['text/html']).toBe('<i>2</i>');
  expect((displays[1] as { data: Record<string, unknown> }).data['text/markdown']).toBe('**md**');
});

test('stop_on_error aborts requests queued behind a failing cell', async () => {
  const first = kernel.execute('throw new Error("first fails")');
  const second = kernel.execute('"should not run"');
  expect((await first).status).toBe('error');
  expect((await second).status).toBe('aborted');
});

/** The kernel's pid and its descendants' (its children run in sessions of their own, so not its process group). */
function kernelTree(): string[] {
  const pids = [String(kernel.process!.pid)];
  for (let i = 0; i < pids.length; i++) {
    try {
      pids.push(...execFileSync('pgrep', ['-P', pids[i]], { encoding: 'utf8' }).trim().split('\n').filter(Boolean));
    } catch { /* no children */ }
  }
  return pids;
}

/** Resident memory of the kernel process, its runtime and TypeScript 7, in MiB. */
function kernelRssMb(): number {
  const pids = kernelTree();
  return pids.reduce((sum, pid) => {
    try {
      const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
      return sum + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch { return sum; }
  }, 0);
}

test('200 cells in a row grow the kernel by less than 100 MB', async () => {
  const cell = (i: number): string => `const v${i % 10} = Array.from({ length: 1000 }, (_, k) => k * ${i}); v${i % 10}.length`;
  for (let i = 0; i < 20; i++) await kernel.execute(cell(i));
  const before = kernelRssMb();
  for (let i = 0; i < 200; i++) {
    const r = await kernel.execute(cell(i));
    expect(r.status).toBe('ok');
  }
  const after = kernelRssMb();
  process.stdout.write(`kernel RSS: ${before.toFixed(0)} MiB after 20 cells, ${after.toFixed(0)} MiB after 200 more\n`);
  expect(after - before).toBeLessThan(100);
});

test('a tensor shows its shape, dtype and values; a TypeScript import of tfjs works', async () => {
  const r = await kernel.execute('import * as tf from "@tensorflow/tfjs";\ntf.tensor([[1, 2], [3, 4]])');
  expect(r.status).toBe('ok');
  const result = r.outputs.find((o) => o.output_type === 'execute_result') as { data: Record<string, string> };
  expect(result.data['text/plain']).toMatch(/shape=\[2, 2\] dtype=float32/);
  expect(result.data['text/plain']).toMatch(/\[ 1, 2 \]/);
  expect(result.data['text/html']).toMatch(/<table/);
});

test('completion and inspection know imported packages', async () => {
  await kernel.execute('import * as tf from "@tensorflow/tfjs";');
  const c = await kernel.request('shell', 'complete_request', { code: 'tf.matM', cursor_pos: 7 });
  expect(c.content.matches).toContain('matMul');
  const i = await kernel.request('shell', 'inspect_request', { code: 'tf.matMul', cursor_pos: 9, detail_level: 0 });
  expect(i.content.found).toBe(true);
  expect(String((i.content.data as Record<string, string>)['text/plain'])).toMatch(/matMul/);
});

test('tslab notebooks keep working: tslab.display and tslab.newDisplay', async () => {
  const r = await kernel.execute('import * as tslab from "tslab";\ntslab.display.html("<p>from tslab</p>");\nconst d = tslab.newDisplay(); d.text("a"); d.text("b");');
  expect(r.status).toBe('ok');
  const displays = r.outputs.filter((o) => o.output_type === 'display_data') as Array<{ data: Record<string, string> }>;
  expect(displays.map((d) => d.data)).toEqual([{ 'text/html': '<p>from tslab</p>' }, { 'text/plain': 'b' }]);
});

test('a value carrying Symbol.for("Jupyter.display") shows its own MIME bundle', async () => {
  const r = await kernel.execute('({ [Symbol.for("Jupyter.display")]() { return { "text/markdown": "**mine**" }; } })');
  const result = r.outputs.find((o) => o.output_type === 'execute_result') as { data: Record<string, string> };
  expect(result.data['text/markdown']).toBe('**mine**');
});

test('a danfo DataFrame shows as an HTML table', async () => {
  const r = await kernel.execute('import * as dfd from "danfojs-node";\nnew dfd.DataFrame({ text: ["hi", "spam!"], label: [0, 1] })');
  expect(r.status).toBe('ok');
  const result = r.outputs.find((o) => o.output_type === 'execute_result') as { data: Record<string, string> };
  expect(result.data['text/html']).toMatch(/<th>text<\/th><th>label<\/th>/);
  expect(result.data['text/html']).toMatch(/<td>spam!<\/td><td>1<\/td>/);
  expect(r.outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr')).toEqual([]);
});
