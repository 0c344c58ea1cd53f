import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextSplit } from './dataset.ts';
import {
  categoryCode,
  loadHatexplainDataset,
  majorityLabel,
  majorityTargets,
} from './hatexplain.loader.ts';

type Label = 'hatespeech' | 'normal' | 'offensive';
function post(id: string, labels: Label[], targets: string[][], tokens: string[]) {
  return {
    post_id: id,
    annotators: labels.map((label, i) => ({
      label,
      annotator_id: 200 + i,
      target: targets[i] ?? ['None'],
    })),
    rationales: [],
    post_tokens: tokens,
  };
}

// Posts in dataset.json order (their stable indices are 0..5).
const posts = [
  post(
    '1179055004553900032_twitter',
    ['normal', 'normal', 'offensive'],
    [['None'], ['None'], ['Women']],
    ['The', 'cat', 'sat', 'on', 'the', 'mat'],
  ),
  post(
    '24198545_gab',
    ['hatespeech', 'hatespeech', 'offensive'],
    [['African'], ['African', 'Islam'], ['African', 'Arab']],
    ['The', 'Dog', 'and', 'the', 'cat'],
  ),
  post(
    '13851720_gab',
    ['hatespeech', 'offensive', 'normal'],
    [['Jewish'], ['Jewish'], ['None']],
    ['undecided', 'words'],
  ),
  post(
    '1180000000000000001_twitter',
    ['offensive', 'offensive', 'normal'],
    [['Men', 'Women'], ['Women', 'Men'], ['None']],
    ['THE', 'dog', 'barked'],
  ),
  post(
    '9999999_gab',
    ['normal', 'normal', 'normal'],
    [['None'], ['Islam'], ['Christian', 'Islam']],
    ['a', 'zebra', 'the', 'cat'],
  ),
  post(
    '5555555_gab',
    ['normal', 'offensive', 'normal'],
    [['None'], ['None'], ['None']],
    ['unassigned'],
  ),
];
const divisions = {
  train: ['24198545_gab', '1179055004553900032_twitter', '13851720_gab'],
  val: ['1180000000000000001_twitter'],
  test: ['9999999_gab'],
};

let root = '';
async function write(data: unknown, divisionData: unknown = divisions) {
  await writeFile(join(root, 'dataset.json'), JSON.stringify(data, null, 2));
  await writeFile(join(root, 'post_id_divisions.json'), JSON.stringify(divisionData, null, 4));
}
const byId = (list: readonly { post_id: string }[]) =>
  Object.fromEntries(list.map((p) => [p.post_id, p]));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdlens-hatexplain-'));
  await write(byId(posts));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('majority rules', () => {
  it('takes the majority three-way label; three different labels are undecided', () => {
    expect(majorityLabel(['hatespeech', 'hatespeech', 'offensive'])).toBe('hatespeech');
    expect(majorityLabel(['normal', 'offensive', 'normal'])).toBe('normal');
    expect(majorityLabel(['hatespeech', 'offensive', 'normal'])).toBe('undecided');
    expect(majorityLabel(['offensive', 'normal'])).toBe('undecided');
  });

  it('keeps target groups named by at least 2 annotators (once per annotator)', () => {
    const targets = majorityTargets([
      { target: ['African', 'African'] },
      { target: ['African', 'Islam'] },
      { target: ['Arab', 'Islam'] },
    ]);
    expect([...targets].sort()).toEqual(['African', 'Islam']);
    expect([...majorityTargets([{ target: ['Women', 'Women'] }, { target: [] }])]).toEqual([]);
  });

  it('codes a category as none, its group, or multiple', () => {
    expect(categoryCode('race', new Set(['None']))).toBe(0);
    expect(categoryCode('race', new Set(['Arab', 'Islam']))).toBe(2);
    expect(categoryCode('gender', new Set(['Men', 'Women']))).toBe(3);
  });
});

