/**
 * A tf.io.IOHandler over a local directory in tfjs's layers-model format:
 *   model.json   { format, generatedBy, convertedBy, modelTopology,
 *                  weightsManifest: [{ paths: ['weights.bin', ...], weights: [{ name, shape, dtype }] }] }
 *   *.bin        the weight bytes, groups and shards in manifest order
 *
 * Why our own: tfjs-node's file:// handler is not installed here (the pure-JS tfjs package has
 * only http/browser handlers), and we want errors that name the file at fault. Nothing is
 * ever downloaded: paths in the manifest must stay inside the directory, and so must the files
 * they name after symlinks (read through ConfinedFiles, as data sets are), since the directory
 * may be a spec's `pretrained` folder under KDLENS_DATA_ROOTS.
 */
import { rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KdlensError } from '@kdlens/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ConfinedFiles } from '../../datasets/confined-files.ts';
import { DatasetFormatError } from '../../datasets/dataset-format-error.ts';

export const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

export class PretrainedWeightsError extends KdlensError {
  override readonly name = 'PretrainedWeightsError';
}

const weightSpecSchema = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
    quantization: z
      .object({ dtype: z.enum(['uint8', 'uint16', 'float16']) })
      .passthrough()
      .optional(),
  })
  .passthrough();

const modelJsonSchema = z
  .object({
    modelTopology: z.record(z.string(), z.unknown()).optional(),
    format: z.string().optional(),
    generatedBy: z.string().optional(),
    convertedBy: z.string().nullable().optional(),
    weightsManifest: z.array(
      z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightSpecSchema) }),
    ),
  })
  .passthrough();

/** Bytes a weight takes in the .bin data (quantised weights are stored in the narrow type). */
function specBytes(spec: z.infer<typeof weightSpecSchema>): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  if (q === 'uint8') return count;
  if (q === 'uint16' || q === 'float16') return 2 * count;
  if (spec.dtype === 'bool') return count;
  if (spec.dtype === 'complex64') return 8 * count;
  return 4 * count;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}

/** A file of the weights directory, refused when its real path leaves the directory. */
async function readWeightsFile(within: ConfinedFiles, file: string): Promise<Buffer> {
  return within.readFile(file).catch((err: unknown) => {
    if (!(err instanceof DatasetFormatError)) throw err;
    // The target is not named: it is what a planted link would probe for.
    throw new PretrainedWeightsError(
      `${file} leads outside the weights directory ${within.folder} (a symbolic link?); weight files must sit inside it, so it is not read`,
    );
  });
}

async function readJson(
  within: ConfinedFiles,
  file: string,
): Promise<z.infer<typeof modelJsonSchema>> {
  let text: string;
  try {
    text = (await readWeightsFile(within, file)).toString('utf8');
  } catch (err) {
    if (isMissing(err))
      throw new PretrainedWeightsError(
        `${file} not found (expected tfjs layers format: model.json + .bin shards)`,
      );
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's message quotes the text around the error, and run errors are shown to other users.
    throw new PretrainedWeightsError(
      `${file} is not valid JSON (expected a tfjs layers-model manifest)`,
    );
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.map(String).join('.') || 'the top'}`;
    throw new PretrainedWeightsError(
      `${file} is not a tfjs layers-model manifest${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Reads and checks a model directory; no tensors are created. */
async function loadArtifacts(dir: string, confined?: ConfinedFiles): Promise<tf.io.ModelArtifacts> {
  const info = await stat(dir).catch((err: unknown) => {
    if (isMissing(err))
      throw new PretrainedWeightsError(`pretrained weights directory ${dir} does not exist`);
    throw err;
  });
  if (!info.isDirectory()) throw new PretrainedWeightsError(`${dir} is not a directory`);
  const within = confined ?? (await ConfinedFiles.of(dir));
  const jsonFile = path.join(dir, MODEL_JSON);
  const manifest = await readJson(within, jsonFile);
  const root = path.resolve(dir);
  const buffers: Uint8Array[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest.weightsManifest) {
    let bytes = 0;
    for (const shard of group.paths) {
      const file = path.resolve(root, shard);
      if (path.dirname(file) !== root) {
        throw new PretrainedWeightsError(
          `${jsonFile}: a weightsManifest shard path leaves the directory (shards must sit beside model.json)`,
        );
      }
      const data = await readWeightsFile(within, file).catch((err: unknown) => {
        if (isMissing(err))
          throw new PretrainedWeightsError(`${file} (listed in ${jsonFile}) not found`);
        throw err;
      });
      buffers.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      bytes += data.byteLength;
    }
    const expected = group.weights.reduce((sum, spec) => sum + specBytes(spec), 0);
    if (bytes !== expected) {
      throw new PretrainedWeightsError(
        `${group.paths.map((p) => path.join(dir, p)).join(', ')}: ${bytes} bytes, but ${jsonFile} lists weights of ${expected} bytes`,
      );
    }
    weightSpecs.push(...(group.weights as tf.io.WeightsManifestEntry[]));
  }
  const weightData = new Uint8Array(buffers.reduce((sum, b) => sum + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.byteLength;
  }
  return {
    ...(manifest.modelTopology === undefined ? {} : { modelTopology: manifest.modelTopology }),
    ...(manifest.format === undefined ? {} : { format: manifest.format }),
    weightSpecs,
    weightData: weightData.buffer,
  };
}

/** Writes to a temp name and renames, so a crash never leaves a half-written file in place. */
async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.io.SaveResult> {
  const weightData =
    artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const modelJson = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'KDLens',
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  // Weights first, manifest last: a reader never sees a manifest without its data.
  await writeAtomically(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
  await writeAtomically(path.join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      weightDataBytes: weightData.byteLength,
    },
  };
}

/**
 * IOHandler for `dir` (must exist for save; create it first). Loads read only inside `within`
 * when given (a folder the worker already confined), else inside `dir`'s real path.
 */
export function fileSystemIOHandler(dir: string, within?: ConfinedFiles): tf.io.IOHandler {
  return {
    load: () => loadArtifacts(dir, within),
    save: (artifacts) => saveArtifacts(dir, artifacts),
  };
}
