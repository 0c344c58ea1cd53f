import { z } from 'zod';

/**
 * The trainer's OptimizerConfig (apps/trainer/src/engine/training/optimizers.ts) in zod, with the
 * ranges its validateOptimizerConfig enforces, so a spec fails at parse time rather than when a
 * unit starts. A type-level test in the trainer asserts both types are assignable to each other.
 */
const unitInterval = (what: string) =>
  z.number().min(0, `${what} must be in [0, 1)`).lt(1, `${what} must be in [0, 1)`);
const epsilon = z
  .number()
  .positive('epsilon must be > 0')
  .describe('added to the denominator for stability');
const beta1 = unitInterval('beta1').describe('decay rate of the first-moment estimate');
const beta2 = unitInterval('beta2').describe('decay rate of the second-moment estimate');

export const optimizerConfigSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.literal('sgd').describe('stochastic gradient descent'),
    momentum: unitInterval('momentum')
      .optional()
      .describe('heavy-ball momentum (PyTorch semantics); the trainer’s default is 0.9'),
    nesterov: z.boolean().optional().describe('Nesterov momentum'),
    weightDecay: unitInterval('weightDecay')
      .optional()
      .describe('L2 penalty in the gradient (PyTorch SGD `weight_decay`)'),
  }),
  z.strictObject({
    name: z.literal('adam').describe('Adam (Kingma & Ba 2015)'),
    beta1: beta1.optional(),
    beta2: beta2.optional(),
    epsilon: epsilon.optional(),
  }),
  z.strictObject({
    name: z.literal('adamw').describe('Adam with decoupled weight decay'),
    weightDecay: unitInterval('weightDecay').describe(
      'decoupled weight decay (Loshchilov & Hutter 2019); required, as in the trainer',
    ),
    beta1: beta1.optional(),
    beta2: beta2.optional(),
    epsilon: epsilon.optional(),
  }),
]);
export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;
