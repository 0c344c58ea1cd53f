/**
 * Saves and restores the full training state so an interrupted run can resume
 * and end with the same weights as an uninterrupted one.
 *
 * Layout of a checkpoint directory:
 *   checkpoint.json     manifest: identity of the run, progress, and where each
 *                       tensor's bytes sit in the data file
 *   state-e<N>.bin      all model weights, then all optimizer slots, as raw
 *                       little-endian float32/int32 values, back to back
 *
 * Why our own format rather than tf.io handlers: we need the optimizer slots and
 * run identity next to the weights, and the tfjs file handlers live in
 * tfjs-node, which is optional here. Each file is written to a temp name and
 * renamed; the manifest is renamed last and names its data file, so a crash at
 * any point leaves either the old or the new checkpoint readable, never a mix.
 * The shuffle RNG needs no state: epoch permutations derive from (seed, epoch).
 */
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { KdlensError } from '@kdlens/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { NamedSlot, OptimizerConfig, TrainingOptimizer } from './optimizers.ts';
import type { EpochMetrics } from './train-unit.types.ts';

const MANIFEST = 'checkpoint.json';

/** What a checkpoint must agree with before it may be loaded into a run. */
export interface CheckpointIdentity {
  architecture: string;
  /** Without the batch dimension, e.g. [32, 32, 3]. */
  inputShape: number[];
  numClasses: number;
  seed: number;
  optimizer: OptimizerConfig['name'];
}

export interface CheckpointProgress {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** Metrics of the completed epochs, so a resumed run still returns the whole curve. */
  history?: EpochMetrics[];
}

// JSON has no NaN (a diverged loss, an empty split): it is written as null and read back as NaN.
const metric = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);
const epochMetricsSchema = z.object({
  epoch: z.number().int().positive(),
  loss: metric,
  trainAccuracy: metric,
  evalAccuracy: metric.optional(),
  imagesPerSec: metric,
  seconds: metric,
});

const tensorEntrySchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  /** Byte offset in the data file. */
  offset: z.number().int().nonnegative(),
});
type TensorEntry = z.infer<typeof tensorEntrySchema>;

const manifestSchema = z.object({
  format: z.literal('kdlens-checkpoint'),
  version: z.literal(1),
  architecture: z.string(),
  inputShape: z.array(z.number().int().positive()),
  numClasses: z.number().int().positive(),
  seed: z.number(),
  optimizer: z.enum(['sgd', 'adam', 'adamw']),
  epoch: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  history: z.array(epochMetricsSchema).optional(),
  dataFile: z.string(),
  dataBytes: z.number().int().nonnegative(),
  optimizerIterations: z.number().int().nonnegative(),
  weights: z.array(tensorEntrySchema),
  optimizerSlots: z.array(tensorEntrySchema),
});
export type CheckpointManifest = z.infer<typeof manifestSchema>;

export interface Checkpoint {
  dir: string;
  manifest: CheckpointManifest;
  data: Uint8Array;
}

export class CheckpointError extends KdlensError {
  override readonly name = 'CheckpointError';
}

function describe(id: CheckpointIdentity): string {
  return `${id.architecture} ${id.inputShape.join('×')} (${id.numClasses} classes, seed ${id.seed}, ${id.optimizer})`;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    // Flush before the rename so a power loss cannot leave a renamed but empty file.
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/** Writes the model's weights and the optimizer's state as the directory's current checkpoint. */
export async function saveCheckpoint(
  dir: string,
  identity: CheckpointIdentity,
  progress: CheckpointProgress,
  model: tf.LayersModel,
  optimizer: TrainingOptimizer,
): Promise<void> {
  const { iterations, slots } = await optimizer.getSlots();
  const named: NamedSlot[] = [
    ...model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })),
    ...slots,
  ];
  const chunks: Uint8Array[] = [];
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new CheckpointError(
        `cannot checkpoint ${name}: dtype ${tensor.dtype} is not supported`,
      );
    }
    const values = await tensor.data<'float32' | 'int32'>();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    entries.push({ name, shape: [...tensor.shape], dtype: tensor.dtype, offset });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  const weightCount = model.weights.length;
  const dataFile = `state-e${progress.epoch}.bin`;
  const manifest: CheckpointManifest = {
    format: 'kdlens-checkpoint',
    version: 1,
    ...identity,
    inputShape: [...identity.inputShape],
    ...progress,
    dataFile,
    dataBytes: offset,
    optimizerIterations: iterations,
    weights: entries.slice(0, weightCount),
    optimizerSlots: entries.slice(weightCount),
  };
  await writeAtomically(path.join(dir, dataFile), data);
  await writeAtomically(
    path.join(dir, MANIFEST),
    new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
  );
  // Older data files are unreferenced once the new manifest is in place.
  for (const f of await readdir(dir)) {
    if (/^state-e\d+\.bin$/.test(f) && f !== dataFile) await rm(path.join(dir, f), { force: true });
  }
}

