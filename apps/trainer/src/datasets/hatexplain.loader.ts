/**
 * HateXplain (Mathew et al. 2021) as a binary toxic-vs-normal text task with gender, race and
 * religion as sensitive attributes, from the publisher's two files:
 *   dataset.json             { <post_id>: { post_id, annotators: [{ label, annotator_id, target }],
 *                              rationales, post_tokens } }
 *   post_id_divisions.json   { train: [post_id...], val: [...], test: [...] }
 *
 * Rules (following HateXplain's own code, Preprocess/dataCollect.py and its bias notebook):
 * - Label: majority vote over the annotators' three-way labels (hatespeech/offensive/normal), then
 *   hatespeech and offensive → 'toxic' (code 1), normal → 'normal' (code 0). A post whose top label
 *   is tied (with 3 annotators: three different labels) is 'undecided' and dropped, as HateXplain
 *   drops it; note [hatespeech, offensive, normal] is undecided although two annotators said toxic.
 *   Dropped posts are counted in the returned `dropped`, never skipped silently.
 * - Target groups: a post targets a group when at least 2 annotators name it (HateXplain's
 *   "count > 1" rule; an annotator naming a group twice counts once).
 * - Attributes, one per category, values ['none', ...groups, 'multiple']: 'none' = no majority
 *   group of that category, 'multiple' = two or more (e.g. both Men and Women).
 *     gender:   Men, Women
 *     race:     African, Arab, Asian, Caucasian, Hispanic
 *     religion: Islam, Christian, Jewish, Hindu, Buddhism
 *   Other targets (Homosexual, Refugee, Other, None, ...) are valid data that fall in none of
 *   these categories.
 * - Tokens: post_tokens lowercased; vocabulary from the train split only; maxLength (default 64)
 *   keeps the first tokens and pads with 0 at the end (see text/vocabulary.ts).
 * - Order and indices: a split lists its posts in post_id_divisions.json order; the stable index
 *   is the post's position among dataset.json's keys (0-based).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ConfinedFiles } from './confined-files.ts';
import { type Attribute, type LoadedDataset, type SplitName, splitNames } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import { tokenizePretokenized } from './text/tokenizer.ts';
import { buildVocabulary, encodeDocuments } from './text/vocabulary.ts';

export const hatexplainLabels = ['hatespeech', 'normal', 'offensive'] as const;
export type HatexplainLabel = (typeof hatexplainLabels)[number];

export const toxicityValues = ['normal', 'toxic'];

/** Sensitive categories and their groups, in code order (after 'none'). */
export const hatexplainCategories = {
  gender: ['Men', 'Women'],
  race: ['African', 'Arab', 'Asian', 'Caucasian', 'Hispanic'],
  religion: ['Islam', 'Christian', 'Jewish', 'Hindu', 'Buddhism'],
} as const satisfies Record<string, readonly string[]>;
export type HatexplainCategory = keyof typeof hatexplainCategories;
const categoryNames = Object.keys(hatexplainCategories) as HatexplainCategory[];

const annotatorSchema = z.object({
  label: z.enum(hatexplainLabels),
  annotator_id: z.union([z.number(), z.string()]),
  target: z.array(z.string()),
});
const postSchema = z.object({
  post_id: z.string(),
  annotators: z.array(annotatorSchema).min(1, 'post has no annotators'),
  post_tokens: z.array(z.string()),
});
type Post = z.infer<typeof postSchema>;
type Annotator = z.infer<typeof annotatorSchema>;

const divisionsSchema = z.strictObject({
  train: z.array(z.string()),
  val: z.array(z.string()),
  test: z.array(z.string()),
});

/** The majority three-way label, or 'undecided' when the top count is shared. */
export function majorityLabel(labels: readonly HatexplainLabel[]): HatexplainLabel | 'undecided' {
  const counts = new Map<HatexplainLabel, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best: HatexplainLabel | 'undecided' = 'undecided';
  let bestCount = 0;
  for (const [label, count] of counts) {
    if (count > bestCount) {
      best = label;
      bestCount = count;
    } else if (count === bestCount) {
      best = 'undecided';
    }
  }
  return best;
}

/** Groups named by at least 2 annotators. */
export function majorityTargets(annotators: readonly Pick<Annotator, 'target'>[]): Set<string> {
  const votes = new Map<string, number>();
  for (const annotator of annotators) {
    for (const group of new Set(annotator.target)) votes.set(group, (votes.get(group) ?? 0) + 1);
  }
  return new Set([...votes].filter(([, count]) => count >= 2).map(([group]) => group));
}

/** Attribute values of a category: 'none', its groups, 'multiple'. */
export function categoryValues(category: HatexplainCategory): string[] {
  return ['none', ...hatexplainCategories[category], 'multiple'];
}

/** The category code of a post with these majority targets (see categoryValues). */
export function categoryCode(category: HatexplainCategory, targets: ReadonlySet<string>): number {
  const groups: readonly string[] = hatexplainCategories[category];
  const hits = groups.filter((group) => targets.has(group));
  if (hits.length === 0) return 0;
  if (hits.length > 1) return groups.length + 1;
  return groups.indexOf(hits[0] ?? '') + 1;
}

