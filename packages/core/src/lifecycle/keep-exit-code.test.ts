import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const onShutdown = fileURLToPath(new URL('./on-shutdown.ts', import.meta.url));

/** Runs a tiny program that loads onShutdown (and so async-exit-hook), then ends as `tail` says. */
function exitStatus(tail: string): number | null {
  const program = `const { onShutdown } = await import(${JSON.stringify(onShutdown)});
onShutdown(async () => {});
${tail}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    encoding: 'utf8',
  }).status;
}

// Each case starts Node with tsx (about a second, several on a busy machine).
const SPAWNS = { timeout: 60_000 };

describe('a process using async-exit-hook', () => {
  it(
    'ends with the exitCode it set when it runs out of work (vitest after failures)',
    SPAWNS,
    () => {
      expect(exitStatus('process.exitCode = 3;')).toBe(3);
    },
  );

  it('ends with 0 when it set none, and with what it passes to process.exit', SPAWNS, () => {
    expect(exitStatus('')).toBe(0);
    expect(exitStatus('process.exitCode = 3; process.exit(0);')).toBe(0);
    expect(exitStatus('process.exit(5);')).toBe(5);
  });
});
