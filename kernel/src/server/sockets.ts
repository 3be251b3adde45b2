/**
 * The five ZeroMQ sockets of a kernel, bound from a connection file. Knows frames, not messages:
 * signing and parsing live in protocol/wire.ts.
 */
import * as zmq from 'zeromq';
import type { Channel, ConnectionInfo } from '../protocol/messages';

/** ZeroMQ allows one send in flight per socket; this queues the rest in order. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Router | zmq.Publisher) {}
  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames)).catch((e: unknown) => {
      process.stderr.write(`tsdl: could not send a message: ${(e as Error).message}\n`);
    });
    this.tail = next;
    return next;
  }
}

export type FrameHandler = (channel: 'shell' | 'control' | 'stdin', frames: Buffer[]) => void;

export class KernelSockets {
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply();
  private readonly queues: Record<'shell' | 'control' | 'stdin' | 'iopub', SendQueue>;

  constructor(private readonly conn: ConnectionInfo) {
    this.queues = {
      shell: new SendQueue(this.shell), control: new SendQueue(this.control),
      stdin: new SendQueue(this.stdin), iopub: new SendQueue(this.iopub),
    };
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) s.linger = 0;
  }

  private address(port: number): string {
    return this.conn.transport === 'ipc' ? `ipc://${this.conn.ip}-${port}` : `tcp://${this.conn.ip}:${port}`;
  }

  async bind(onFrames: FrameHandler): Promise<void> {
    await Promise.all([
      this.shell.bind(this.address(this.conn.shell_port)),
      this.control.bind(this.address(this.conn.control_port)),
      this.stdin.bind(this.address(this.conn.stdin_port)),
      this.iopub.bind(this.address(this.conn.iopub_port)),
      this.hb.bind(this.address(this.conn.hb_port)),
    ]);
    void this.receive('shell', this.shell, onFrames);
    void this.receive('control', this.control, onFrames);
    void this.receive('stdin', this.stdin, onFrames);
    void this.heartbeat();
  }

  private async receive(channel: 'shell' | 'control' | 'stdin', socket: zmq.Router, onFrames: FrameHandler): Promise<void> {
    try {
      for await (const frames of socket) onFrames(channel, frames);
    } catch (e) {
      if (!socket.closed) process.stderr.write(`tsdl: ${channel} socket failed: ${(e as Error).message}\n`);
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames);
    } catch { /* closed */ }
  }

  send(channel: Exclude<Channel, 'hb'>, frames: Buffer[]): Promise<void> {
    return this.queues[channel].send(frames);
  }

  close(): void {
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) s.close();
  }
}
