/**
 * A kernel process and four raw ZeroMQ sockets to it, recording every message the kernel sends
 * (with its channel) and its whole log: for tests that must see exactly what goes over the wire
 * (the messaging spec check, the fuzzer), not the outputs a client makes of it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as zmq from 'zeromq';
import { newConnectionInfo } from '../../kernel/src/client';
import type { ConnectionInfo, JsonObject, Message } from '../../kernel/src/protocol/messages';
import { childMessage, decode, encode, Signer } from '../../kernel/src/protocol/wire';
import { root } from './jupyter';

export type WireChannel = 'shell' | 'control' | 'stdin' | 'iopub';

export interface Recorded { channel: WireChannel; message: Message; frames: Buffer[] }

export class RawKernel {
  readonly recorded: Recorded[] = [];
  /** Frames the kernel sent that did not decode (must stay empty). */
  readonly undecodable: Array<{ channel: WireChannel; error: string }> = [];
  log = '';
  readonly signer: Signer;
  readonly session = randomUUID();
  private readonly sockets: Record<'shell' | 'control' | 'stdin', zmq.Dealer> & { iopub: zmq.Subscriber };
  private readonly listeners = new Set<(r: Recorded) => void>();

  private constructor(readonly conn: ConnectionInfo, readonly process: ChildProcess, private readonly file: string) {
    this.signer = new Signer(conn.key, conn.signature_scheme);
    const id = randomUUID();
    this.sockets = {
      shell: new zmq.Dealer({ routingId: id, linger: 0 }), control: new zmq.Dealer({ linger: 0 }),
      stdin: new zmq.Dealer({ routingId: id, linger: 0 }), iopub: new zmq.Subscriber({ linger: 0 }),
    };
  }

  static async start(env: NodeJS.ProcessEnv = {}): Promise<RawKernel> {
    const conn = await newConnectionInfo();
    const file = path.join(os.tmpdir(), `tsdl-raw-${randomUUID()}.json`);
    fs.writeFileSync(file, JSON.stringify(conn), { mode: 0o600 });
    const child = spawn(process.execPath, [path.join(root, 'bin', 'tsdl.js'), 'kernel', '-f', file],
      { cwd: os.tmpdir(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kernel = new RawKernel(conn, child, file);
    child.stdout!.setEncoding('utf8').on('data', (t: string) => { kernel.log += t; });
    child.stderr!.setEncoding('utf8').on('data', (t: string) => { kernel.log += t; });
    const at = (port: number): string => `tcp://${conn.ip}:${port}`;
    kernel.sockets.shell.connect(at(conn.shell_port));
    kernel.sockets.control.connect(at(conn.control_port));
    kernel.sockets.stdin.connect(at(conn.stdin_port));
    kernel.sockets.iopub.connect(at(conn.iopub_port));
    kernel.sockets.iopub.subscribe();
    for (const channel of ['shell', 'control', 'stdin', 'iopub'] as const) void kernel.pump(channel);
    // Slow joiner: the first requests can be lost while the sockets connect.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await kernel.request('shell', 'kernel_info_request', {}, 1000);
        return kernel;
      } catch (e) {
        if (Date.now() > deadline || child.exitCode !== null) {
          await kernel.close();
          throw new Error(`the kernel did not answer kernel_info: ${(e as Error).message}\n${kernel.log}`);
        }
      }
    }
  }

  private async pump(channel: WireChannel): Promise<void> {
    try {
      for await (const frames of this.sockets[channel]) {
        let message: Message;
        try {
          message = decode(frames, this.signer);
        } catch (e) {
          this.undecodable.push({ channel, error: (e as Error).message });
          continue;
        }
        const r = { channel, message, frames };
        this.recorded.push(r);
        for (const l of this.listeners) l(r);
      }
    } catch { /* closed */ }
  }

  /** Resolves with the first message (already recorded or yet to come) that `match` accepts. */
  waitFor(match: (r: Recorded) => boolean, timeoutMs: number, what = 'a message'): Promise<Recorded> {
    const seen = this.recorded.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.listeners.delete(l); reject(new Error(`no ${what} within ${timeoutMs} ms`)); }, timeoutMs);
      timer.unref();
      const l = (r: Recorded): void => {
        if (!match(r)) return;
        clearTimeout(timer);
        this.listeners.delete(l);
        resolve(r);
      };
      this.listeners.add(l);
    });
  }

  message(msgType: string, content: JsonObject): Message {
    const m = childMessage(undefined, msgType, content, this.session);
    m.header.username = 'test';
    return m;
  }

  async sendFrames(channel: 'shell' | 'control' | 'stdin', frames: Buffer[]): Promise<void> {
    await this.sockets[channel].send(frames);
  }

  async send(channel: 'shell' | 'control' | 'stdin', message: Message): Promise<void> {
    await this.sendFrames(channel, encode(message, this.signer));
  }

  /** Sends a request and resolves with its reply. */
  async request(channel: 'shell' | 'control', msgType: string, content: JsonObject, timeoutMs = 60_000): Promise<Message> {
    const m = this.message(msgType, content);
    const reply = this.waitFor((r) => r.channel === channel && r.message.parent_header.msg_id === m.header.msg_id, timeoutMs, `reply to ${msgType}`);
    await this.send(channel, m);
    return (await reply).message;
  }

  /** The iopub status idle that ends the handling of request `msgId`. */
  idle(msgId: string, timeoutMs = 60_000): Promise<Recorded> {
    return this.waitFor((r) => r.channel === 'iopub' && r.message.header.msg_type === 'status'
      && r.message.content.execution_state === 'idle' && r.message.parent_header.msg_id === msgId, timeoutMs, 'idle status');
  }

  async close(): Promise<void> {
    for (const s of Object.values(this.sockets)) s.close();
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((r) => this.process.once('exit', r));
      try { process.kill(-this.process.pid!, 'SIGKILL'); } catch { /* gone */ }
      await exited;
    }
    fs.rmSync(this.file, { force: true });
  }
}
