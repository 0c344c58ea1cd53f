/**
 * Chart colours: distinguishable with the common colour-vision deficiencies (Okabe & Ito 2008)
 * and at least 4.5:1 against white, so lines and labels stay readable.
 */
export const palette = {
  teacher: '#a14a00',
  student: '#6a3d9a',
  distilled: '#0b5cad',
  significant: '#c4122f',
  neutral: '#6e7781',
} as const;

/**
 * One colour per experiment on the compare page (up to eight), in order: Okabe & Ito's hues,
 * darkened where needed to keep 4.5:1 against white.
 */
export const seriesPalette = [
  '#0b5cad',
  '#a14a00',
  '#00735a',
  '#6a3d9a',
  '#c4122f',
  '#1f1f1f',
  '#8a6d00',
  '#a3307a',
] as const;
