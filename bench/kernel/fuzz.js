// Fuzzing the kernel's sockets: 10,000 malformed, unsigned, truncated and oversized messages to
// each of shell, control and stdin (kernel/src/protocol/fuzz.ts makes them, seeded), with a
// kernel_info_request on shell and control after every 1,000 to see that the kernel still answers
// (and how fast), and at the end a cell that reads a variable set before the fuzzing.
//
//   npm run build && node bench/kernel/fuzz.js [--per-socket 10000] [--seed 1] [--out DIR]
//
// Counts what the kernel logged ("dropped a <channel> message", "refused a malformed <type>"):
// one line per message sent is the expectation. Writes fuzz-results.json and fuzz-results.md.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zmq = require('zeromq');

const ROOT = path.resolve(__dirname, '..', '..');
const { newConnectionInfo } = require(path.join(ROOT, 'dist/kernel/src/client/index.js'));
const { Signer, decode, encode, childMessage } = require(path.join(ROOT, 'dist/kernel/src/protocol/wire.js'));
const { fuzzCases, FUZZ_KINDS } = require(path.join(ROOT, 'dist/kernel/src/protocol/fuzz.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const PER_SOCKET = Number(arg('per-socket', 10000));
const SEED = Number(arg('seed', 1));
const OUT = path.resolve(arg('out', __dirname));
const PROBE_EVERY = 1000;

function rssMib(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch { return NaN; }
}

async function main() {
  const conn = await newConnectionInfo();
  const file = path.join(os.tmpdir(), `tsdl-fuzz-${crypto.randomUUID()}.json`);
  fs.writeFileSync(file, JSON.stringify(conn), { mode: 0o600 });
  const kernel = spawn(process.execPath, [path.join(ROOT, 'bin/tsdl.js'), 'kernel', '-f', file], { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  kernel.stderr.setEncoding('utf8').on('data', (t) => { log += t; });
  kernel.stdout.setEncoding('utf8').on('data', (t) => { log += t; });
  const signer = new Signer(conn.key, conn.signature_scheme);
  const id = crypto.randomUUID();
  const sockets = { shell: new zmq.Dealer({ routingId: id, linger: 0 }), control: new zmq.Dealer({ linger: 0 }), stdin: new zmq.Dealer({ routingId: id, linger: 0 }) };
  const waiting = new Map();
  let repliesFailingToDecode = 0;
  for (const [name, s] of Object.entries(sockets)) {
    s.connect(`tcp://${conn.ip}:${conn[`${name}_port`]}`);
    (async () => {
      for await (const frames of s) {
        try {
          const m = decode(frames, signer);
          waiting.get(m.parent_header.msg_id)?.(m);
        } catch { repliesFailingToDecode++; }
      }
    })().catch(() => undefined);
  }
  const request = (channel, type, content, timeoutMs = 60_000) => {
    const m = childMessage(undefined, type, content, 'fuzz-bench');
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiting.delete(m.header.msg_id); reject(new Error(`no reply to ${type} on ${channel} within ${timeoutMs} ms`)); }, timeoutMs);
      waiting.set(m.header.msg_id, (reply) => {
        clearTimeout(timer);
        waiting.delete(m.header.msg_id);
        resolve({ reply, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      });
      void sockets[channel].send(encode(m, signer));
    });
  };
  // The first requests can be lost while the sockets connect.
  for (let i = 0; ; i++) {
    try { await request('shell', 'kernel_info_request', {}, 1000); break; } catch (e) { if (i > 60) throw e; }
  }
  const setup = await request('shell', 'execute_request', { code: 'const before = 20;', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, 120_000);
  if (setup.reply.content.status !== 'ok') throw new Error(`setup cell failed: ${JSON.stringify(setup.reply.content)}`);
  const rssBefore = rssMib(kernel.pid);
  const rejections = () => (log.match(/^\[tsdl\] (dropped a (shell|control|stdin) message:|refused a malformed )/gm) || []).length;

  const perSocket = {};
  const probes = [];
  const started = Date.now();
  for (const channel of ['shell', 'control', 'stdin']) {
    const kinds = {};
    let bytes = 0;
    let i = 0;
    const t0 = Date.now();
    for (const c of fuzzCases(PER_SOCKET, conn.key, channel, SEED)) {
      await sockets[channel].send(c.frames);
      kinds[c.kind] = (kinds[c.kind] || 0) + 1;
      bytes += c.frames.reduce((n, f) => n + f.length, 0);
      if (++i % PROBE_EVERY === 0) {
        for (const probeChannel of ['shell', 'control']) {
          const { reply, ms } = await request(probeChannel, 'kernel_info_request', {}, 120_000);
          probes.push({ fuzzing: channel, after: i, channel: probeChannel, ms: Math.round(ms * 10) / 10, status: reply.content.status });
        }
      }
    }
    perSocket[channel] = { sent: i, kinds, megabytes: Math.round(bytes / 2 ** 20), seconds: (Date.now() - t0) / 1000 };
  }
  const total = Object.values(perSocket).reduce((n, s) => n + s.sent, 0);
  const deadline = Date.now() + 120_000;
  while (rejections() < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const logged = rejections();
  const after = await request('shell', 'execute_request', { code: 'before + 1', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, 120_000);
  const rssAfter = rssMib(kernel.pid);
  // V8 and ZeroMQ keep freed memory a while: the figure again after the kernel has been idle.
  await new Promise((r) => setTimeout(r, 15_000));
  await request('shell', 'kernel_info_request', {}, 60_000);
  const rssIdle = rssMib(kernel.pid);
  const fatal = /socket failed|could not be handled/.test(log);

  for (const s of Object.values(sockets)) s.close();
  try { process.kill(-kernel.pid, 'SIGKILL'); } catch { /* gone */ }
  fs.rmSync(file, { force: true });

  const probeMs = probes.map((p) => p.ms).sort((a, b) => a - b);
  const results = {
    date: new Date().toISOString(), seed: SEED, perSocketRequested: PER_SOCKET, kinds: FUZZ_KINDS, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    perSocket, totalSent: total, rejectionsLogged: logged, seconds: (Date.now() - started) / 1000,
    probes, probeMedianMs: probeMs[Math.floor(probeMs.length / 2)], probeMaxMs: probeMs[probeMs.length - 1],
    probesAnswered: probes.filter((p) => p.status === 'ok').length, probesSent: probes.length,
    cellAfter: { status: after.reply.content.status, executionCount: after.reply.content.execution_count },
    kernelRssMib: { before: Math.round(rssBefore), after: Math.round(rssAfter), afterIdle15s: Math.round(rssIdle) },
    receiveLoopEnded: fatal, undecodableReplies: repliesFailingToDecode,
  };
  fs.writeFileSync(path.join(OUT, 'fuzz-results.json'), JSON.stringify(results, null, 2) + '\n');
  const md = [
    '# Kernel fuzz (bench/kernel/fuzz.js)',
    '',
    `${results.date}, seed ${SEED}, ${results.machine.cpus} CPUs (${results.machine.model}), Node ${process.version}.`,
    '',
    '| socket | messages sent | MiB | seconds |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(perSocket).map(([c, s]) => `| ${c} | ${s.sent} | ${s.megabytes} | ${s.seconds.toFixed(1)} |`),
    '',
    `- Rejections logged by the kernel: ${logged} of ${total} messages sent.`,
    `- kernel_info probes during the fuzzing (shell and control, every ${PROBE_EVERY} messages): ${results.probesAnswered} of ${results.probesSent} answered, median ${results.probeMedianMs} ms, max ${results.probeMaxMs} ms.`,
    `- After the fuzzing, a cell reading a variable set before it: ${results.cellAfter.status}.`,
    `- A socket's receive loop ended: ${fatal ? 'yes' : 'no'}. Replies that failed to decode: ${repliesFailingToDecode}.`,
    `- Kernel process RSS: ${results.kernelRssMib.before} MiB before, ${results.kernelRssMib.after} MiB right after, ${results.kernelRssMib.afterIdle15s} MiB after 15 s idle.`,
    '',
    `Kinds, in turn on each socket (stdin gets only those that fail to decode): ${FUZZ_KINDS.join(', ')}.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT, 'fuzz-results.md'), md);
  process.stdout.write(md);
  const ok = logged === total && results.probesAnswered === results.probesSent && results.cellAfter.status === 'ok' && !fatal && repliesFailingToDecode === 0;
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
