import type { Command } from 'commander';

async function loadSpec(fileOrPreset: string) {
  const { resolveSpec } = await import('@kdlens/core');
  const { cliContext } = await import('../cli-context.ts');
  // Validation checks data paths against this machine's KDLENS_DATA_ROOTS, as a launch would.
  return resolveSpec(fileOrPreset, cliContext().config);
}

export function registerSpecCommands(program: Command): void {
  const spec = program
    .command('spec')
    .description('experiment specs: check them, list and show the presets');

  spec
    .command('validate <file|preset>')
    .description('check a spec (YAML or JSON) and summarise its plan; lists every problem')
    .option(
      '--json',
      'print the valid spec (every default filled in) and its planned units as one JSON document',
    )
    .action(async (fileOrPreset: string, options: { json?: boolean }) => {
      const { planUnits } = await import('@kdlens/core');
      const { spec: parsed, source } = await loadSpec(fileOrPreset);
      const units = planUnits(parsed);
      if (options.json) {
        const { writeJson } = await import('../text-output.ts');
        writeJson({ source, valid: true, spec: parsed, units });
        return;
      }
      const { formatSpecSummary } = await import('../spec-summary.ts');
      process.stdout.write(formatSpecSummary(parsed, units, source));
    });

  spec
    .command('presets')
    .description('the specs that ship with KDLens, one line each')
    .option('--json', 'print one JSON document (name, description, file) instead of text')
    .action(async (options: { json?: boolean }) => {
      const { listPresets } = await import('@kdlens/core');
      const presets = await listPresets();
      if (options.json) {
        const { writeJson } = await import('../text-output.ts');
        writeJson(presets);
        return;
      }
      const width = Math.max(...presets.map((p) => p.name.length));
      for (const p of presets) process.stdout.write(`${p.name.padEnd(width)}  ${p.description}\n`);
    });

  spec
    .command('show <preset>')
    .description('print a preset’s YAML (copy it to start your own spec)')
    .option('--resolved', 'print the parsed spec with every default filled in, instead of the file')
    .option('--json', 'print the parsed spec with every default filled in, as JSON')
    .action(async (name: string, options: { resolved?: boolean; json?: boolean }) => {
      const { loadPreset, readPresetText, specToYaml } = await import('@kdlens/core');
      if (options.json) {
        const { writeJson } = await import('../text-output.ts');
        writeJson(await loadPreset(name));
      } else if (options.resolved) {
        process.stdout.write(specToYaml(await loadPreset(name)));
      } else {
        process.stdout.write(await readPresetText(name));
      }
    });
}
