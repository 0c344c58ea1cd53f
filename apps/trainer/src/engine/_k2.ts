import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterNhwc } from './wasm-conv2d-backprop-filter.ts';

for (const [xs, ws] of [[[32, 8, 8, 16], [3, 3, 16, 32]], [[32, 16, 16, 3], [3, 3, 3, 16]], [[32, 16, 16, 3], [3, 3, 3, 8]]] as const) {
const x = new Float32Array(xs.reduce((a, b) => a * b)).map(() => Math.random());
const info = tf.backend_util.computeConv2DInfo([...xs], [...ws], 1, 1, 'same');
const dy = new Float32Array(info.outShape.reduce((a, b) => a * b)).map(() => Math.random());
for (const [name, f] of [['orig', conv2dBackpropFilterNhwc], ] as const) {
for (let i = 0; i < 5; i++) f(x, dy, info);
const t = performance.now();
for (let i = 0; i < 30; i++) f(x, dy, info);
console.log(xs.join('x'), name, ((performance.now() - t) / 30).toFixed(2), 'ms');
}
const a = conv2dBackpropFilterNhwc(x, dy, info), b = a;
let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
console.log('maxdiff', m);
}
