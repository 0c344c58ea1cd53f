import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type ExperimentSpec,
  KdlensError,
  loadPreset,
  parseSpecFile,
  presetFile,
  presetNames,
} from '@kdlens/core';

/** A path to an existing file is read as a spec; anything else must name a preset. */
export async function resolveSpec(
  fileOrPreset: string,
): Promise<{ spec: ExperimentSpec; source: string }> {
  const isFile = await stat(fileOrPreset).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) {
    const spec = await parseSpecFile(fileOrPreset);
    const root = spec.dataset.root;
    // A relative root means "next to the spec file", wherever the command or a worker runs;
    // the spec is stored with the absolute path so workers on this machine find the data.
    if (root !== undefined && !path.isAbsolute(root)) {
      spec.dataset.root = path.resolve(path.dirname(path.resolve(fileOrPreset)), root);
    }
    return { spec, source: fileOrPreset };
  }
  const names = await presetNames();
  if (!names.includes(fileOrPreset)) {
    throw new KdlensError(
      `${fileOrPreset}: no such file, and no preset of that name; presets: ${names.join(', ')}`,
    );
  }
  const spec = await loadPreset(fileOrPreset);
  // A preset's relative root is taken from where kdlens runs (its comments say so).
  if (spec.dataset.root !== undefined && !path.isAbsolute(spec.dataset.root)) {
    spec.dataset.root = path.resolve(spec.dataset.root);
  }
  return { spec, source: presetFile(fileOrPreset) };
}
