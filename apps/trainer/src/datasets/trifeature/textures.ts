/**
 * The ten Trifeature textures as functions of a point in the shape's frame (u, v in units of the
 * shape's radius, after the per-image texture offset). Each returns 1 where the shape shows its
 * colour and 0 where it shows the dark pattern. Because they read the rotated coordinates, a
 * texture turns and scales with its shape; its periods (about a quarter of the shape's radius)
 * are chosen so the pattern is still a few pixels wide at 32 px.
 */
import { trifeatureNames } from './trifeature-names.ts';

const SQRT3 = Math.sqrt(3);

function frac(x: number): number {
  return x - Math.floor(x);
}

/** A 32-bit hash of a lattice cell, in [0, 1): fixed pseudo-random values for noise and rain. */
function cellHash(i: number, j: number): number {
  // MurmurHash3's finaliser over the two cell coordinates.
  let h = Math.imul(i, 0x85ebca6b) ^ Math.imul(j, 0xc2b2ae35) ^ 0x27d4eb2f;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const STRIPE_PERIOD = 0.5;
const GRID_PERIOD = 0.55;
const GRID_LINE = 0.3;
const HEX_SCALE = 0.55;
const HEX_LINE = 0.14;
const DOT_PERIOD = 0.5;
const DOT_RADIUS = 0.3;
const NOISE_CELL = 0.22;
const TRIANGLE_HEIGHT = 0.5;
const ZIGZAG_PERIOD = 0.55;
const ZIGZAG_WAVELENGTH = 0.6;
const RAIN_COLUMN = 0.45;
const RAIN_DROP = 1.1;
const PLUS_PERIOD = 0.62;

function hexgrid(u: number, v: number): number {
  // Hexagons of inradius ½ on the lattice (1, √3) and its half-shifted copy; the nearer centre
  // owns the point, and its hexagonal distance says how close the point is to a cell wall.
  const x = u / HEX_SCALE;
  const y = v / HEX_SCALE;
  const ax = frac(x) - 0.5;
  const ay = (frac(y / SQRT3) - 0.5) * SQRT3;
  const bx = frac(x - 0.5) - 0.5;
  const by = (frac((y - SQRT3 / 2) / SQRT3) - 0.5) * SQRT3;
  const useA = ax * ax + ay * ay < bx * bx + by * by;
  const qx = Math.abs(useA ? ax : bx);
  const qy = Math.abs(useA ? ay : by);
  const hexDistance = Math.max(qx, 0.5 * qx + (SQRT3 / 2) * qy);
  return hexDistance > 0.5 - HEX_LINE ? 0 : 1;
}

function dots(u: number, v: number): number {
  // Rows offset by half a period pack the dots hexagonally, so no grid lines show through.
  const row = Math.floor(v / DOT_PERIOD);
  const x = frac(u / DOT_PERIOD + (row & 1) * 0.5) - 0.5;
  const y = frac(v / DOT_PERIOD) - 0.5;
  return x * x + y * y < DOT_RADIUS * DOT_RADIUS ? 0 : 1;
}

function triangles(u: number, v: number): number {
  // Three line families 60° apart cut the plane into equilateral triangles; with
  // n1 = n2 + n3 the carry of frac(n2·p) + frac(n3·p) tells up- from down-pointing ones.
  const a = frac((-(SQRT3 / 2) * u + 0.5 * v) / TRIANGLE_HEIGHT);
  const b = frac(((SQRT3 / 2) * u + 0.5 * v) / TRIANGLE_HEIGHT);
  return a + b >= 1 ? 0 : 1;
}

function zigzags(u: number, v: number): number {
  const wave = Math.abs(2 * frac(u / ZIGZAG_WAVELENGTH) - 1);
  return frac(v / ZIGZAG_PERIOD + wave) < 0.42 ? 0 : 1;
}

function rain(u: number, v: number): number {
  // Slanted columns of short dashes, each column shifted by its own hashed phase.
  const x = u / RAIN_COLUMN + 0.35 * (v / RAIN_COLUMN);
  const column = Math.floor(x);
  const across = frac(x) - 0.5;
  const along = frac(v / RAIN_DROP + cellHash(column, 17));
  return Math.abs(across) < 0.17 && along < 0.5 ? 0 : 1;
}

function pluses(u: number, v: number): number {
  const row = Math.floor(v / PLUS_PERIOD);
  const x = Math.abs(frac(u / PLUS_PERIOD + (row & 1) * 0.5) - 0.5);
  const y = Math.abs(frac(v / PLUS_PERIOD) - 0.5);
  return (x < 0.11 && y < 0.36) || (y < 0.11 && x < 0.36) ? 0 : 1;
}

/**
 * 1 = colour, 0 = dark pattern, for texture `code` (the order of `trifeatureNames.textures`) at
 * shape-frame point (u, v). A switch for the same reason as `insideShape`.
 */
export function textureAt(code: number, u: number, v: number): number {
  switch (code) {
    case 0:
      return 1;
    case 1:
      return frac(v / STRIPE_PERIOD) < 0.5 ? 0 : 1;
    case 2:
      return frac(u / GRID_PERIOD) < GRID_LINE || frac(v / GRID_PERIOD) < GRID_LINE ? 0 : 1;
    case 3:
      return hexgrid(u, v);
    case 4:
      return dots(u, v);
    case 5:
      return cellHash(Math.floor(u / NOISE_CELL), Math.floor(v / NOISE_CELL)) < 0.5 ? 0 : 1;
    case 6:
      return triangles(u, v);
    case 7:
      return zigzags(u, v);
    case 8:
      return rain(u, v);
    case 9:
      return pluses(u, v);
    default:
      throw new RangeError(
        `texture code ${code} is not in 0..${trifeatureNames.textures.length - 1}`,
      );
  }
}
