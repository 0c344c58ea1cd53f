/**
 * A PNG contact sheet of Trifeature samples, for eyeballing the generator
 * (`kdlens datasets render trifeature --out preview.png`).
 */
import sharp from 'sharp';
import { generateTrifeature } from './generate-trifeature.ts';
import type { TrifeatureAttributeName } from './trifeature-names.ts';
import { TrifeatureOptionError } from './trifeature-option-error.ts';
import { checkCount } from './validate-trifeature-options.ts';

export interface TrifeatureGridOptions {
  rows: number;
  cols: number;
  /** Side of each sample in pixels (default 64). */
  size?: number;
  seed: number;
  correlation?: number;
  label?: TrifeatureAttributeName;
  /** Pixels between samples (default 2). */
  gap?: number;
}

/** Separates tiles: darker than the gray background so tile borders show. */
const GAP_RGB = [40, 40, 40] as const;

/** Samples with indices 0..rows·cols−1 laid out row by row, as a PNG. */
export async function renderTrifeatureGrid(options: TrifeatureGridOptions): Promise<Buffer> {
  const { rows, cols } = options;
  const size = options.size ?? 64;
  const gap = options.gap ?? 2;
  for (const [option, value] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TrifeatureOptionError(option, `must be an integer ≥ 1, got ${value}`);
    }
  }
  checkCount('gap', gap);
  const batch = generateTrifeature({
    count: rows * cols,
    size,
    seed: options.seed,
    correlation: options.correlation,
    label: options.label,
  });
  const width = cols * size + (cols + 1) * gap;
  const height = rows * size + (rows + 1) * gap;
  const sheet = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) sheet.set(GAP_RGB, p * 3);
  for (let k = 0; k < rows * cols; k++) {
    const left = gap + (k % cols) * (size + gap);
    const top = gap + Math.floor(k / cols) * (size + gap);
    for (let y = 0; y < size; y++) {
      const from = (k * size * size + y * size) * 3;
      sheet.set(batch.pixels.subarray(from, from + size * 3), ((top + y) * width + left) * 3);
    }
  }
  return sharp(sheet, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
