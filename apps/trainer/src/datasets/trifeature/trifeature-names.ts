/**
 * The three Trifeature attributes and their values, in the order of Hermann & Lampinen (2020).
 * The order matters: codes in labels and attributes index into these lists, and under a
 * shape–colour correlation shape i's "own" colour is colour i.
 */
export const trifeatureNames = {
  shapes: [
    'triangle',
    'square',
    'plus',
    'circle',
    'tee',
    'rhombus',
    'pentagon',
    'star',
    'fivesquare',
    'trapezoid',
  ],
  textures: [
    'solid',
    'stripes',
    'grid',
    'hexgrid',
    'dots',
    'noise',
    'triangles',
    'zigzags',
    'rain',
    'pluses',
  ],
  colors: ['red', 'green', 'blue', 'yellow', 'pink', 'cyan', 'purple', 'ocean', 'orange', 'white'],
} as const;

export type TrifeatureShape = (typeof trifeatureNames.shapes)[number];
export type TrifeatureTexture = (typeof trifeatureNames.textures)[number];
export type TrifeatureColor = (typeof trifeatureNames.colors)[number];

/** The attribute names a Trifeature label or sensitive attribute may take. */
export const trifeatureAttributeNames = ['shape', 'texture', 'color'] as const;
export type TrifeatureAttributeName = (typeof trifeatureAttributeNames)[number];

/** Value names of one attribute. */
export function trifeatureValues(attribute: TrifeatureAttributeName): readonly string[] {
  switch (attribute) {
    case 'shape':
      return trifeatureNames.shapes;
    case 'texture':
      return trifeatureNames.textures;
    case 'color':
      return trifeatureNames.colors;
  }
}