/** The directory's checkpoint, or undefined when it has none yet. */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: CheckpointManifest;
  try {
    parsed = manifestSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new CheckpointError(
      `checkpoint ${dir}/${MANIFEST} is not a valid checkpoint manifest: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const data = await readFile(path.join(dir, parsed.dataFile));
  if (data.byteLength !== parsed.dataBytes) {
    throw new CheckpointError(
      `checkpoint ${dir}/${parsed.dataFile} has ${data.byteLength} bytes, manifest says ${parsed.dataBytes}`,
    );
  }
  return { dir, manifest: parsed, data: new Uint8Array(data) };
}

/** Throws a CheckpointError naming both runs when `checkpoint` belongs to another run. */
export function assertCheckpointMatches(checkpoint: Checkpoint, run: CheckpointIdentity): void {
  const saved: CheckpointIdentity = checkpoint.manifest;
  const same =
    saved.architecture === run.architecture &&
    saved.inputShape.length === run.inputShape.length &&
    saved.inputShape.every((d, i) => d === run.inputShape[i]) &&
    saved.numClasses === run.numClasses &&
    saved.seed === run.seed &&
    saved.optimizer === run.optimizer;
  if (!same) {
    throw new CheckpointError(
      `checkpoint ${checkpoint.dir} is for ${describe(saved)}, this run is ${describe(run)}; ` +
        'use another checkpoint directory or delete this one to start over',
    );
  }
}

function toTensor(checkpoint: Checkpoint, e: TensorEntry): tf.Tensor {
  const n = elementCount(e.shape);
  const end = e.offset + 4 * n;
  if (end > checkpoint.data.byteLength) {
    throw new CheckpointError(`checkpoint ${checkpoint.dir}: ${e.name} runs past the data file`);
  }
  // slice() copies into a fresh, 4-byte-aligned buffer.
  const buf = checkpoint.data.slice(e.offset, end).buffer;
  const values = e.dtype === 'float32' ? new Float32Array(buf) : new Int32Array(buf);
  return tf.tensor(values, e.shape, e.dtype);
}

/**
 * Loads the checkpoint's weights into `model` and its slots into a fresh
 * `optimizer`. Weights are matched by position and checked by shape (layer
 * names carry per-process counters, so they are informational only).
 */
export async function restoreCheckpoint(
  checkpoint: Checkpoint,
  model: tf.LayersModel,
  optimizer: TrainingOptimizer,
): Promise<void> {
  const { manifest, dir } = checkpoint;
  if (manifest.weights.length !== model.weights.length) {
    throw new CheckpointError(
      `checkpoint ${dir} holds ${manifest.weights.length} weights, the model has ${model.weights.length}`,
    );
  }
  manifest.weights.forEach((e, i) => {
    const want = model.weights[i]?.shape ?? [];
    if (want.length !== e.shape.length || want.some((d, j) => d !== e.shape[j])) {
      throw new CheckpointError(
        `checkpoint ${dir}: weight ${i} (${e.name}) has shape [${e.shape.join(', ')}], the model expects [${want.join(', ')}]`,
      );
    }
  });
  const weights = manifest.weights.map((e) => toTensor(checkpoint, e));
  const slots = manifest.optimizerSlots.map((e) => ({
    name: e.name,
    tensor: toTensor(checkpoint, e),
  }));
  try {
    model.setWeights(weights);
    await optimizer.setSlots({ iterations: manifest.optimizerIterations, slots });
  } finally {
    tf.dispose(weights);
    tf.dispose(slots.map((s) => s.tensor));
  }
}
