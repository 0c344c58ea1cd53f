/**
 * Seeded (semi-)orthogonal matrix (Saxe et al. 2014), the usual recurrent-kernel init.
 *
 * tf.initializers.orthogonal runs a Householder QR in tfjs ops, which takes seconds for a
 * 64×192 GRU kernel on the cpu backend; modified Gram–Schmidt over a seeded normal draw in
 * plain JS gives the same distribution (orthonormal rows, or columns if taller than wide)
 * in milliseconds.
 */
import * as tf from '@tensorflow/tfjs';

export function seededOrthogonal(rows: number, cols: number, seed: number, gain = 1): tf.Tensor2D {
  const n = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  const draw = tf.randomNormal([n, len], 0, 1, 'float32', seed);
  const data = Float64Array.from(draw.dataSync());
  draw.dispose();
  for (let i = 0; i < n; i++) {
    const vi = data.subarray(i * len, (i + 1) * len);
    for (let j = 0; j < i; j++) {
      const vj = data.subarray(j * len, (j + 1) * len);
      let dot = 0;
      for (let k = 0; k < len; k++) dot += (vi[k] ?? 0) * (vj[k] ?? 0);
      for (let k = 0; k < len; k++) vi[k] = (vi[k] ?? 0) - dot * (vj[k] ?? 0);
    }
    let norm = 0;
    for (let k = 0; k < len; k++) norm += (vi[k] ?? 0) ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < len; k++) vi[k] = ((vi[k] ?? 0) / norm) * gain;
  }
  const m = tf.tensor2d(Float32Array.from(data), [n, len]);
  if (rows <= cols) return m;
  const t = m.transpose<tf.Tensor2D>();
  m.dispose();
  return t;
}
