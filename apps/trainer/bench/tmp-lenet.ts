import * as tf from '@tensorflow/tfjs';
import { initBackend, trainUnit } from '../src/engine/index.ts';

await initBackend('wasm');
const S = Number(process.env.S ?? 28),
  C = Number(process.env.CH ?? 1),
  arch = (process.env.ARCH ?? 'lenet5') as 'lenet5';
const n = 64 * 60;
const images = new Float32Array(n * S * S * C).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const train = {
  images,
  labels: Int32Array.from({ length: n }, (_, i) => i % 10),
  count: n,
  imageSize: S,
  channels: C,
};
for (const opt of ['adam'] as const) {
  for (let rep = 0; rep < 2; rep++) {
    const r = await trainUnit({
      role: 'teacher',
      architecture: arch,
      data: {
        train,
        test: {
          ...train,
          count: 64,
          images: images.subarray(0, 64 * S * S * C),
          labels: train.labels.subarray(0, 64),
        },
      },
      numClasses: 10,
      epochs: 1,
      batchSize: 64,
      learningRate: 0.003,
      optimizer: opt,
      seed: 1,
    });
    console.log(arch, opt, 'img/s', r.imagesPerSec.toFixed(0));
    r.model.dispose();
  }
}
if (process.env.PROFILE) {
  const x = tf.tensor4d(images.subarray(0, 64 * S * S * C), [64, S, S, C]);
  const prof = await tf.profile(async () => {
    const r = await trainUnit({
      role: 'teacher',
      architecture: arch,
      data: {
        train: {
          ...train,
          count: 640,
          images: images.subarray(0, 640 * S * S * C),
          labels: train.labels.subarray(0, 640),
        },
        test: {
          ...train,
          count: 64,
          images: images.subarray(0, 64 * S * S * C),
          labels: train.labels.subarray(0, 64),
        },
      },
      numClasses: 10,
      epochs: 1,
      batchSize: 64,
      learningRate: 0.003,
      optimizer: 'adam',
      seed: 1,
    });
    r.model.dispose();
  });
  const by = new Map<string, [number, number]>();
  for (const k of prof.kernels) {
    const e = by.get(k.name) ?? [0, 0];
    e[0] += k.kernelTimeMs as number;
    e[1]++;
    by.set(k.name, e);
  }
  console.log('kernels', prof.kernels.length, 'per step', (prof.kernels.length / 10).toFixed(0));
  console.log(
    [...by]
      .sort((a, b) => b[1][0] - a[1][0])
      .slice(0, 25)
      .map(([k, [ms, c]]) => `${k} ${(ms / 10).toFixed(2)}ms x${c / 10}`)
      .join('\n'),
  );
  x.dispose();
}
