/**
 * Comms in the kernel process: it only relays. The comms themselves (widgets) live in the runtime
 * process with the notebook's code (runtime/comms.ts); this side publishes what the runtime opens
 * and sends, forwards the frontend's comm messages to it, and answers comm_info from the comms it
 * has seen opened and not yet closed.
 */
import type { JsonObject, Message } from '../protocol/messages';
import type { CommMsgType } from '../../../display/src/comm';
import type { RuntimeProcess } from '../runtime/runtime-process';

/** Publishes on IOPub under `parent` (no parent: an empty parent header). */
export type PublishComm = (parent: Message | undefined, msgType: string, content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]) => void;

const WIDGET_TARGET = 'jupyter.widget';

export class KernelComms {
  /** comm id -> target name, of every open comm. */
  private readonly open = new Map<string, string>();
  /** The frontend's comm message being handled: what the runtime sends meanwhile answers it. */
  private current: Message | undefined;

  constructor(private readonly runtime: Pick<RuntimeProcess, 'comm' | 'onRestart'>, private readonly publish: PublishComm) {
    // A restarted runtime has no comms: comm_info must not offer the dead ones to a reloading page.
    const onRestart = runtime.onRestart;
    runtime.onRestart = () => { this.forgetAll(); onRestart(); };
  }

  /**
   * A comm event from the runtime, published under the comm message being handled, else under
   * `parent` (the running or last cell: nbclient stores widget state from its cell's messages).
   */
  fromRuntime(parent: Message | undefined, msgType: CommMsgType, content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void {
    const commId = String(content.comm_id ?? '');
    if (msgType === 'comm_open') this.open.set(commId, String(content.target_name ?? ''));
    if (msgType === 'comm_close') this.open.delete(commId);
    this.publish(this.current ?? parent, msgType, content, metadata, buffers);
  }

  /** comm_info_request: the open comms, of one target when `target_name` is given. */
  info(content: JsonObject): JsonObject {
    const target = typeof content.target_name === 'string' && content.target_name ? content.target_name : undefined;
    const comms: JsonObject = {};
    for (const [id, name] of this.open) if (!target || name === target) comms[id] = { target_name: name };
    return { status: 'ok', comms };
  }

  /** Everything the runtime had open is gone with it. */
  forgetAll(): void {
    this.open.clear();
  }

  /**
   * comm_open, comm_msg or comm_close from the frontend: handled in the runtime like a cell, its
   * prints, displays and error published under this message; resolves when the handler is done.
   */
  async fromFrontend(msg: Message): Promise<void> {
    const msgType = msg.header.msg_type as CommMsgType;
    const commId = String(msg.content.comm_id ?? '');
    if (msgType === 'comm_open') this.open.set(commId, String(msg.content.target_name ?? ''));
    // A widget comm the frontend closes stays open in the runtime (CommHandlers.keepOnFrontendClose).
    if (msgType === 'comm_close' && this.open.get(commId) !== WIDGET_TARGET) this.open.delete(commId);
    const publish = (type: string, content: JsonObject): void => this.publish(msg, type, content, {}, []);
    this.current = msg;
    const outcome = await this.runtime.comm({ msgType, content: msg.content, metadata: msg.metadata, buffers: msg.buffers.map((b) => new Uint8Array(b)) }, {
      stream: (name, text) => publish('stream', { name, text }),
      display: (data, metadata, displayId, update) =>
        publish(update ? 'update_display_data' : 'display_data', { data, metadata, transient: displayId ? { display_id: displayId } : {} }),
      clear: (wait) => publish('clear_output', { wait }),
      // A callback cannot ask for input: there is no cell whose prompt it would be.
      input: async () => '',
    }).finally(() => { this.current = undefined; });
    if (outcome.status === 'error') {
      if (outcome.runtimeDied) this.forgetAll();
      publish('error', { ...outcome.error });
    }
  }
}
