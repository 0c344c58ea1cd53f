import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/env.ts';
import { KdlensError } from '../errors.ts';
import { dataPathProblems, resolveDataPaths } from './data-roots.ts';
import type { ExperimentSpec } from './experiment-spec.schema.ts';
import { parseSpecFile } from './parse-spec.ts';
import { loadPreset, presetFile, presetNames } from './presets.ts';
import { SpecError } from './spec-error.ts';

/** What resolving a spec needs from the configuration. */
export type SpecPathsConfig = Pick<Config, 'workDir' | 'dataRoots'>;

/**
 * A path to an existing file is read as a spec; anything else must name a preset. Relative data
 * and weight paths become absolute, and every such path must lie in the allowed data folders
 * (KDLENS_DATA_ROOTS): a SpecError naming the field otherwise.
 */
export async function resolveSpec(
  fileOrPreset: string,
  config: SpecPathsConfig,
): Promise<{ spec: ExperimentSpec; source: string }> {
  const isFile = await stat(fileOrPreset).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) {
    const spec = await parseSpecFile(fileOrPreset);
    // A relative root means "next to the spec file", wherever the command or a worker runs;
    // the spec is stored with the absolute path so workers on this machine find the data.
    resolveDataPaths(spec, path.dirname(path.resolve(fileOrPreset)));
    return { spec: confineSpec(spec, fileOrPreset, config), source: fileOrPreset };
  }
  const names = await presetNames();
  if (!names.includes(fileOrPreset)) {
    throw new KdlensError(
      `${fileOrPreset}: no such file, and no preset of that name; presets: ${names.join(', ')}`,
    );
  }
  const spec = await loadPreset(fileOrPreset);
  const source = presetFile(fileOrPreset);
  // A preset's relative root is taken from where kdlens runs (its comments say so).
  resolveDataPaths(spec, config.workDir);
  return { spec: confineSpec(spec, source, config), source };
}

/**
 * The spec launches and API launches go through after their paths were made absolute: a path
 * outside the allowed folders is a spec problem, reported like the schema's.
 */
export function confineSpec(
  spec: ExperimentSpec,
  source: string,
  config: Pick<Config, 'dataRoots'>,
): ExperimentSpec {
  const problems = dataPathProblems(spec, config.dataRoots);
  if (problems.length > 0) {
    throw new SpecError(problems.map((p) => ({ source, path: p.path, message: p.message })));
  }
  return spec;
}

/**
 * A spec sent to the API (`launchExperiment`): its relative paths are taken from where the server
 * runs, as a preset's are, so the stored spec is absolute and means the same to every worker;
 * then the same check as `kdlens run`.
 */
export function resolveLaunchedSpec(spec: ExperimentSpec, config: SpecPathsConfig): ExperimentSpec {
  resolveDataPaths(spec, config.workDir);
  return confineSpec(spec, 'spec', config);
}
