/**
 * RGB values (0..255) of the ten Trifeature colours and the gray background. Chosen to be far
 * from the background and from each other, so colour is easy to tell even on a textured shape;
 * ocean sits between blue and cyan but darker than both.
 */
import { trifeatureNames } from './trifeature-names.ts';

export type Rgb = readonly [number, number, number];

export const backgroundRgb: Rgb = [128, 128, 128];

const rgbByName: Record<(typeof trifeatureNames.colors)[number], Rgb> = {
  red: [225, 30, 30],
  green: [40, 185, 50],
  blue: [35, 70, 235],
  yellow: [245, 225, 35],
  pink: [250, 130, 205],
  cyan: [40, 225, 235],
  purple: [135, 45, 190],
  ocean: [20, 110, 140],
  orange: [250, 140, 20],
  white: [250, 250, 250],
};

/** Colour RGBs indexed by colour code (the order of `trifeatureNames.colors`). */
export const colorRgbs: readonly Rgb[] = trifeatureNames.colors.map((name) => rgbByName[name]);

/**
 * How bright a texture's dark pattern is relative to the colour: dark enough to read against
 * the colour, and (being a shade of it) still carrying the hue, so a textured shape keeps its
 * colour. 0.3 keeps white's pattern (75) apart from the gray background (128).
 */
export const PATTERN_BRIGHTNESS = 0.3;
