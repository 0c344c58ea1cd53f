import { z } from 'zod';

/**
 * The trainer's OptimizerConfig (apps/trainer/src/engine/training/optimizers.ts) in zod, with the
 * ranges its validateOptimizerConfig enforces, so a spec fails at parse time rather than when a
 * unit starts. A type-level test in the trainer asserts both types are assignable to each other.
 */
const unitInterval = (what: string) =>
  z.number().min(0, `${what} must be in [0, 1)`).lt(1, `${what} must be in [0, 1)`);
const epsilon = z.number().positive('epsilon must be > 0');

export const optimizerConfigSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.literal('sgd'),
    /** Heavy-ball momentum (PyTorch semantics); the trainer's default is 0.9. */
    momentum: unitInterval('momentum').optional(),
    nesterov: z.boolean().optional(),
    /** L2 penalty in the gradient (PyTorch SGD `weight_decay`). */
    weightDecay: unitInterval('weightDecay').optional(),
  }),
  z.strictObject({
    name: z.literal('adam'),
    beta1: unitInterval('beta1').optional(),
    beta2: unitInterval('beta2').optional(),
    epsilon: epsilon.optional(),
  }),
  z.strictObject({
    name: z.literal('adamw'),
    /** Decoupled weight decay (Loshchilov & Hutter 2019); required, as in the trainer. */
    weightDecay: unitInterval('weightDecay'),
    beta1: unitInterval('beta1').optional(),
    beta2: unitInterval('beta2').optional(),
    epsilon: epsilon.optional(),
  }),
]);
export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;
