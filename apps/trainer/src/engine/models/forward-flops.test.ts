import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardMacs, trainingFlopsPerImage } from './forward-flops.ts';
import { buildArchitecture } from './index.ts';

const build = (name: string, inputShape: number[]) =>
  buildArchitecture(name, { inputShape, numClasses: 10, seed: 1 });

describe('forwardMacs (conv + dense multiply–accumulates per image)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reference CNN, 32×32×3, 10 classes', () => {
    // By hand ('same' padding, no bias):
    //   conv 3→16 at 32×32: 1024 · 3·3·3 · 16  =   442,368
    //   conv 16→16 at 32×32: 1024 · 3·3·16 · 16 = 2,359,296
    //   max-pool → 16×16
    //   conv 16→32 at 16×16: 256 · 3·3·16 · 32  = 1,179,648
    //   conv 32→32 at 16×16: 256 · 3·3·32 · 32  = 2,359,296
    //   GAP → dense 32→10:                          320
    //   total                                     6,340,928
    const model = build('reference-cnn', [32, 32, 3]);
    const macs = forwardMacs(model);
    expect(macs.layers.map((l) => l.macs)).toEqual([442_368, 2_359_296, 1_179_648, 2_359_296, 320]);
    expect(macs.total).toBe(6_340_928);
    expect(trainingFlopsPerImage(model)).toBe(6 * 6_340_928);
    model.dispose();
  });

  it('LeNet-5, 32×32×3 and 32×32×1, 10 classes', () => {
    // By hand ('valid' 5×5 convs):
    //   conv 3→6 → 28×28: 784 · 5·5·3 · 6  = 352,800   (×1 channel: 117,600)
    //   pool → 14×14; conv 6→16 → 10×10: 100 · 5·5·6 · 16 = 240,000
    //   pool → 5×5, flatten 400; dense 400·120 = 48,000, 120·84 = 10,080, 84·10 = 840
    //   total 3 channels: 651,720; 1 channel: 416,520
    const rgb = build('lenet5', [32, 32, 3]);
    expect(forwardMacs(rgb).layers.map((l) => l.macs)).toEqual([
      352_800, 240_000, 48_000, 10_080, 840,
    ]);
    expect(forwardMacs(rgb).total).toBe(651_720);
    rgb.dispose();
    const gray = build('lenet5', [32, 32, 1]);
    expect(forwardMacs(gray).total).toBe(416_520);
    gray.dispose();
  });

  it('ResNet-20, 32×32×3: the commonly quoted ≈40.55M MACs', () => {
    // By hand: stem 1024·27·16 = 442,368; stage 1: 6 × 1024·144·16 = 14,155,776;
    // stage 2: 256·144·32 (stride 2) + 5 × 256·288·32 = 1,179,648 + 11,796,480;
    // stage 3: 64·288·64 (stride 2) + 5 × 64·576·64 = 1,179,648 + 11,796,480;
    // dense 64·10 = 640. Total 40,551,040 (option-A shortcuts have no MACs).
    const model = build('resnet20', [32, 32, 3]);
    const macs = forwardMacs(model);
    expect(macs.layers).toHaveLength(20);
    expect(macs.total).toBe(40_551_040);
    model.dispose();
  });
});
