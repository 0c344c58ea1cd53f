import type { Attribute, LoadedDataset, SplitName } from './dataset.ts';
import { splitNames } from './dataset.ts';
import type { ImageDatasetIndex } from './image-index.ts';

/** What `kdlens datasets inspect` reports: enough to check a download before training on it. */
export interface DatasetSummary {
  name: string;
  label: Attribute;
  attributes: Attribute[];
  /** e.g. "28×28×1", "64 tokens", or "decoded to the model's input size" for image files. */
  input: string;
  splits: {
    split: SplitName;
    count: number;
    /** Examples per label value, in the order of `label.values`. */
    perClass: number[];
    /** Examples per value of each attribute, in the order of its `values`. */
    perAttribute: Record<string, number[]>;
  }[];
}

function tally(codes: Int32Array, size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

/** Counts a loaded data set or an index of image files (which needs no decoding). */
export function summarizeDataset(dataset: LoadedDataset | ImageDatasetIndex): DatasetSummary {
  let input = 'image files, decoded to the model input size';
  const splits: DatasetSummary['splits'] = [];
  for (const split of splitNames) {
    const data = dataset.splits[split];
    if (!data) continue;
    if ('kind' in data) {
      input =
        data.kind === 'image'
          ? `${data.height}×${data.width}×${data.channels}`
          : `${data.maxLength} tokens`;
    }
    const count = 'kind' in data ? data.count : data.files.length;
    splits.push({
      split,
      count,
      perClass: tally(data.labels, dataset.label.values.length),
      perAttribute: Object.fromEntries(
        dataset.attributes.map((a) => [
          a.name,
          tally(data.attributes[a.name] ?? new Int32Array(), a.values.length),
        ]),
      ),
    });
  }
  return {
    name: dataset.name,
    label: dataset.label,
    attributes: dataset.attributes,
    input,
    splits,
  };
}

/** A human-readable report of a summary. */
export function formatDatasetSummary(s: DatasetSummary): string {
  const lines = [
    `${s.name}: ${s.label.values.length} classes (label "${s.label.name}"), input ${s.input}`,
  ];
  for (const split of s.splits) {
    lines.push(`  ${split.split}: ${split.count} examples`);
    const perClass = s.label.values.map((v, i) => `${v} ${split.perClass[i] ?? 0}`);
    lines.push(`    per class: ${perClass.join(', ')}`);
    for (const attribute of s.attributes) {
      const counts = split.perAttribute[attribute.name] ?? [];
      const groups = attribute.values.map((v, i) => `${v} ${counts[i] ?? 0}`);
      lines.push(`    ${attribute.name}: ${groups.join(', ')}`);
    }
  }
  if (s.attributes.length === 0) lines.push('  no sensitive attributes');
  return `${lines.join('\n')}\n`;
}
