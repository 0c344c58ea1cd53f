import { stat } from 'node:fs/promises';
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
  if (isFile) return { spec: await parseSpecFile(fileOrPreset), source: fileOrPreset };
  const names = await presetNames();
  if (!names.includes(fileOrPreset)) {
    throw new KdlensError(
      `${fileOrPreset}: no such file, and no preset of that name; presets: ${names.join(', ')}`,
    );
  }
  return { spec: await loadPreset(fileOrPreset), source: presetFile(fileOrPreset) };
}
