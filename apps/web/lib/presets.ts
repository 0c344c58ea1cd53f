import { z } from 'zod';
import { request } from './graphql.ts';
import { graphql } from './graphql-document.ts';

/**
 * What a launch can start from: a preset the API ships, or the stored spec of an experiment
 * launched before (re-run with changes). The form shows a few fields of the spec and sends the
 * rest back unchanged, so it reads `specJson` (the whole spec as JSON, not the typed `spec`) and
 * these schemas read only those fields and keep everything else; JSON is any value, so zod checks
 * the part the form reads.
 */
const baseSpecSchema = z
  .object({
    dataset: z.object({ name: z.string() }).loose(),
    teacher: z.object({ architecture: z.string(), epochs: z.number() }).loose(),
    student: z.object({ architecture: z.string(), epochs: z.number() }).loose(),
    kd: z.object({ temperatures: z.array(z.number()) }).loose(),
    seeds: z.union([z.number(), z.array(z.number())]),
  })
  .loose();
export type BaseSpec = z.infer<typeof baseSpecSchema>;

export interface SpecSource {
  /** `preset:<name>` or `experiment:<id>`: what the form posts back. */
  key: string;
  name: string;
  description: string;
  spec: BaseSpec;
}

const PresetsQuery = graphql(`
  query Presets {
    presets {
      name
      description
      specJson
    }
  }
`);

const ExperimentSpecsQuery = graphql(`
  query ExperimentSpecs {
    experiments(first: 50) {
      edges {
        node {
          id
          name
          specJson
        }
      }
    }
  }
`);

/** The presets the API ships, with their parsed specs. */
async function loadPresets(): Promise<SpecSource[]> {
  const data = await request(PresetsQuery, {});
  return data.presets.flatMap((p) => {
    const spec = baseSpecSchema.safeParse(p.specJson);
    return spec.success
      ? [
          {
            key: `preset:${p.name}`,
            name: `preset ${p.name}`,
            description: p.description,
            spec: spec.data,
          },
        ]
      : [];
  });
}

/** Experiments launched from a spec (imports record only their source files, so they are left out). */
async function loadExperimentSpecs(): Promise<SpecSource[]> {
  const data = await request(ExperimentSpecsQuery, {});
  return data.experiments.edges.flatMap(({ node }) => {
    const spec = baseSpecSchema.safeParse(node.specJson);
    return spec.success
      ? [
          {
            key: `experiment:${node.id}`,
            name: `experiment ${node.name}`,
            description: `the spec of ${node.name}`,
            spec: spec.data,
          },
        ]
      : [];
  });
}

export async function loadSpecSources(): Promise<SpecSource[]> {
  const [presets, experiments] = await Promise.all([loadPresets(), loadExperimentSpecs()]);
  return [...presets, ...experiments];
}

export async function loadSpecSource(key: string): Promise<SpecSource | undefined> {
  return (await loadSpecSources()).find((s) => s.key === key);
}
