/**
 * Chart colours: distinguishable with the common colour-vision deficiencies (Okabe & Ito 2008)
 * and at least 4.5:1 against the page background in both themes, so lines and labels stay
 * readable. They are CSS variables (app/globals.css, one value per theme), so a chart follows the
 * system's light or dark setting without being drawn again; svg-export.ts resolves them when a
 * chart is saved as a file.
 */
export const palette = {
  teacher: 'var(--series-teacher)',
  student: 'var(--series-student)',
  distilled: 'var(--series-distilled)',
  significant: 'var(--series-significant)',
  neutral: 'var(--series-neutral)',
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
