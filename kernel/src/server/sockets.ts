/**
 * The five ZeroMQ sockets of a kernel, bound from a connection file. Knows frames, not messages:
 * signing and parsing live in protocol/wire.ts.
 */
import * as zmq from 'zeromq';
import type { Channel, ConnectionInfo } from '../protocol/messages';

/** ZeroMQ allows one send in flight per socket; this queues the rest in order. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Router | zmq.XPublisher) {}
  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames)).catch((e: unknown) => {
      process.stderr.write(`tsdl: could not send a message: ${(e as Error).message}\n`);
    });
    this.tail = next;
    return next;
  }
}

export type FrameHandler = (channel: 'shell' | 'control' | 'stdin', frames: Buffer[]) => void;
/** A client subscribed to IOPub with this topic prefix ('' for everything). */
export type SubscriptionHandler = (topic: Buffer) => void;

export class KernelSockets {
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  /**
   * XPUB, not PUB: it tells us when a client's subscription is live, so the kernel can send
   * `iopub_welcome` (JEP 65) and the client knows output sent from then on reaches it.
   * "allSubs": every client's subscription, not only the first with a given topic.
   */
  private readonly iopub = new zmq.XPublisher({ verbosity: 'allSubs' });
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

  async bind(onFrames: FrameHandler, onSubscribe: SubscriptionHandler = () => undefined): Promise<void> {
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
    void this.subscriptions(onSubscribe);
    void this.heartbeat();
  }

  private async receive(channel: 'shell' | 'control' | 'stdin', socket: zmq.Router, onFrames: FrameHandler): Promise<void> {
    try {
      for await (const frames of socket) {
        // Whatever one message does to its handler, the socket goes on to the next: a receive loop
        // that ends leaves a kernel that is up but never answers again.
        try {
          onFrames(channel, frames);
        } catch (e) {
          process.stderr.write(`tsdl: a ${channel} message could not be handled: ${(e as Error).stack ?? String(e)}\n`);
        }
      }
    } catch (e) {
      if (!socket.closed) process.stderr.write(`tsdl: ${channel} socket failed: ${(e as Error).message}\n`);
    }
  }

  /** XPUB delivers each (un)subscription as one frame: 1 or 0, then the topic. */
  private async subscriptions(onSubscribe: SubscriptionHandler): Promise<void> {
    try {
      for await (const [frame] of this.iopub) {
        if (frame?.length && frame[0] === 1) onSubscribe(frame.subarray(1));
      }
    } catch (e) {
      if (!this.iopub.closed) process.stderr.write(`tsdl: iopub subscriptions failed: ${(e as Error).message}\n`);
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
