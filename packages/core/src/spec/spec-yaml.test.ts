import { describe, expect, it } from 'vitest';
import { parseSpecText } from './parse-spec.ts';
import { loadPreset, presetNames } from './presets.ts';
import { specToYaml } from './spec-yaml.ts';

describe('specToYaml', () => {
  it('writes a spec that parses back to itself, defaults included', async () => {
    for (const name of await presetNames()) {
      const spec = await loadPreset(name);
      const yaml = specToYaml(spec);
      expect(parseSpecText(yaml, `${name} (resolved)`)).toEqual(spec);
      expect(yaml).toMatch(/^ {4}distance: /m);
    }
  });

  it('keeps short lists on one line', async () => {
    expect(specToYaml(await loadPreset('cifar100'))).toMatch(
      /^ {2}temperatures: \[2, 4, 6, 8, 10\]$/m,
    );
  });
});
