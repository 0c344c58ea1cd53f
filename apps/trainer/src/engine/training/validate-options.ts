/**
 * Every check on trainUnit's options and data, done before any tensor is allocated, so a
 * bad run fails in milliseconds with a message naming the option instead of mid-epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { validateKdOptions } from '../kd-loss.ts';
import { isArchitectureName } from '../models/index.ts';
import { isArchitecture } from '../models/toy-cnn.ts';
import { type OptimizerConfig, validateOptimizerConfig } from './optimizers.ts';
import { type LrSchedule, validateSchedule } from './schedules.ts';
import {
  type InputLayout,
  inputLayout,
  isTextSplit,
  type TextSplit,
  type TrainingSplit,
} from './splits.ts';
import type { KdSetup } from './train-step.ts';
import {
  type ModelOptions,
  type OptimizerName,
  type TrainUnitOptions,
  trainRoles,
} from './train-unit.types.ts';

/** Architectures that read token ids; all others read images. */
const textArchitectures: readonly string[] = ['transformer', 'bigru'];

export interface ResolvedOptions {
  numClasses: number;
  input: InputLayout;
  optimizer: OptimizerConfig;
  schedule: LrSchedule;
  topK: number;
  /** Architecture options with vocabSize filled in for text models. */
  modelOptions: ModelOptions;
  /** 0 = never evaluate during training. */
  evaluateEvery: number;
  /** Training-batch augmentation of image models; undefined = none. */
  augment?: { padding: number; flip: boolean };
  kd?: KdSetup;
}

export function fail(message: string): never {
  throw new Error(`trainUnit: ${message}`);
}

/** Runs `check` and re-raises its error with the trainUnit prefix. */
function prefixed<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

function resolveOptimizer(option: OptimizerName | OptimizerConfig | undefined): OptimizerConfig {
  if (option === undefined || option === 'adam') return { name: 'adam' };
  if (option === 'sgd-momentum') return { name: 'sgd', momentum: 0.9 };
  if (typeof option !== 'object' || option === null) {
    fail(
      `optimizer must be 'adam', 'sgd-momentum' or an optimizer config, got '${String(option)}'`,
    );
  }
  validateOptimizerConfig(option);
  return option;
}

function checkSplit(name: string, split: TrainingSplit, numClasses: number): void {
  if (!Number.isInteger(split.count) || split.count < 0)
    fail(`${name}.count must be a non-negative integer`);
  const { size } = inputLayout(split);
  const expected = split.count * size;
  if (isTextSplit(split)) {
    if (split.tokens.length !== expected) {
      fail(
        `${name}.tokens has ${split.tokens.length} ids, expected ${expected} (count × maxLength)`,
      );
    }
  } else if (split.images.length !== expected) {
    fail(
      `${name}.images has ${split.images.length} values, expected ${expected} (count × size² × channels)`,
    );
  }
  if (split.labels.length !== split.count) {
    fail(`${name}.labels has ${split.labels.length} entries, expected ${split.count}`);
  }
  for (const label of split.labels) {
    if (label < 0 || label >= numClasses)
      fail(`${name} has label ${label} outside [0, ${numClasses})`);
  }
}

function maxOf(values: Int32Array): number {
  let m = -1;
  for (const v of values) m = Math.max(m, v);
  return m;
}

/** Text models embed ids, so every id must lie inside the vocabulary (tfjs would read garbage). */
function checkTokenIds(splits: [string, TextSplit][], vocabSize: number): void {
  for (const [name, split] of splits) {
    const at = split.tokens.findIndex((id) => !(id >= 0 && id < vocabSize));
    if (at >= 0) {
      const example = Math.floor(at / split.maxLength);
      fail(
        `${name}.tokens has id ${split.tokens[at]} (example ${example}, position ${at % split.maxLength}) outside the vocabulary [0, ${vocabSize})`,
      );
    }
  }
}

function describeKind(split: TrainingSplit): string {
  return isTextSplit(split) ? 'a text split (token ids)' : 'an image split';
}

