/**
 * "Toy shapes": a tiny, seeded, synthetic RGB image set for KD experiments.
 *
 * Why synthetic: the demo must run offline in seconds, and a generator lets
 * us plant a *sensitive attribute* (colour) that is correlated with the label
 * (shape) with a chosen strength. A model can then partly shortcut through
 * colour; comparing how teacher, student and distilled student rely on that
 * shortcut is exactly the kind of question KDLens studies.
 */

import { createRng, type Rng } from '../random/rng.ts';

export const toyShapeClassNames = ['circle', 'square', 'triangle', 'cross'] as const;
export const toyColorNames = ['red', 'green', 'blue', 'yellow'] as const;

/** RGB in 0..1 per colour; index-aligned with toyColorNames. */
const palette: readonly (readonly [number, number, number])[] = [
  [0.9, 0.15, 0.15],
  [0.15, 0.8, 0.2],
  [0.2, 0.3, 0.95],
  [0.9, 0.85, 0.15],
];

/** Each shape's "usual" colour: shape i is drawn in colour i. */
const usualColor = [0, 1, 2, 3] as const;

export const TOY_CHANNELS = 3;

export interface ToyShapesOptions {
  count: number;
  /** Square image side in pixels (default 16). */
  imageSize?: number;
  seed: number;
  /** Probability the colour is the shape's usual one (else uniform). Default 0.8. */
  colorCorrelation?: number;
}

/**
 * One split of the toy set in the float form trainUnit consumes: engine/training/splits.ts'
 * ImageSplit, which it satisfies structurally (data sets sit below the engine and import
 * nothing from it).
 */
export interface ToyShapesSplit {
  /** NHWC, [count, imageSize, imageSize, 3], values in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  colors: Int32Array;
  count: number;
  imageSize: number;
  channels: number;
  classNames: string[];
}

export interface ToyShapesDataset {
  /** NHWC, [count, imageSize, imageSize, 3], values in [0, 1]. */
  images: Float32Array;
  /** Shape class index per image (the prediction target). */
  labels: Int32Array;
  /** Colour index per image (the sensitive attribute). */
  colors: Int32Array;
  count: number;
  imageSize: number;
  classNames: string[];
  colorNames: string[];
}

/** True when the point (dx, dy) relative to the centre lies inside the shape. */
function inside(shape: number, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 0: // circle
      return dx * dx + dy * dy <= r * r;
    case 1: {
      // square, shrunk so its area is close to the circle's
      const h = r * 0.85;
      return Math.abs(dx) <= h && Math.abs(dy) <= h;
    }
    case 2: {
      // upward triangle with apex (0, -r) and base y = +r, half-width r
      if (dy < -r || dy > r) return false;
      const halfWidth = (r * (dy + r)) / (2 * r);
      return Math.abs(dx) <= halfWidth;
    }
    default: {
      // cross: two bars of thickness 2·r/3
      const t = r / 3;
      return (Math.abs(dx) <= r && Math.abs(dy) <= t) || (Math.abs(dy) <= r && Math.abs(dx) <= t);
    }
  }
}

const SUPERSAMPLE = 2;

/** Draws one image into `out` at `offset`. */
function drawImage(
  out: Float32Array,
  offset: number,
  size: number,
  shape: number,
  color: number,
  rng: Rng,
): void {
  const base = palette[color] ?? [1, 1, 1];
  // Per-image colour jitter so colour is informative but not a constant.
  const rgb = base.map((c) => Math.min(1, Math.max(0, c + rng.uniform(-0.1, 0.1))));
  const background = rng.uniform(0.05, 0.25);
  // Size and position jitter: radius 22–38% of the side, centre kept inside.
  const r = size * rng.uniform(0.22, 0.38);
  const margin = r + 0.5;
  const cx = rng.uniform(margin, size - margin);
  const cy = rng.uniform(margin, size - margin);
  const noise = 0.08;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // 2×2 supersampling gives soft edges, so small shapes stay recognisable.
      let cover = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const px = x + (sx + 0.5) / SUPERSAMPLE;
          const py = y + (sy + 0.5) / SUPERSAMPLE;
          if (inside(shape, px - cx, py - cy, r)) cover++;
        }
      }
      const a = cover / (SUPERSAMPLE * SUPERSAMPLE);
      const p = offset + (y * size + x) * TOY_CHANNELS;
      for (let c = 0; c < TOY_CHANNELS; c++) {
        const v = a * (rgb[c] ?? 0) + (1 - a) * background + noise * rng.normal();
        out[p + c] = Math.min(1, Math.max(0, v));
      }
    }
  }
}

/** Generates the dataset; identical output for identical options. */
export function generateToyShapes(opts: ToyShapesOptions): ToyShapesDataset {
  const { count, seed } = opts;
  const imageSize = opts.imageSize ?? 16;
  const colorCorrelation = opts.colorCorrelation ?? 0.8;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`generateToyShapes: count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isInteger(imageSize) || imageSize < 8) {
    throw new Error(`generateToyShapes: imageSize must be an integer >= 8, got ${imageSize}`);
  }
  if (!(colorCorrelation >= 0 && colorCorrelation <= 1)) {
    throw new Error(
      `generateToyShapes: colorCorrelation must be in [0, 1], got ${colorCorrelation}`,
    );
  }
  const rng = createRng(seed);
  const numClasses = toyShapeClassNames.length;
  const numColors = toyColorNames.length;
  const pixels = imageSize * imageSize * TOY_CHANNELS;
  const images = new Float32Array(count * pixels);
  const labels = new Int32Array(count);
  const colors = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const shape = rng.int(numClasses);
    const color = rng.next() < colorCorrelation ? (usualColor[shape] ?? 0) : rng.int(numColors);
    labels[i] = shape;
    colors[i] = color;
    drawImage(images, i * pixels, imageSize, shape, color, rng);
  }
  return {
    images,
    labels,
    colors,
    count,
    imageSize,
    classNames: [...toyShapeClassNames],
    colorNames: [...toyColorNames],
  };
}

function slice(ds: ToyShapesDataset, start: number, end: number): ToyShapesSplit {
  const pixels = ds.imageSize * ds.imageSize * TOY_CHANNELS;
  return {
    images: ds.images.slice(start * pixels, end * pixels),
    labels: ds.labels.slice(start, end),
    colors: ds.colors.slice(start, end),
    count: end - start,
    imageSize: ds.imageSize,
    channels: TOY_CHANNELS,
    classNames: ds.classNames,
  };
}

/** First `trainCount` images → train, the rest → test (already random order). */
export function splitToyShapes(
  ds: ToyShapesDataset,
  trainCount: number,
): { train: ToyShapesSplit; test: ToyShapesSplit } {
  if (!Number.isInteger(trainCount) || trainCount < 0 || trainCount > ds.count) {
    throw new Error(`splitToyShapes: trainCount must be in [0, ${ds.count}], got ${trainCount}`);
  }
  return { train: slice(ds, 0, trainCount), test: slice(ds, trainCount, ds.count) };
}
