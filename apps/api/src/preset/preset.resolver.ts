import { listPresets, loadPreset } from '@kdlens/core';
import { Query, Resolver } from 'type-graphql';
import { PresetType } from './preset.type.ts';

@Resolver(() => PresetType)
export class PresetResolver {
  @Query(() => [PresetType], { description: 'The presets a launch can start from, by name.' })
  async presets(): Promise<PresetType[]> {
    const infos = await listPresets();
    return Promise.all(
      infos.map(async ({ name, description }) => ({
        name,
        description,
        // A JSON round trip turns the parsed spec into plain JSON (no undefined members).
        spec: JSON.parse(JSON.stringify(await loadPreset(name))) as Record<string, unknown>,
      })),
    );
  }
}
