import { describe, expect, it } from 'vitest';
import { renderTrifeature, type TrifeatureScene } from './render-trifeature.ts';
import { TrifeatureOptionError } from './trifeature-option-error.ts';

const GRAY = [128, 128, 128];

function pixel(image: Uint8Array, size: number, x: number, y: number): number[] {
  const o = (y * size + x) * 3;
  return [image[o] ?? -1, image[o + 1] ?? -1, image[o + 2] ?? -1];
}

const redSquare: TrifeatureScene = {
  shape: 'square',
  texture: 'solid',
  color: 'red',
  size: 64,
  rotation: 0,
  cx: 0.5,
  cy: 0.5,
  scale: 0.3,
};

describe('renderTrifeature', () => {
  it('returns size×size×3 bytes with gray corners', () => {
    const image = renderTrifeature(redSquare);
    expect(image.length).toBe(64 * 64 * 3);
    for (const [x, y] of [
      [0, 0],
      [63, 0],
      [0, 63],
      [63, 63],
    ] as const) {
      expect(pixel(image, 64, x, y)).toEqual(GRAY);
    }
  });

  it('paints the centre of an unrotated solid red square red', () => {
    const [r, g, b] = pixel(renderTrifeature(redSquare), 64, 32, 32);
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(70);
    expect(b).toBeLessThan(70);
  });

  it('rotates clockwise by degrees: a square turned 45° reaches past its unrotated half-side', () => {
    // Half-side 0.7 radii = 13.4 px at 64 px × 0.3; turned 45°, its corner lies 0.99 radii
    // = 19 px out along the axis. A point 16.5 px right of the centre is in only the turned one.
    const probe = (rotation: number) =>
      pixel(renderTrifeature({ ...redSquare, rotation }), 64, 48, 31);
    expect(probe(0)).toEqual(GRAY);
    expect(probe(45)[0]).toBeGreaterThan(180);
    // Clockwise on screen: the triangle's top vertex moves right, so a point up-right of the
    // centre is inside after +30° and outside after −30°.
    const triangle = (rotation: number) =>
      pixel(renderTrifeature({ ...redSquare, shape: 'triangle', rotation }), 64, 38, 18);
    expect(triangle(30)[0]).toBeGreaterThan(180);
    expect(triangle(-30)).toEqual(GRAY);
  });

  it('anti-aliases edges: a pixel cut by the edge mixes shape and background', () => {
    // Right edge of the square at 32 + 0.7 × 19.2 = 45.44 px: pixel 45 is 44% red.
    const [r, g] = pixel(renderTrifeature({ ...redSquare, supersample: 4 }), 64, 45, 32);
    expect(r).toBeGreaterThan(128);
    expect(r).toBeLessThan(225);
    expect(g).toBeGreaterThan(30);
    expect(g).toBeLessThan(128);
  });

  it('darkens the pattern of a textured shape but keeps its hue', () => {
    const image = renderTrifeature({ ...redSquare, texture: 'stripes', size: 224, scale: 0.4 });
    const column: number[][] = [];
    for (let y = 90; y < 134; y++) column.push(pixel(image, 224, 112, y));
    const reds = column.map(([r]) => r ?? 0);
    expect(Math.max(...reds)).toBeGreaterThan(200);
    expect(Math.min(...reds)).toBeLessThan(90);
    for (const [r, g, b] of column) {
      expect(r).toBeGreaterThan(g ?? 0);
      expect(r).toBeGreaterThan(b ?? 0);
    }
  });

  it('accepts codes and names alike', () => {
    expect(renderTrifeature({ ...redSquare, shape: 1, texture: 0, color: 0 })).toEqual(
      renderTrifeature(redSquare),
    );
  });

  it('names the option when a value is unknown', () => {
    expect(() => renderTrifeature({ ...redSquare, shape: 'hexagon' as 'square' })).toThrow(
      TrifeatureOptionError,
    );
    expect(() => renderTrifeature({ ...redSquare, color: 10 })).toThrow(
      /option color: expected one of red/,
    );
    expect(() => renderTrifeature({ ...redSquare, supersample: 0 })).toThrow(/option supersample/);
  });
});