/** The splits must suit the architecture and agree with each other in layout. */
function checkDataKinds(architecture: string, splits: [string, TrainingSplit][]): InputLayout {
  const [first] = splits;
  if (first === undefined) fail('data.train is required');
  const textModel = textArchitectures.includes(architecture);
  for (const [name, split] of splits) {
    if (textModel && !isTextSplit(split)) {
      fail(
        `${architecture} is a text model but ${name} is ${describeKind(split)}; pass text splits { kind: 'text', tokens, maxLength, labels, count }`,
      );
    }
    if (!textModel && isTextSplit(split)) {
      fail(
        `${architecture} is an image model but ${name} is ${describeKind(split)}; use 'transformer' or 'bigru' for text`,
      );
    }
  }
  const layout = inputLayout(first[1]);
  for (const [name, split] of splits.slice(1)) {
    const other = inputLayout(split);
    if (other.shape.join('×') !== layout.shape.join('×')) {
      fail(
        `${name} examples are ${other.shape.join('×')}, ${first[0]} examples are ${layout.shape.join('×')}`,
      );
    }
  }
  return layout;
}

function resolveModelOptions(
  opts: TrainUnitOptions,
  layout: InputLayout,
  splits: [string, TrainingSplit][],
): ModelOptions {
  const given = opts.modelOptions ?? {};
  if (isArchitecture(opts.architecture) && Object.keys(given).length > 0) {
    fail(`modelOptions apply to the paper's architectures, not to ${opts.architecture}`);
  }
  if (layout.kind !== 'text') return given;
  const texts = splits.filter((s): s is [string, TextSplit] => isTextSplit(s[1]));
  const vocabSize =
    given.vocabSize ?? Math.max(2, ...texts.map(([, split]) => maxOf(split.tokens) + 1));
  if (!Number.isInteger(vocabSize) || vocabSize < 2) {
    fail(`modelOptions.vocabSize must be an integer >= 2, got ${vocabSize}`);
  }
  checkTokenIds(texts, vocabSize);
  return { ...given, vocabSize };
}

function checkTeacher(teacher: tf.LayersModel, layout: InputLayout, numClasses: number): void {
  const input = teacher.inputs[0]?.shape ?? [];
  const output = teacher.outputs[0]?.shape ?? [];
  const want = layout.shape;
  const show = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? '*').join(', ')}]`;
  if (input.length !== want.length + 1 || want.some((d, i) => input[i + 1] !== d)) {
    fail(
      `teacher input shape ${show(input)} does not match the ${layout.kind} data ${show([null, ...want])}`,
    );
  }
  const dtype = teacher.inputs[0]?.dtype;
  if ((layout.kind === 'text') !== (dtype === 'int32')) {
    fail(
      `teacher reads ${dtype === 'int32' ? 'token ids' : 'images'} but the data is ${layout.kind}`,
    );
  }
  if (output.length !== 2 || output[1] !== numClasses) {
    fail(`teacher output shape ${show(output)} does not match numClasses ${numClasses}`);
  }
}

/**
 * Training an embedding needs the gradient of Gather, which tfjs computes with
 * UnsortedSegmentSum. The wasm package ships without it; initBackend('wasm') registers
 * KDLens' kernel (kernels/wasm-unsorted-segment-sum.ts), so this only fires for a backend
 * set up some other way, where the failure would otherwise surface mid-step as an
 * unregistered-kernel error.
 */
function checkBackendCanTrainText(): void {
  const backend = tf.getBackend();
  if (tf.getKernel('UnsortedSegmentSum', backend) === undefined) {
    fail(
      `text models need the UnsortedSegmentSum kernel (embedding gradient), which the '${backend}' backend lacks; initialise it with initBackend (it registers KDLens' wasm kernels), or use the cpu backend or tfjs-node`,
    );
  }
}

