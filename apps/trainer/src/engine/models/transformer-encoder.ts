/**
 * A small Transformer encoder classifier (BERT-style, Devlin et al. 2019, scaled down):
 * token + learned position embeddings → LayerNorm → N post-LN encoder blocks
 * (multi-head self-attention, feed-forward) → mean over non-padding tokens (or [CLS]) →
 * dense logits. Input: [batch, maxLength] int32 token ids, right-padded with 0.
 * Defaults (dModel 64, 4 heads, 2 layers, ff 128) keep it trainable on the cpu/wasm backends.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidModelOptionError } from './architecture-errors.ts';
import { layerSeeds, type NextSeed } from './layer-seeds.ts';
import { MultiHeadSelfAttention } from './multi-head-self-attention.layer.ts';
import { PositionEmbedding } from './position-embedding.layer.ts';
import { SequencePool, type SequencePooling } from './sequence-pool.layer.ts';
import { StepDropout } from './step-dropout.layer.ts';
import { applySymbolic } from './symbolic.ts';
import { textInput } from './text-input.ts';

export interface TransformerEncoderOptions {
  /** [maxLength]. */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
  vocabSize: number;
  dModel?: number;
  numHeads?: number;
  numLayers?: number;
  ffDim?: number;
  /** Dropout after attention, feed-forward and embeddings (BERT uses 0.1); training only. */
  dropout?: number;
  /** 'mean' over non-padding tokens (default) or 'cls' (token 0 must be a [CLS] id). */
  pooling?: SequencePooling;
}

export const transformerDefaults = {
  dModel: 64,
  numHeads: 4,
  numLayers: 2,
  ffDim: 128,
  dropout: 0.1,
  pooling: 'mean',
} as const;

function dense(
  x: tf.SymbolicTensor,
  units: number,
  nextSeed: NextSeed,
  activation?: 'relu',
): tf.SymbolicTensor {
  return applySymbolic(
    tf.layers.dense({
      units,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: 'zeros',
      ...(activation === undefined ? {} : { activation }),
    }),
    x,
  );
}

function layerNorm(x: tf.SymbolicTensor): tf.SymbolicTensor {
  return applySymbolic(tf.layers.layerNormalization({ axis: -1, epsilon: 1e-12 }), x);
}

function dropout(x: tf.SymbolicTensor, rate: number, nextSeed: NextSeed): tf.SymbolicTensor {
  return rate > 0 ? applySymbolic(new StepDropout({ rate, seed: nextSeed() }), x) : x;
}

export function buildTransformerEncoder(o: TransformerEncoderOptions): tf.LayersModel {
  const { maxLength, vocabSize } = textInput('transformer', o.inputShape, o.vocabSize);
  const c = { ...transformerDefaults, ...o };
  if (!Number.isInteger(c.dModel) || c.dModel % c.numHeads !== 0) {
    throw new InvalidModelOptionError(
      'transformer',
      'dModel',
      c.dModel,
      `a multiple of numHeads (${c.numHeads})`,
    );
  }
  const nextSeed = layerSeeds(o.seed);
  const tokens = tf.input({ shape: [maxLength], dtype: 'int32' });
  let x = applySymbolic(
    tf.layers.embedding({
      inputDim: vocabSize,
      outputDim: c.dModel,
      embeddingsInitializer: tf.initializers.truncatedNormal({ stddev: 0.02, seed: nextSeed() }),
    }),
    tokens,
  );
  x = applySymbolic(new PositionEmbedding({ seed: nextSeed() }), x);
  x = dropout(layerNorm(x), c.dropout, nextSeed);
  for (let i = 0; i < c.numLayers; i++) {
    const seeds = [nextSeed(), nextSeed(), nextSeed(), nextSeed()] as const;
    const attended = applySymbolic(new MultiHeadSelfAttention({ numHeads: c.numHeads, seeds }), [
      x,
      tokens,
    ]);
    x = layerNorm(applySymbolic(tf.layers.add(), [x, dropout(attended, c.dropout, nextSeed)]));
    const ff = dense(dense(x, c.ffDim, nextSeed, 'relu'), c.dModel, nextSeed);
    x = layerNorm(applySymbolic(tf.layers.add(), [x, dropout(ff, c.dropout, nextSeed)]));
  }
  const pooled = applySymbolic(new SequencePool({ pooling: c.pooling }), [x, tokens]);
  const logits = dense(pooled, o.numClasses, nextSeed);
  return tf.model({ inputs: tokens, outputs: logits, name: 'transformer_encoder' });
}
