// Test support only (not exported by the package): the reference values written by
// fixtures/individual/make_fixtures.py from scikit-learn 1.2 and scipy.
import { readFileSync } from 'node:fs';

export interface KnnCase {
  name: string;
  n: number;
  d: number;
  k: number;
  features: number[];
  yPred: number[];
  /** scikit-learn's kneighbors indices, n×k row-major. */
  indices: number[];
  /** AIF360's consistency_score formula on those indices. */
  consistency: number;
}

export interface KnnFixture {
  cases: KnnCase[];
  /** Integer grid data with exact ties, where scikit-learn keeps other tied rows than we do. */
  ties: {
    n: number;
    d: number;
    k: number;
    features: number[];
    yPred: number[];
    lowerIndexRule: { indices: number[]; consistency: number };
    sklearn: { indices: number[]; consistency: number; rowsWithOtherTiedNeighbours: number[] };
  };
}

export interface LipschitzCase {
  name: string;
  numClasses: number;
  d: number;
  distance: 'euclidean' | 'cosine';
  pairs: 'all' | { sample: number; seed: number };
  probs: number[];
  features: number[];
  value: number;
  pairsUsed: number;
  skippedZeroDistance: number;
}

function load(name: string): unknown {
  const url = new URL(`../../fixtures/individual/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}

export const knnFixture = load('knn-consistency.json') as KnnFixture;
export const lipschitzFixture = load('lipschitz.json') as { cases: LipschitzCase[] };
