import 'reflect-metadata';
import type { ArmKey } from '@kdlens/metrics';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiContext } from '../context.ts';
import { DisagreementResolver, MAX_PAIR_ARMS } from './disagreement.resolver.ts';
import { type CachedArm, StudyData } from './study-cache.ts';

// Six test examples of a 1,000-class test set. Arm k at seed s predicts the true label except on
// example (k + s) mod 6, where it predicts 999. Two arms k ≠ j therefore differ on exactly two
// examples (2/6) unless k ≡ j (mod 6), when they err on the same example alike (0).
const ID = '00000000-0000-4000-8000-000000000001';
const N = 6;
const yTrue = Int32Array.from({ length: N }, (_, i) => i);
const runId = (k: number, seed: number) => `run-${k}-${seed}`;
const predictions = (k: number, seed: number) =>
  Int32Array.from(yTrue, (y, i) => (i === (k + seed) % N ? 999 : y));

const reads = vi.hoisted(() => ({
  labels: 0,
  predictions: 0,
  known: new Map<string, Int32Array>(),
}));
vi.mock('@kdlens/core/db', async (original) => ({
  ...(await original<typeof import('@kdlens/core/db')>()),
  readTestLabels: async () => {
    reads.labels++;
    return yTrue;
  },
  readPredictedLabels: async (_db: unknown, ids: readonly string[]) => {
    reads.predictions++;
    return new Map(ids.map((id) => [id, reads.known.get(id) as Int32Array]));
  },
}));

function armKey(k: number): ArmKey {
  if (k === 0) return { role: 'teacher', temperature: null };
  if (k === 1) return { role: 'student', temperature: null };
  return { role: 'distilled', temperature: k - 1 };
}

function studyWith(arms: number): StudyData {
  const cached: CachedArm[] = Array.from({ length: arms }, (_, k) => ({
    ...armKey(k),
    label: `arm ${k}`,
    runs: [0, 1].map((seed) => {
      reads.known.set(runId(k, seed), predictions(k, seed));
      return {
        runId: runId(k, seed),
        seed,
        accuracy: { perClass: new Float64Array(1000), overall: 0 },
      };
    }),
  }));
  const names = Array.from({ length: 1000 }, (_, c) => `c${c}`);
  return new StudyData('exp', 'v1', 1000, names, [], cached, undefined);
}

function contextFor(study: StudyData): ApiContext {
  return {
    db: {},
    studies: { get: async () => study },
    freshAfter: Number.NEGATIVE_INFINITY,
  } as unknown as ApiContext;
}

describe('disagreementPairs', () => {
  beforeEach(() => {
    reads.labels = 0;
    reads.predictions = 0;
  });

  it('answers 561 pairs of 34 arms by hand count, computed once per results version', async () => {
    const study = studyWith(MAX_PAIR_ARMS);
    const resolver = new DisagreementResolver();
    const ctx = contextFor(study);
    const first = await resolver.disagreementPairs(ctx, { experimentId: ID });
    expect(MAX_PAIR_ARMS).toBe(34);
    expect(first).toHaveLength((34 * 33) / 2);
    const pairOf = (a: number, b: number) =>
      first.find(
        (p) =>
          p.a.temperature === armKey(a).temperature &&
          p.a.role === armKey(a).role &&
          p.b.temperature === armKey(b).temperature &&
          p.b.role === armKey(b).role,
      );
    // Teacher (0) and NDS (1): 2 of 6 examples differ at both seeds.
    expect(pairOf(0, 1)?.overall).toMatchObject({
      mean: 1 / 3,
      values: [1 / 3, 1 / 3],
      lower: 1 / 3,
    });
    // Teacher (0) and KD T=5 (6): 0 ≡ 6 (mod 6), they err alike.
    expect(pairOf(0, 6)?.overall).toMatchObject({ mean: 0, values: [0, 0] });
    expect(pairOf(0, 6)?.seeds).toEqual([0, 1]);
    // More pairs than StudyData keeps memos (256): the second call must not read or compute again.
    const second = await resolver.disagreementPairs(ctx, { experimentId: ID });
    expect(second).toBe(first);
    expect(reads).toMatchObject({ labels: 1, predictions: 1 });
  });

  it('refuses more arms than it prices, naming the argument', async () => {
    const resolver = new DisagreementResolver();
    await expect(
      resolver.disagreementPairs(contextFor(studyWith(MAX_PAIR_ARMS + 1)), { experimentId: ID }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('experimentId: the experiment has 35 arms'),
      extensions: { argument: 'experimentId' },
    });
  });
});
