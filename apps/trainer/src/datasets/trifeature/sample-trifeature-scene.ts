/**
 * Draws the random content of Trifeature image `index` of data set `seed`. Each image has its
 * own PRNG stream, seeded from (seed, index), so an image depends on nothing but those two
 * numbers: the same index gives the same image whatever the batch, count or split it is
 * generated in.
 */
import { createRandom } from '@kdlens/metrics';
import type { TrifeatureScene } from './render-trifeature.ts';
import { trifeatureNames } from './trifeature-names.ts';

/** A sampled scene: codes rather than names, and no size (the same draw renders at any size). */
export interface SampledTrifeatureScene
  extends Omit<TrifeatureScene, 'shape' | 'texture' | 'color' | 'size' | 'supersample'> {
  shape: number;
  texture: number;
  color: number;
  textureOffsetU: number;
  textureOffsetV: number;
}

/** Rotation is uniform in ±MAX_ROTATION degrees, as in Hermann & Lampinen (2020). */
export const MAX_ROTATION = 45;
/** Shape radius as a fraction of the image side, ± SCALE_JITTER relative. */
export const BASE_SCALE = 0.3;
export const SCALE_JITTER = 0.1;
/** Gap kept between the shape's bounding disc and the image border, as a fraction of the side. */
const BORDER = 0.02;
/** Texture offsets are uniform over this many shape radii: many periods of every texture. */
const TEXTURE_OFFSET_RANGE = 8;

const TWO_POW_32 = 4294967296;

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The PRNG seed of image `index`. Hashed rather than `seed + index` because Mulberry32 streams
 * from nearby seeds are shifted copies of each other, which would correlate neighbouring images.
 */
export function trifeatureImageSeed(seed: number, index: number): number {
  const high = Math.floor(seed / TWO_POW_32);
  let h = fmix32(seed ^ 0x5bd1e995);
  h = fmix32(h ^ Math.imul(high | 0, 0x27d4eb2d));
  return fmix32(h + Math.imul(index | 0, 0x9e3779b9));
}

/**
 * Draws image `index`: shape uniform; with probability `correlation` the shape's own colour
 * (shape i → colour i), otherwise a uniform colour; texture uniform; pose uniform. Every draw is
 * made whatever the branch, so changing `correlation` changes only the colour of some images
 * and leaves shapes, textures and poses as they were.
 */
export function sampleTrifeatureScene(
  seed: number,
  index: number,
  correlation: number,
): SampledTrifeatureScene {
  const random = createRandom(trifeatureImageSeed(seed, index));
  const shape = random.int(trifeatureNames.shapes.length);
  const takeOwnColor = random.next() < correlation;
  const freeColor = random.int(trifeatureNames.colors.length);
  const texture = random.int(trifeatureNames.textures.length);
  const rotation = (2 * random.next() - 1) * MAX_ROTATION;
  const scale = BASE_SCALE * (1 + (2 * random.next() - 1) * SCALE_JITTER);
  // Any rotation of a shape stays in its unit disc, so keeping the disc inside the image
  // keeps the whole shape inside, and the corners are always background.
  const margin = scale + BORDER;
  const cx = margin + random.next() * (1 - 2 * margin);
  const cy = margin + random.next() * (1 - 2 * margin);
  const textureOffsetU = random.next() * TEXTURE_OFFSET_RANGE;
  const textureOffsetV = random.next() * TEXTURE_OFFSET_RANGE;
  return {
    shape,
    texture,
    color: takeOwnColor ? shape : freeColor,
    rotation,
    cx,
    cy,
    scale,
    textureOffsetU,
    textureOffsetV,
  };
}