/** All option checks happen here, before any tensor is allocated. */
export function validateOptions(opts: TrainUnitOptions): ResolvedOptions {
  if (!(trainRoles as readonly string[]).includes(opts.role)) {
    fail(`role must be one of ${trainRoles.join(', ')}, got '${String(opts.role)}'`);
  }
  if (!isArchitecture(opts.architecture) && !isArchitectureName(opts.architecture))
    fail(`unknown architecture '${String(opts.architecture)}'`);
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1)
    fail(`epochs must be an integer >= 1, got ${opts.epochs}`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    fail(`batchSize must be an integer >= 1, got ${opts.batchSize}`);
  }
  if (!(Number.isFinite(opts.learningRate) && opts.learningRate > 0)) {
    fail(`learningRate must be a finite number > 0, got ${opts.learningRate}`);
  }
  if (!Number.isFinite(opts.seed)) fail(`seed must be a finite number, got ${opts.seed}`);
  const optimizer = prefixed(() => resolveOptimizer(opts.optimizer));
  const schedule = opts.schedule ?? { name: 'constant' };
  prefixed(() => validateSchedule(schedule));
  const topK = opts.topK ?? 5;
  if (!(Number.isInteger(topK) && topK >= 1)) fail(`topK must be an integer >= 1, got ${topK}`);
  const evaluateEvery = opts.evaluateEvery ?? 0;
  if (
    opts.evaluateEvery !== undefined &&
    !(Number.isInteger(evaluateEvery) && evaluateEvery >= 1)
  ) {
    fail(`evaluateEvery must be an integer >= 1 (epochs), got ${opts.evaluateEvery}`);
  }
  if (opts.resume === true && opts.checkpointDir === undefined) {
    fail("'resume' needs a 'checkpointDir' to resume from");
  }
  if (opts.pretrained !== undefined && typeof opts.pretrained.dir !== 'string') {
    fail("'pretrained' must be { dir: string }");
  }

  const { train, test, val } = opts.data ?? fail('data { train, test } is required');
  if (train === undefined || test === undefined)
    fail('data must contain both train and test splits');
  const splits: [string, TrainingSplit][] = [
    ['data.train', train],
    ['data.test', test],
    ...(val === undefined ? [] : [['data.val', val] as [string, TrainingSplit]]),
  ];
  const input = checkDataKinds(opts.architecture, splits);
  const numClasses =
    opts.numClasses ??
    train.classNames?.length ??
    Math.max(...splits.map(([, split]) => maxOf(split.labels))) + 1;
  if (!Number.isInteger(numClasses) || numClasses < 2)
    fail(`numClasses must be an integer >= 2, got ${numClasses}`);
  for (const [name, split] of splits) checkSplit(name, split, numClasses);
  if (train.count < 1) fail('data.train is empty');
  const modelOptions = resolveModelOptions(opts, input, splits);
  if (input.kind === 'text') checkBackendCanTrainText();
  const augment = resolveAugment(opts.augment, input);
  const resolved = {
    numClasses,
    input,
    optimizer,
    schedule,
    topK,
    modelOptions,
    evaluateEvery,
    ...(augment === undefined ? {} : { augment }),
  };

  if (opts.role !== 'distilled') {
    if (opts.teacher !== undefined)
      fail(`'teacher' is only used when role is 'distilled' (role: ${opts.role})`);
    if (opts.teacherLogits !== undefined)
      fail(`'teacherLogits' is only used when role is 'distilled' (role: ${opts.role})`);
    if (opts.temperature !== undefined) {
      fail(`'temperature' is only used when role is 'distilled' (role: ${opts.role})`);
    }
    if (opts.alpha !== undefined)
      fail(`'alpha' is only used when role is 'distilled' (role: ${opts.role})`);
    return resolved;
  }
  if (opts.temperature === undefined) fail("role 'distilled' requires a 'temperature' (> 0)");
  const temperature = opts.temperature;
  const kdOpts = prefixed(() => validateKdOptions({ temperature, alpha: opts.alpha }));
  if (opts.teacherLogits !== undefined) {
    if (opts.teacher !== undefined) fail("give 'teacher' or 'teacherLogits', not both");
    if (augment !== undefined) {
      fail(
        "'teacherLogits' cannot be used with 'augment': the teacher must see each augmented batch",
      );
    }
    const want = opts.data.train.count * numClasses;
    if (opts.teacherLogits.length !== want) {
      fail(
        `teacherLogits has ${opts.teacherLogits.length} values; the train split needs ${opts.data.train.count} examples × ${numClasses} classes = ${want}`,
      );
    }
    return { ...resolved, kd: { teacherLogits: opts.teacherLogits, ...kdOpts } };
  }
  const teacher =
    opts.teacher ?? fail("role 'distilled' requires a trained 'teacher' model or 'teacherLogits'");
  checkTeacher(teacher, input, numClasses);
  return { ...resolved, kd: { teacher, ...kdOpts } };
}

function resolveAugment(
  option: TrainUnitOptions['augment'],
  input: InputLayout,
): { padding: number; flip: boolean } | undefined {
  if (option === undefined) return undefined;
  if (input.kind !== 'image') fail("'augment' applies to image models only");
  const padding = option.padding ?? 4;
  const side = input.shape[0] ?? 0;
  if (!(Number.isInteger(padding) && padding >= 0 && padding < side)) {
    fail(
      `augment.padding must be an integer in [0, ${side}) for ${side} px images, got ${padding}`,
    );
  }
  return { padding, flip: option.flip ?? true };
}
