import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
await initBackend('wasm');
const step = process.argv[2];
const x = tf.randomUniform([1, 6, 7, 2]) as tf.Tensor4D;
const w = tf.randomUniform([3, 2, 2, 3]) as tf.Tensor4D;
for (let i = 0; i < 5; i++) {
  if (step === 'fwd') tf.tidy(() => tf.conv2d(x, w, 1, 1).dataSync());
  if (step === 'dx') tf.tidy(() => tf.grad((xx: tf.Tensor4D) => tf.sum(tf.conv2d(xx, w, 1, 1)))(x).dataSync());
  if (step === 'dw') tf.tidy(() => tf.grad((ww: tf.Tensor4D) => tf.sum(tf.conv2d(x, ww, 1, 1)))(w).dataSync());
  const t = tf.ones([100, 100]); t.dispose();
}
console.log(step, 'ok');
