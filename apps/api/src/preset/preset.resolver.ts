import { listPresets, loadPreset } from '@kdlens/core';
import { Query, Resolver } from 'type-graphql';
import { typedSpec } from '../spec/typed-spec.ts';
import { PresetType } from './preset.type.ts';

@Resolver(() => PresetType)
export class PresetResolver {
  @Query(() => [PresetType], { description: 'The presets a launch can start from, by name.' })
  async presets(): Promise<PresetType[]> {
    const infos = await listPresets();
    return Promise.all(
      infos.map(async ({ name, description }) => {
        // A JSON round trip turns the parsed spec into plain JSON (no undefined members).
        const specJson = JSON.parse(JSON.stringify(await loadPreset(name))) as Record<
          string,
          unknown
        >;
        const spec = typedSpec(specJson);
        // A preset that parsed on load parses again; anything else is a bug, not a user error.
        if (!spec) throw new Error(`preset ${name}: its parsed spec does not parse again`);
        return { name, description, spec, specJson };
      }),
    );
  }
}
