/**
 * The study's architectures by name. Every model outputs LOGITS (no softmax): the KD loss
 * applies its own temperature-scaled (log-)softmax.
 */

// One list for the spec (packages/core) and the builder below: a name the spec accepts is a
// name this module builds (the switch in buildArchitecture is exhaustive over it).
import { type ArchitectureName, architectureNames } from '@kdlens/core';
import type * as tf from '@tensorflow/tfjs';
import { InvalidModelOptionError, UnknownArchitectureError } from './architecture-errors.ts';
import { buildBiGru } from './bigru.ts';
import { buildLeNet5 } from './lenet5.ts';
import { buildMlp } from './mlp.ts';
import { buildReferenceCnn } from './reference-cnn.ts';
import { buildResNet } from './resnet.ts';
import { buildResNetCifar } from './resnet-cifar.ts';
import type { SequencePooling } from './sequence-pool.layer.ts';
import { buildTransformerEncoder } from './transformer-encoder.ts';

export {
  InvalidModelOptionError,
  UnknownArchitectureError,
  UnsupportedInputShapeError,
} from './architecture-errors.ts';
export { type ArchitectureName, architectureNames };

export interface BuildArchitectureOptions {
  /** Without the batch dimension: [h, w, c] (NHWC) for images, [maxLength] for text. */
  inputShape: readonly number[];
  numClasses: number;
  /** Seeds every initializer (each layer gets its own seed derived from this one). */
  seed: number;
  /** Text models only: vocabulary size, id 0 being padding. */
  vocabSize?: number;
  /** mlp only: hidden widths (default [256, 128]). */
  hidden?: readonly number[];
  /** reference-cnn only: channels of the first two convolutions (default 16). */
  width?: number;
  /** transformer only (defaults: 64, 4, 2, 128, 0.1, 'mean'). */
  dModel?: number;
  numHeads?: number;
  numLayers?: number;
  ffDim?: number;
  dropout?: number;
  pooling?: SequencePooling;
  /** bigru only (defaults: 64, 64). */
  embeddingDim?: number;
  units?: number;
}

export function isArchitectureName(name: string): name is ArchitectureName {
  return (architectureNames as readonly string[]).includes(name);
}

/** Builds a fresh, uncompiled model; throws UnknownArchitectureError / UnsupportedInputShapeError. */
export function buildArchitecture(name: string, options: BuildArchitectureOptions): tf.LayersModel {
  if (!isArchitectureName(name)) throw new UnknownArchitectureError(name, architectureNames);
  const { inputShape, numClasses, seed } = options;
  const base = { inputShape, numClasses, seed };
  switch (name) {
    case 'resnet20':
      return buildResNetCifar({ ...base, depth: 20 });
    case 'resnet32':
      return buildResNetCifar({ ...base, depth: 32 });
    case 'resnet56':
      return buildResNetCifar({ ...base, depth: 56 });
    case 'resnet110':
      return buildResNetCifar({ ...base, depth: 110 });
    case 'resnet18':
      return buildResNet({ ...base, depth: 18 });
    case 'resnet34':
      return buildResNet({ ...base, depth: 34 });
    case 'resnet50':
      return buildResNet({ ...base, depth: 50 });
    case 'lenet5':
      return buildLeNet5(base);
    case 'mlp':
      return buildMlp({
        ...base,
        ...(options.hidden === undefined ? {} : { hidden: options.hidden }),
      });
    case 'reference-cnn':
      return buildReferenceCnn({
        ...base,
        ...(options.width === undefined ? {} : { width: options.width }),
      });
    case 'transformer':
      return buildTransformerEncoder({
        ...definedOnly(options),
        ...base,
        vocabSize: vocab(options),
      });
    case 'bigru':
      return buildBiGru({ ...definedOnly(options), ...base, vocabSize: vocab(options) });
  }
}

function vocab(options: BuildArchitectureOptions): number {
  if (options.vocabSize === undefined) {
    throw new InvalidModelOptionError(
      'text model',
      'vocabSize',
      undefined,
      'an integer >= 2 (id 0 is padding)',
    );
  }
  return options.vocabSize;
}

// `{ dModel: undefined }` would override a builder default when spread, so drop undefined keys.
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
