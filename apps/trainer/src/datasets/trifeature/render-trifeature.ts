/**
 * Analytic rasteriser for one Trifeature image. Each (sub)pixel centre is rotated back into the
 * shape's frame, tested against the shape, and coloured by the texture at that frame point, so
 * the image is exact at any size and costs nothing to store. Supersampling averages an s×s
 * grid of samples per pixel to anti-alias edges and thin texture lines at small sizes. (An
 * adaptive variant that supersampled only pixels whose corners disagreed was no faster: at
 * 32 px a texture edge crosses most pixels of a textured shape.)
 */
import { backgroundRgb, colorRgbs, PATTERN_BRIGHTNESS } from './colors.ts';
import { insideShape } from './shapes.ts';
import { textureAt } from './textures.ts';
import {
  type TrifeatureColor,
  type TrifeatureShape,
  type TrifeatureTexture,
  trifeatureNames,
} from './trifeature-names.ts';
import { TrifeatureOptionError } from './trifeature-option-error.ts';

/** Everything that fixes one image. Codes index into `trifeatureNames`; names are accepted too. */
export interface TrifeatureScene {
  shape: number | TrifeatureShape;
  texture: number | TrifeatureTexture;
  color: number | TrifeatureColor;
  /** Image side in pixels. */
  size: number;
  /** Degrees, clockwise on screen (y points down). */
  rotation: number;
  /** Shape centre as a fraction of the image side (0.5 = middle). */
  cx: number;
  cy: number;
  /** Shape radius (of the unit disc every shape fits in) as a fraction of the image side. */
  scale: number;
  /** Shift of the texture in the shape frame, in shape radii, so patterns are not centred. */
  textureOffsetU?: number;
  textureOffsetV?: number;
  /** Samples per pixel side; default by size (see `defaultSupersample`). */
  supersample?: number;
}

/**
 * Shading: brightness falls off linearly across the shape from top-left to bottom-right by
 * ±SHADE, a little lighting variation so colour is not a single RGB triple per class.
 */
const SHADE = 0.12;

/**
 * 2×2 up to 128 px, 1 above (where a pixel is too small for aliasing to matter to a model). At
 * 32 px a 4×4 grid looked the same as 2×2 in a side-by-side preview but cost 2.5× as much.
 */
export function defaultSupersample(size: number): number {
  return size <= 128 ? 2 : 1;
}

function codeOf(value: number | string, names: readonly string[], option: string): number {
  const code = typeof value === 'number' ? value : names.indexOf(value);
  if (!Number.isInteger(code) || code < 0 || code >= names.length) {
    throw new TrifeatureOptionError(
      option,
      `expected one of ${names.join(', ')} (or a code 0..${names.length - 1}), got ${String(value)}`,
    );
  }
  return code;
}

/** Renders the scene as size×size×3 uint8 RGB, row-major. */
export function renderTrifeature(scene: TrifeatureScene): Uint8Array {
  if (!Number.isInteger(scene.size) || scene.size < 1) {
    throw new TrifeatureOptionError('size', `must be a positive integer, got ${scene.size}`);
  }
  const out = new Uint8Array(scene.size * scene.size * 3);
  renderTrifeatureInto(scene, out, 0);
  return out;
}

/** Renders the scene into `out` starting at byte `offset` (no allocation; for batches). */
export function renderTrifeatureInto(
  scene: TrifeatureScene,
  out: Uint8Array,
  offset: number,
): void {
  const { size } = scene;
  const shape = codeOf(scene.shape, trifeatureNames.shapes, 'shape');
  const texture = codeOf(scene.texture, trifeatureNames.textures, 'texture');
  const rgb = colorRgbs[codeOf(scene.color, trifeatureNames.colors, 'color')];
  if (rgb === undefined) {
    throw new Error('unreachable: codeOf checked the code range');
  }
  const ss = scene.supersample ?? defaultSupersample(size);
  if (!Number.isInteger(ss) || ss < 1) {
    throw new TrifeatureOptionError('supersample', `must be a positive integer, got ${ss}`);
  }

  const radius = scene.scale * size;
  const centreX = scene.cx * size;
  const centreY = scene.cy * size;
  const angle = (scene.rotation * Math.PI) / 180;
  // Inverse rotation, pre-divided by the radius: image offset → shape frame.
  const cos = Math.cos(angle) / radius;
  const sin = Math.sin(angle) / radius;
  const offU = scene.textureOffsetU ?? 0;
  const offV = scene.textureOffsetV ?? 0;
  const [bgR, bgG, bgB] = backgroundRgb;
  const [colR, colG, colB] = rgb;
  const samples = ss * ss;
  const step = 1 / ss;
  const shadeNorm = SHADE / (radius * Math.SQRT2);
  // Pixels whose centre is farther than this from the shape centre cannot touch the unit disc.
  const reach = radius + Math.SQRT1_2;

  for (let py = 0; py < size; py++) {
    const dyCentre = py + 0.5 - centreY;
    let xStart = size;
    let xEnd = size;
    if (Math.abs(dyCentre) <= reach) {
      const half = Math.sqrt(reach * reach - dyCentre * dyCentre);
      xStart = Math.max(0, Math.floor(centreX - half));
      xEnd = Math.min(size, Math.ceil(centreX + half));
    }
    const row = offset + py * size * 3;
    for (let px = 0; px < size; px++) {
      const o = row + px * 3;
      let hits = 0;
      let lit = 0;
      if (px >= xStart && px < xEnd) {
        for (let sy = 0; sy < ss; sy++) {
          const dy = py + (sy + 0.5) * step - centreY;
          for (let sx = 0; sx < ss; sx++) {
            const dx = px + (sx + 0.5) * step - centreX;
            const u = cos * dx + sin * dy;
            const v = cos * dy - sin * dx;
            if (insideShape(shape, u, v)) {
              hits++;
              lit += textureAt(texture, u + offU, v + offV);
            }
          }
        }
      }
      if (hits === 0) {
        out[o] = bgR;
        out[o + 1] = bgG;
        out[o + 2] = bgB;
        continue;
      }
      const shade = 1 - shadeNorm * (px + 0.5 - centreX + (py + 0.5 - centreY));
      const colourWeight = (shade * (lit + PATTERN_BRIGHTNESS * (hits - lit))) / samples;
      const backgroundWeight = (samples - hits) / samples;
      out[o] = Math.min(255, Math.round(colR * colourWeight + bgR * backgroundWeight));
      out[o + 1] = Math.min(255, Math.round(colG * colourWeight + bgG * backgroundWeight));
      out[o + 2] = Math.min(255, Math.round(colB * colourWeight + bgB * backgroundWeight));
    }
  }
}
