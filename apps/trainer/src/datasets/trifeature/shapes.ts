/**
 * Point-in-shape tests for the ten Trifeature shapes, in the shape's own frame: u to the right,
 * v downwards (image convention, so an unrotated tee has its bar on top), in units of the shape's
 * radius. Every shape lies inside the unit disc, so a renderer can place and rotate it anywhere
 * that disc fits and can skip pixels outside it without testing them.
 */
import { trifeatureNames } from './trifeature-names.ts';

/** Half-planes nx·u + ny·v ≤ d whose intersection is a convex polygon. */
type HalfPlanes = Float64Array;

/**
 * A regular polygon with circumradius `radius`, one vertex straight up, moved down by `shiftV`
 * (to centre a shape whose top and bottom extents differ, e.g. the triangle).
 */
function regularPolygon(sides: number, radius: number, shiftV: number): HalfPlanes {
  const planes = new Float64Array(sides * 3);
  const apothem = radius * Math.cos(Math.PI / sides);
  for (let k = 0; k < sides; k++) {
    // Edge normals sit halfway between vertices; the first vertex is at −90° (up).
    const angle = -Math.PI / 2 + Math.PI / sides + (2 * Math.PI * k) / sides;
    const nx = Math.cos(angle);
    const ny = Math.sin(angle);
    planes[k * 3] = nx;
    planes[k * 3 + 1] = ny;
    planes[k * 3 + 2] = apothem + ny * shiftV;
  }
  return planes;
}

function insideConvex(planes: HalfPlanes, u: number, v: number): boolean {
  for (let k = 0; k < planes.length; k += 3) {
    if ((planes[k] as number) * u + (planes[k + 1] as number) * v > (planes[k + 2] as number)) {
      return false;
    }
  }
  return true;
}

// Circumradius 1: the largest triangle the unit disc holds (centring its box instead would
// shrink it by 13%, and at 32 px it is already the smallest shape).
const trianglePlanes = regularPolygon(3, 1, 0);
const pentagonPlanes = regularPolygon(5, 0.92, 0.06);

// Isosceles trapezoid, the wide side at the bottom; corners stay inside the unit disc.
const TRAPEZOID_TOP = -0.6;
const TRAPEZOID_BOTTOM = 0.52;
const TRAPEZOID_TOP_HALF = 0.5;
const TRAPEZOID_BOTTOM_HALF = 0.85;

// A five-pointed star fatter than the regular pentagram (inner radius 0.382), so its arms
// survive at 32 px. Tested as five convex kites (centre, notch, tip, notch): half-plane tests
// only, several times faster per sample than folding the angle with atan2.
const STAR_OUTER = 1;
const STAR_INNER = 0.45;

/** Half-planes of the convex polygon through `points` (x, y pairs, in order around it). */
function convexPolygon(points: readonly number[]): HalfPlanes {
  const n = points.length / 2;
  let meanX = 0;
  let meanY = 0;
  for (let k = 0; k < n; k++) {
    meanX += (points[2 * k] as number) / n;
    meanY += (points[2 * k + 1] as number) / n;
  }
  const planes = new Float64Array(n * 3);
  for (let k = 0; k < n; k++) {
    const ax = points[2 * k] as number;
    const ay = points[2 * k + 1] as number;
    const bx = points[(2 * k + 2) % (2 * n)] as number;
    const by = points[(2 * k + 3) % (2 * n)] as number;
    let nx = by - ay;
    let ny = ax - bx;
    // Orient each normal away from the polygon's interior (its vertex mean).
    if (nx * (meanX - ax) + ny * (meanY - ay) > 0) {
      nx = -nx;
      ny = -ny;
    }
    planes[k * 3] = nx;
    planes[k * 3 + 1] = ny;
    planes[k * 3 + 2] = nx * ax + ny * ay;
  }
  return planes;
}

const starKites: HalfPlanes[] = [];
for (let k = 0; k < 5; k++) {
  // Angles measured from straight up, clockwise; v points down.
  const point = (angle: number, radius: number): number[] => [
    radius * Math.sin(angle),
    -radius * Math.cos(angle),
  ];
  const tip = (2 * Math.PI * k) / 5;
  starKites.push(
    convexPolygon([
      0,
      0,
      ...point(tip - Math.PI / 5, STAR_INNER),
      ...point(tip, STAR_OUTER),
      ...point(tip + Math.PI / 5, STAR_INNER),
    ]),
  );
}

function insideStar(u: number, v: number): boolean {
  for (const kite of starKites) {
    if (insideConvex(kite, u, v)) return true;
  }
  return false;
}

// Five squares in a die's quincunx; the corner squares overlap the centre one slightly so the
// shape stays one connected blob whose outline a small CNN can follow.
const FIVESQUARE_OFFSET = 0.45;
const FIVESQUARE_HALF = 0.25;

function insideFivesquare(u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  if (au <= FIVESQUARE_HALF && av <= FIVESQUARE_HALF) return true;
  return (
    Math.abs(au - FIVESQUARE_OFFSET) <= FIVESQUARE_HALF &&
    Math.abs(av - FIVESQUARE_OFFSET) <= FIVESQUARE_HALF
  );
}

function insideSquare(u: number, v: number): boolean {
  return Math.abs(u) <= 0.7 && Math.abs(v) <= 0.7;
}

function insidePlus(u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  return (au <= 0.3 && av <= 0.9) || (av <= 0.3 && au <= 0.9);
}

function insideTee(u: number, v: number): boolean {
  return (
    (v >= -0.65 && v <= -0.25 && Math.abs(u) <= 0.75) ||
    (v >= -0.25 && v <= 0.9 && Math.abs(u) <= 0.25)
  );
}

function insideTrapezoid(u: number, v: number): boolean {
  if (v < TRAPEZOID_TOP || v > TRAPEZOID_BOTTOM) return false;
  const t = (v - TRAPEZOID_TOP) / (TRAPEZOID_BOTTOM - TRAPEZOID_TOP);
  return Math.abs(u) <= TRAPEZOID_TOP_HALF + t * (TRAPEZOID_BOTTOM_HALF - TRAPEZOID_TOP_HALF);
}

/**
 * True when (u, v) lies inside shape `code` (the order of `trifeatureNames.shapes`). A switch
 * rather than a table of functions: the renderer's per-sample call then stays monomorphic and
 * V8 inlines the case bodies, about 3× faster over a mixed batch than calling through a table.
 */
export function insideShape(code: number, u: number, v: number): boolean {
  switch (code) {
    case 0:
      return insideConvex(trianglePlanes, u, v);
    case 1:
      return insideSquare(u, v);
    case 2:
      return insidePlus(u, v);
    case 3:
      return u * u + v * v <= 0.85 * 0.85;
    case 4:
      return insideTee(u, v);
    case 5:
      return Math.abs(u) / 0.7 + Math.abs(v) / 0.98 <= 1;
    case 6:
      return insideConvex(pentagonPlanes, u, v);
    case 7:
      return insideStar(u, v);
    case 8:
      return insideFivesquare(u, v);
    case 9:
      return insideTrapezoid(u, v);
    default:
      throw new RangeError(`shape code ${code} is not in 0..${trifeatureNames.shapes.length - 1}`);
  }
}
