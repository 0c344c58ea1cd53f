/** Public surface of the Trifeature generator (Hermann & Lampinen 2020). */
export { backgroundRgb, colorRgbs } from './colors.ts';
export { type GenerateTrifeatureOptions, generateTrifeature } from './generate-trifeature.ts';
export {
  defaultSupersample,
  renderTrifeature,
  renderTrifeatureInto,
  type TrifeatureScene,
} from './render-trifeature.ts';
export { renderTrifeatureGrid, type TrifeatureGridOptions } from './render-trifeature-grid.ts';
export {
  type SampledTrifeatureScene,
  sampleTrifeatureScene,
  trifeatureImageSeed,
} from './sample-trifeature-scene.ts';
export { loadTrifeatureDataset, type TrifeatureDatasetOptions } from './trifeature.dataset.ts';
export {
  type TrifeatureAttributeName,
  type TrifeatureColor,
  type TrifeatureShape,
  type TrifeatureTexture,
  trifeatureAttributeNames,
  trifeatureNames,
  trifeatureValues,
} from './trifeature-names.ts';
export { TrifeatureOptionError } from './trifeature-option-error.ts';
