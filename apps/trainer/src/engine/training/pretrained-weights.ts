/**
 * Pretrained weights in tfjs's layers format (model.json + .bin shards, see file-io-handler.ts),
 * loaded into an architecture we build ourselves: the topology in model.json is informational,
 * the weights are matched by name and shape.
 *
 * Names: tfjs names layers with per-process counters ('dense_Dense7/kernel'), so a model saved
 * by one run would not match a fresh build in another. We save under Keras-like canonical names
 * instead, `<layer class>_<n-th such layer>/<weight>` ('dense_2/kernel',
 * 'bidirectional_1/forward_gru/kernel'), stable for a given architecture. Files written by other
 * tfjs tools match too when their names equal the model's own.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ConfinedFiles } from '../../datasets/confined-files.ts';
import { fileSystemIOHandler, MODEL_JSON, PretrainedWeightsError } from './file-io-handler.ts';

export { PretrainedWeightsError } from './file-io-handler.ts';

/** A model directory read from disk, before any tensor exists. */
export interface PretrainedArtifacts {
  dir: string;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: tf.io.WeightData;
}

function snakeCase(className: string): string {
  // Only a lower-case letter before a capital starts a word: Conv2D → conv2d, as Keras names it.
  return className.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Canonical name of each of the model's weights, in `model.weights` order. */
export function canonicalWeightNames(model: tf.LayersModel): string[] {
  const byVariable = new Map<tf.LayerVariable, string>();
  const perClass = new Map<string, number>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const className = layer.getClassName();
    const n = (perClass.get(className) ?? 0) + 1;
    perClass.set(className, n);
    for (const w of layer.weights) {
      const own = w.originalName.startsWith(`${layer.name}/`)
        ? w.originalName.slice(layer.name.length + 1)
        : w.originalName;
      // Nested layers (a Bidirectional's GRUs) carry counters too: 'forward_gru_GRU3' → 'forward_gru'.
      const suffix = own.replace(/_[A-Z][A-Za-z]*\d+(?=\/|$)/g, '');
      byVariable.set(w, `${snakeCase(className)}_${n}/${suffix}`);
    }
  }
  const names = model.weights.map((w) => {
    const name = byVariable.get(w);
    if (name === undefined)
      throw new Error(`weight ${w.originalName} belongs to no layer of the model`);
    return name;
  });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`two weights share the canonical name ${name}`);
    seen.add(name);
  }
  return names;
}

/** Saves the model's topology and weights (canonical names) to `dir`, created if missing. */
export async function saveModelWeights(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const names = canonicalWeightNames(model);
  const { data, specs } = await tf.io.encodeWeights(
    model.weights.map((w, i) => ({ name: names[i] ?? w.originalName, tensor: w.read() })),
  );
  await fileSystemIOHandler(dir).save?.({
    modelTopology: model.toJSON(null, false),
    format: 'layers-model',
    generatedBy: 'KDLens',
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  });
}

/**
 * Reads `dir` (errors name the missing or malformed file); creates no tensors. `within` confines
 * the reads when the caller already checked `dir` (else `dir` itself, resolved here).
 */
export async function readPretrainedWeights(
  dir: string,
  within?: ConfinedFiles,
): Promise<PretrainedArtifacts> {
  const handler = fileSystemIOHandler(dir, within);
  if (handler.load === undefined) throw new Error('file IO handler cannot load');
  const artifacts = await handler.load();
  return {
    dir,
    weightSpecs: artifacts.weightSpecs ?? [],
    weightData: artifacts.weightData ?? new ArrayBuffer(0),
  };
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Sets every weight of `model` from `artifacts`, matched by canonical name (else the model's own
 * name) and checked by shape and dtype; all checks run before any tensor is made. A weight the
 * model lacks, or one the file lacks, is an error: a partial load would silently train from a mix.
 */
export function applyPretrainedWeights(
  model: tf.LayersModel,
  artifacts: PretrainedArtifacts,
): void {
  const file = path.join(artifacts.dir, MODEL_JSON);
  const specs = new Map(artifacts.weightSpecs.map((s) => [s.name, s]));
  const canonical = canonicalWeightNames(model);
  const used = new Set<string>();
  const chosen = model.weights.map((w, i) => {
    const name = canonical[i] ?? w.originalName;
    const spec = specs.get(name) ?? specs.get(w.originalName);
    if (spec === undefined) {
      throw new PretrainedWeightsError(
        `${file} has no weight '${name}' (model weight ${w.originalName}, shape [${w.shape.join(', ')}]); it was saved from another architecture or configuration`,
      );
    }
    if (!sameShape(w.shape, spec.shape)) {
      throw new PretrainedWeightsError(
        `${file}: weight '${spec.name}' has shape [${spec.shape.join(', ')}], the model expects [${w.shape.join(', ')}]`,
      );
    }
    if (spec.dtype !== w.dtype) {
      throw new PretrainedWeightsError(
        `${file}: weight '${spec.name}' is ${spec.dtype}, the model expects ${w.dtype}`,
      );
    }
    used.add(spec.name);
    return spec.name;
  });
  const extra = artifacts.weightSpecs.filter((s) => !used.has(s.name)).map((s) => s.name);
  if (extra.length > 0) {
    throw new PretrainedWeightsError(
      `${file} has weights the model lacks: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`,
    );
  }
  const decoded = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  try {
    model.setWeights(
      chosen.map((name) => {
        const tensor = decoded[name];
        if (tensor === undefined)
          throw new PretrainedWeightsError(`${file}: '${name}' did not decode`);
        return tensor;
      }),
    );
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

/** Reads `dir` and loads it into `model` (see applyPretrainedWeights). */
export async function loadPretrainedWeights(model: tf.LayersModel, dir: string): Promise<void> {
  applyPretrainedWeights(model, await readPretrainedWeights(dir));
}
