/**
 * The shapes every data-set loader produces. A loader reads the publisher's files (or generates
 * data) and returns splits whose examples carry a stable index, so predictions from different
 * runs line up example by example.
 */

export const splitNames = ['train', 'val', 'test'] as const;
export type SplitName = (typeof splitNames)[number];

/** A categorical attribute (label or sensitive): its value names; codes index into them. */
export interface Attribute {
  name: string;
  values: string[];
}

/** Images as uint8 NHWC, the compact form for holding small data sets in memory. */
export interface ImageSplit {
  kind: 'image';
  split: SplitName;
  /** count × height × width × channels, row-major, 0..255. */
  pixels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
  /** Label code per example, into `labels.values` of the data set. */
  labels: Int32Array;
  /** Sensitive (or extra) attribute codes per example, by attribute name. */
  attributes: Record<string, Int32Array>;
  /** Stable example index within the data set (e.g. the record number in the publisher's file). */
  indices: Int32Array;
}

/** Tokenised text, fixed length, 0 = padding. */
export interface TextSplit {
  kind: 'text';
  split: SplitName;
  /** count × maxLength token ids. */
  tokens: Int32Array;
  count: number;
  maxLength: number;
  labels: Int32Array;
  attributes: Record<string, Int32Array>;
  indices: Int32Array;
}

export type DatasetSplit = ImageSplit | TextSplit;

/** A loaded data set: what it predicts, its attributes and its splits. */
export interface LoadedDataset {
  name: string;
  /** The label the models predict (e.g. CIFAR-100 fine classes, CelebA 'Smiling'). */
  label: Attribute;
  /** Attributes available as sensitive features (e.g. CelebA 'Male', Trifeature 'color'). */
  attributes: Attribute[];
  splits: Partial<Record<SplitName, DatasetSplit>>;
  /** Text data sets: the vocabulary built from the training split (index = token id). */
  vocabulary?: string[];
}
