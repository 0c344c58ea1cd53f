import 'reflect-metadata';
import { expect, it } from 'vitest';
import type { ApiContext } from '../context.ts';
import { CompareExperimentsResolver, MAX_WORST } from './compare-experiments.resolver.ts';

it('refuses a worstLimit over 1,000 before any lookup, naming it', async () => {
  expect(MAX_WORST).toBe(1_000);
  // No database: the argument is refused before the resolver reaches it.
  const ctx = {} as unknown as ApiContext;
  const args = {
    experiments: [{ name: 'a' }, { name: 'b' }],
    correction: 'holm' as const,
    alpha: 0.05,
    worstLimit: 1_001,
  };
  await expect(
    new CompareExperimentsResolver().compareExperiments(ctx, args),
  ).rejects.toMatchObject({
    message: 'worstLimit: must be an integer in [0, 1000], got 1001',
    extensions: { argument: 'worstLimit' },
  });
});
