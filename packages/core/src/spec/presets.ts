/**
 * The specs that ship with KDLens, in `presets/*.yaml` at the repository root: the paper's grid,
 * plus `fashion-mnist` (real data, CPU-sized) and `demo` (what `npm start` trains).
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KdlensError } from '../errors.ts';
import type { ExperimentSpec } from './experiment-spec.schema.ts';
import { parseSpecText } from './parse-spec.ts';

/** Resolved from this file, not the working directory, so any command finds them. */
export const presetsDir = fileURLToPath(new URL('../../../../presets/', import.meta.url));

export interface PresetInfo {
  name: string;
  description: string;
  file: string;
}

export function presetFile(name: string): string {
  return `${presetsDir}${name}.yaml`;
}

/** Preset names, sorted. */
export async function presetNames(): Promise<string[]> {
  const files = await readdir(presetsDir);
  return files
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export async function listPresets(): Promise<PresetInfo[]> {
  const names = await presetNames();
  return Promise.all(
    names.map(async (name) => {
      const spec = await loadPreset(name);
      return { name, description: spec.description ?? '', file: presetFile(name) };
    }),
  );
}

/** The preset's YAML as written (with its comments citing the paper). */
export async function readPresetText(name: string): Promise<string> {
  const names = await presetNames();
  if (!names.includes(name)) {
    throw new KdlensError(`no preset "${name}"; presets: ${names.join(', ')}`);
  }
  return readFile(presetFile(name), 'utf8');
}

export async function loadPreset(name: string): Promise<ExperimentSpec> {
  return parseSpecText(await readPresetText(name), presetFile(name));
}
