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
 * One colour per experiment on the compare page (up to eight), in order: Okabe & Ito's hues at
 * 4.5:1 against the page in each theme (CSS variables, like the series above).
 */
export const seriesPalette = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `var(--experiment-${i})`);
