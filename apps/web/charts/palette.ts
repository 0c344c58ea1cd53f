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
