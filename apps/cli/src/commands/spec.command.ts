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
    .action(async (fileOrPreset: string) => {
      const { planUnits } = await import('@kdlens/core');
      const { formatSpecSummary } = await import('../spec-summary.ts');
      const { spec: parsed, source } = await loadSpec(fileOrPreset);
      process.stdout.write(formatSpecSummary(parsed, planUnits(parsed), source));
    });

  spec
    .command('presets')
    .description('the specs that ship with KDLens, one line each')
    .action(async () => {
      const { listPresets } = await import('@kdlens/core');
      const presets = await listPresets();
      const width = Math.max(...presets.map((p) => p.name.length));
      for (const p of presets) process.stdout.write(`${p.name.padEnd(width)}  ${p.description}\n`);
    });

  spec
    .command('show <preset>')
    .description('print a preset’s YAML (copy it to start your own spec)')
    .option('--resolved', 'print the parsed spec with every default filled in, instead of the file')
    .action(async (name: string, options: { resolved?: boolean }) => {
      const { loadPreset, readPresetText, specToYaml } = await import('@kdlens/core');
      if (options.resolved) {
        process.stdout.write(specToYaml(await loadPreset(name)));
      } else {
        process.stdout.write(await readPresetText(name));
      }
    });
}