/** 1-based line of the first occurrence of `needle` in `text`, if any. */
function lineOf(text: string, needle: string): { line: number } | undefined {
  const at = text.indexOf(needle);
  if (at < 0) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return { line };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 reports a character position; turn it into the line a user can open.
    const position = /position (\d+)/.exec(message)?.[1];
    const where =
      position === undefined
        ? undefined
        : { line: text.slice(0, Number(position)).split('\n').length };
    // V8's message quotes the text around the error; the line is enough and quotes nothing.
    throw new DatasetFormatError(file, where, 'not valid JSON');
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

export interface HatexplainOptions {
  /** The folder holding dataset.json and post_id_divisions.json (HateXplain's Data/). */
  root: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `root` is resolved here.
   */
  within?: ConfinedFiles;
  /** Token ids per post (default 64). */
  maxLength?: number;
  /** Train-split tokens seen fewer times map to <unk> (default 1). */
  minCount?: number;
  name?: string;
}

export interface HatexplainDataset extends LoadedDataset {
  vocabulary: string[];
  /** Undecided posts (no majority label) in dataset.json: not loaded, per HateXplain. */
  dropped: number;
  /** Of those, how many each division listed. */
  droppedBySplit: Record<SplitName, number>;
  /** Decided posts of dataset.json that no division lists (0 for the official files). */
  unassigned: number;
  /** post_id per example, index-aligned with each split. */
  postIds: Partial<Record<SplitName, string[]>>;
}

interface ParsedPost {
  index: number;
  tokens: string[];
  /** undefined = undecided. */
  label: number | undefined;
  attributes: Record<HatexplainCategory, number>;
}

function parsePosts(text: string, file: string): Map<string, ParsedPost> {
  const root = parseJson(text, file);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new DatasetFormatError(file, { line: 1 }, 'expected an object keyed by post_id');
  }
  const posts = new Map<string, ParsedPost>();
  Object.entries(root).forEach(([key, value], index) => {
    const parsed = postSchema.safeParse(value);
    const where = () => lineOf(text, JSON.stringify(key));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const problem = issue === undefined ? 'invalid post' : describeIssue(issue);
      throw new DatasetFormatError(file, where(), `post ${index + 1}: ${problem}`);
    }
    const post: Post = parsed.data;
    if (post.post_id !== key) {
      throw new DatasetFormatError(
        file,
        where(),
        `post ${index + 1}: post_id differs from the key it is stored under`,
      );
    }
    const majority = majorityLabel(post.annotators.map((a) => a.label));
    const targets = majorityTargets(post.annotators);
    const attributes = {} as Record<HatexplainCategory, number>;
    for (const category of categoryNames) attributes[category] = categoryCode(category, targets);
    posts.set(key, {
      index,
      tokens: tokenizePretokenized(post.post_tokens),
      label: majority === 'undecided' ? undefined : majority === 'normal' ? 0 : 1,
      attributes,
    });
  });
  return posts;
}

/** Reads HateXplain into train/val/test TextSplits with a train-split vocabulary. */
export async function loadHatexplainDataset(
  options: HatexplainOptions,
): Promise<HatexplainDataset> {
  const { root, maxLength = 64, minCount = 1 } = options;
  const datasetFile = join(root, 'dataset.json');
  const divisionsFile = join(root, 'post_id_divisions.json');
  const within = options.within ?? (await ConfinedFiles.of(root));
  const posts = parsePosts(await within.readText(datasetFile), datasetFile);
  const divisionsText = await within.readText(divisionsFile);
  const divisionsParsed = divisionsSchema.safeParse(parseJson(divisionsText, divisionsFile));
  if (!divisionsParsed.success) {
    const issue = divisionsParsed.error.issues[0];
    throw new DatasetFormatError(
      divisionsFile,
      undefined,
      `expected { train: [post_id...], val: [...], test: [...] }: ${issue === undefined ? '' : describeIssue(issue)}`,
    );
  }
  const divisions = divisionsParsed.data;

  const droppedBySplit: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
  const assigned = new Set<string>();
  const members: Record<SplitName, { id: string; post: ParsedPost & { label: number } }[]> = {
    train: [],
    val: [],
    test: [],
  };
  for (const split of splitNames) {
    for (const id of divisions[split]) {
      const where = () => lineOf(divisionsText, JSON.stringify(id));
      const post = posts.get(id);
      if (post === undefined) {
        throw new DatasetFormatError(
          divisionsFile,
          where(),
          `a ${split} post id is not in dataset.json`,
        );
      }
      if (assigned.has(id)) {
        throw new DatasetFormatError(divisionsFile, where(), 'a post id is listed twice');
      }
      assigned.add(id);
      const { label } = post;
      if (label === undefined) droppedBySplit[split]++;
      else members[split].push({ id, post: { ...post, label } });
    }
  }
  let dropped = 0;
  let unassigned = 0;
  for (const [id, post] of posts) {
    if (post.label === undefined) dropped++;
    else if (!assigned.has(id)) unassigned++;
  }

  const vocabulary = buildVocabulary(
    members.train.map(({ post }) => post.tokens),
    { minCount },
  );
  const splits: LoadedDataset['splits'] = {};
  const postIds: HatexplainDataset['postIds'] = {};
  for (const split of splitNames) {
    const examples = members[split];
    const attributes: Record<string, Int32Array> = {};
    for (const category of categoryNames) {
      attributes[category] = Int32Array.from(examples, ({ post }) => post.attributes[category]);
    }
    splits[split] = {
      kind: 'text',
      split,
      tokens: encodeDocuments(
        examples.map(({ post }) => post.tokens),
        vocabulary,
        maxLength,
      ),
      count: examples.length,
      maxLength,
      labels: Int32Array.from(examples, ({ post }) => post.label),
      attributes,
      indices: Int32Array.from(examples, ({ post }) => post.index),
    };
    postIds[split] = examples.map(({ id }) => id);
  }

  const attributes: Attribute[] = categoryNames.map((name) => ({
    name,
    values: categoryValues(name),
  }));
  return {
    name: options.name ?? 'hatexplain',
    label: { name: 'toxicity', values: [...toxicityValues] },
    attributes,
    splits,
    vocabulary: vocabulary.tokens,
    dropped,
    droppedBySplit,
    unassigned,
    postIds,
  };
}
