/**
 * The standard CIFAR training augmentation (He et al. 2016, §4.2; torchvision's
 * RandomCrop(32, padding=4) + RandomHorizontalFlip()): zero-pad by `padding` on every side, take a
 * random height×width crop, mirror left-right with probability 1/2. Seeded, so a training run
 * that is repeated sees the same augmented batches; evaluation simply does not call it.
 */
import { createRandom } from '@kdlens/metrics';

export interface AugmentOptions {
  /** Zero padding on each side before cropping (default 4, the CIFAR recipe). */
  padding?: number;
  /** Mirror left-right with probability 1/2 (default true). */
  flip?: boolean;
  /** Integer seed of the draws; the same seed gives the same batch. */
  seed: number;
}

/**
 * Returns a new NHWC batch of the input's type (uint8 pixels from the loaders, or the float32
 * batches trainUnit feeds the model); the input is not modified. Each image draws, in order, its
 * row offset, column offset (each uniform in -padding..padding) and flip — all three always, so
 * turning one option off does not change the other draws for a seed.
 */
export function augmentBatch<T extends Uint8Array | Float32Array>(
  pixels: T,
  count: number,
  height: number,
  width: number,
  channels: number,
  options: AugmentOptions,
): T {
  const padding = options.padding ?? 4;
  const flip = options.flip ?? true;
  for (const [name, value] of Object.entries({ count, height, width, channels, padding })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${name}: expected a non-negative integer, got ${value}`);
    }
  }
  const rowBytes = width * channels;
  const imageBytes = height * rowBytes;
  if (pixels.length !== count * imageBytes) {
    throw new RangeError(
      `pixels: expected ${count}×${height}×${width}×${channels} = ${count * imageBytes} bytes, got ${pixels.length}`,
    );
  }
  const random = createRandom(options.seed);
  const offsets = 2 * padding + 1;
  // Zero-initialised, so output pixels whose source lies in the padding need no writing.
  const out = (
    pixels instanceof Float32Array ? new Float32Array(pixels.length) : new Uint8Array(pixels.length)
  ) as T;
  for (let n = 0; n < count; n++) {
    // Output (y, x) shows input (y + dy, x + dx); the crop window's corner in the padded image
    // is (padding + dy, padding + dx).
    const dy = random.int(offsets) - padding;
    const dx = random.int(offsets) - padding;
    const mirror = random.next() < 0.5 && flip;
    const base = n * imageBytes;
    const yStart = Math.max(0, -dy);
    const yEnd = Math.min(height, height - dy);
    const xStart = Math.max(0, -dx);
    const xEnd = Math.min(width, width - dx);
    const rowLength = (xEnd - xStart) * channels;
    for (let y = yStart; y < yEnd; y++) {
      const sourceRow = base + (y + dy) * rowBytes;
      const targetRow = base + y * rowBytes;
      if (!mirror) {
        const from = sourceRow + (xStart + dx) * channels;
        out.set(pixels.subarray(from, from + rowLength), targetRow + xStart * channels);
        continue;
      }
      // Walk the source forwards and the target backwards, pixel by pixel, channels in order.
      let from = sourceRow + (xStart + dx) * channels;
      let to = targetRow + (width - 1 - xStart) * channels;
      for (let x = xStart; x < xEnd; x++, from += channels, to -= channels) {
        for (let c = 0; c < channels; c++) out[to + c] = pixels[from + c] ?? 0;
      }
    }
  }
  return out;
}
