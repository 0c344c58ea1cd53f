import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';

/**
 * SHA-256 over every weight's bytes, in model order (tests only). Comparing digests instead
 * of arrays keeps determinism checks on 10M+ parameter models fast.
 */
export function weightsDigest(model: tf.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.getWeights()) {
    const data = w.dataSync();
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}
