/**
 * A split as a study reads it, before it becomes model input: decoded images, token ids, or
 * image files not decoded yet. Sampling (subset, validation) works on all three alike, so a
 * file-backed data set (ImageNet, CelebA) is cut down before a single image is decoded.
 */
import type { ImageSplit, TextSplit } from '../datasets/dataset.ts';
import type { ImageSplitIndex } from '../datasets/image-index.ts';

export type SourceSplit =
  | { kind: 'image'; split: ImageSplit; ids: string[] }
  | { kind: 'text'; split: TextSplit; ids: string[] }
  | { kind: 'files'; index: ImageSplitIndex; ids: string[] };

export function sourceLabels(s: SourceSplit): Int32Array {
  return s.kind === 'files' ? s.index.labels : s.split.labels;
}

export function sourceAttributes(s: SourceSplit): Record<string, Int32Array> {
  return s.kind === 'files' ? s.index.attributes : s.split.attributes;
}

function pickInts(values: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (r) => values[r] ?? 0);
}

function pickStride<T extends Uint8Array | Int32Array>(
  values: T,
  stride: number,
  rows: Int32Array,
  out: T,
): T {
  rows.forEach((r, i) => {
    out.set(values.subarray(r * stride, (r + 1) * stride), i * stride);
  });
  return out;
}

/** The rows at `positions`, in that order. */
export function pickRows(s: SourceSplit, positions: Int32Array): SourceSplit {
  const ids = Array.from(positions, (r) => s.ids[r] ?? String(r));
  const attributes = Object.fromEntries(
    Object.entries(sourceAttributes(s)).map(([name, codes]) => [name, pickInts(codes, positions)]),
  );
  const n = positions.length;
  switch (s.kind) {
    case 'files':
      return {
        kind: 'files',
        ids,
        index: {
          files: Array.from(positions, (r) => s.index.files[r] ?? ''),
          labels: pickInts(s.index.labels, positions),
          attributes,
          indices: pickInts(s.index.indices, positions),
          within: s.index.within,
        },
      };
    case 'image': {
      const { split } = s;
      const stride = split.height * split.width * split.channels;
      return {
        kind: 'image',
        ids,
        split: {
          ...split,
          count: n,
          pixels: pickStride(split.pixels, stride, positions, new Uint8Array(n * stride)),
          labels: pickInts(split.labels, positions),
          attributes,
          indices: pickInts(split.indices, positions),
        },
      };
    }
    case 'text': {
      const { split } = s;
      return {
        kind: 'text',
        ids,
        split: {
          ...split,
          count: n,
          tokens: pickStride(
            split.tokens,
            split.maxLength,
            positions,
            new Int32Array(n * split.maxLength),
          ),
          labels: pickInts(split.labels, positions),
          attributes,
          indices: pickInts(split.indices, positions),
        },
      };
    }
  }
}
