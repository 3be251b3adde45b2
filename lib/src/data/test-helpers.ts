/** Shared by this folder's tests only. */
import * as tf from '@tensorflow/tfjs';

/** tfjs's CPU backend prints a "use tfjs-node" hint to stderr on first use; tests keep quiet. */
export function quietTf(): void {
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}