describe('loadHatexplainDataset', () => {
  it('labels toxic vs normal by majority and drops undecided posts, counting them', async () => {
    const dataset = await loadHatexplainDataset({ root });
    expect(dataset.label).toEqual({ name: 'toxicity', values: ['normal', 'toxic'] });
    const train = dataset.splits.train as TextSplit;
    expect(train.count).toBe(2);
    expect(dataset.postIds.train).toEqual(['24198545_gab', '1179055004553900032_twitter']);
    expect(Array.from(train.labels)).toEqual([1, 0]);
    expect(Array.from(train.indices)).toEqual([1, 0]);
    expect(Array.from(dataset.splits.val?.labels ?? [])).toEqual([1]);
    expect(Array.from(dataset.splits.test?.labels ?? [])).toEqual([0]);
    expect(dataset.dropped).toBe(1);
    expect(dataset.droppedBySplit).toEqual({ train: 1, val: 0, test: 0 });
    expect(dataset.unassigned).toBe(1);
  });

  it('derives gender, race and religion from the majority targets', async () => {
    const dataset = await loadHatexplainDataset({ root });
    expect(dataset.attributes).toEqual([
      { name: 'gender', values: ['none', 'Men', 'Women', 'multiple'] },
      {
        name: 'race',
        values: ['none', 'African', 'Arab', 'Asian', 'Caucasian', 'Hispanic', 'multiple'],
      },
      {
        name: 'religion',
        values: ['none', 'Islam', 'Christian', 'Jewish', 'Hindu', 'Buddhism', 'multiple'],
      },
    ]);
    const train = dataset.splits.train as TextSplit;
    // 24198545_gab: African ×3 → race African (1); Islam and Arab once each → none.
    expect(Array.from(train.attributes.race ?? [])).toEqual([1, 0]);
    expect(Array.from(train.attributes.religion ?? [])).toEqual([0, 0]);
    // Women named by only one annotator of the first post → none.
    expect(Array.from(train.attributes.gender ?? [])).toEqual([0, 0]);
    expect(Array.from(dataset.splits.val?.attributes.gender ?? [])).toEqual([3]);
    expect(Array.from(dataset.splits.test?.attributes.religion ?? [])).toEqual([1]);
  });

  it('builds the vocabulary from lowercased train tokens and pads/truncates to maxLength', async () => {
    const dataset = await loadHatexplainDataset({ root, maxLength: 5 });
    // Train tokens (undecided post excluded): the×4, cat×2, dog, and, sat, on, mat; ties by code unit.
    expect(dataset.vocabulary).toEqual([
      '<pad>',
      '<unk>',
      'the',
      'cat',
      'and',
      'dog',
      'mat',
      'on',
      'sat',
    ]);
    const train = dataset.splits.train as TextSplit;
    expect(train.maxLength).toBe(5);
    // "The Dog and the cat" → the dog and the cat
    expect(Array.from(train.tokens.subarray(0, 5))).toEqual([2, 5, 4, 2, 3]);
    // "The cat sat on the mat" keeps its first 5 tokens.
    expect(Array.from(train.tokens.subarray(5, 10))).toEqual([2, 3, 8, 7, 2]);
    // Test "a zebra the cat": unseen words are <unk>, then padding.
    expect(
      Array.from(dataset.splits.test?.kind === 'text' ? dataset.splits.test.tokens : []),
    ).toEqual([1, 1, 2, 3, 0]);
  });

  it('maps train tokens below minCount to <unk>', async () => {
    const dataset = await loadHatexplainDataset({ root, minCount: 2 });
    expect(dataset.vocabulary).toEqual(['<pad>', '<unk>', 'the', 'cat']);
    expect((dataset.splits.val as TextSplit).maxLength).toBe(64);
  });

  it('rejects a post without annotators, naming the post', async () => {
    const broken = posts.map((p) => (p.post_id === '24198545_gab' ? { ...p, annotators: [] } : p));
    await write(byId(broken));
    await expect(loadHatexplainDataset({ root })).rejects.toMatchObject({
      name: 'DatasetFormatError',
      file: join(root, 'dataset.json'),
      // The post by its position (and line), not by its id, which is file content.
      message: expect.stringContaining(
        `post ${posts.findIndex((p) => p.post_id === '24198545_gab') + 1}: annotators: post has no annotators`,
      ),
    });
  });

  it('rejects an unknown annotator label at the post line', async () => {
    const broken = posts.map((p) =>
      p.post_id === '13851720_gab'
        ? { ...p, annotators: p.annotators.map((a, i) => (i === 1 ? { ...a, label: 'toxic' } : a)) }
        : p,
    );
    await write(byId(broken));
    const text = JSON.stringify(byId(broken), null, 2);
    const line = text.slice(0, text.indexOf('"13851720_gab"')).split('\n').length;
    await expect(loadHatexplainDataset({ root })).rejects.toMatchObject({
      where: { line },
      message: expect.stringContaining(
        `post ${posts.findIndex((p) => p.post_id === '13851720_gab') + 1}: annotators.1.label`,
      ),
    });
  });

  it('rejects a division id missing from dataset.json, with its line', async () => {
    await write(byId(posts), { ...divisions, test: ['9999999_gab', '404_gab'] });
    await expect(loadHatexplainDataset({ root })).rejects.toMatchObject({
      file: join(root, 'post_id_divisions.json'),
      message: expect.stringMatching(/:12: a test post id is not in dataset\.json$/),
      where: { line: 12 },
    });
  });

  it('rejects malformed JSON and divisions with the wrong keys', async () => {
    await writeFile(join(root, 'dataset.json'), '{\n  "a": [1,\n}');
    await expect(loadHatexplainDataset({ root })).rejects.toMatchObject({
      file: join(root, 'dataset.json'),
      message: expect.stringContaining('not valid JSON'),
    });
    await write(byId(posts), { train: [], valid: [], test: [] });
    await expect(loadHatexplainDataset({ root })).rejects.toMatchObject({
      file: join(root, 'post_id_divisions.json'),
    });
  });
});
