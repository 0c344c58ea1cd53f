// Messages between engine.bench.ts and its train-worker.ts processes, parsed on both sides.
import { z } from 'zod';
import { architectureNames } from '../src/engine/models/index.ts';

/** argv[2] of a worker, as JSON. */
export const workerConfigSchema = z.object({
  architecture: z.enum(architectureNames),
  backend: z.string(),
  batch: z.number().int().positive(),
  steps: z.number().int().positive(),
  seed: z.number().int(),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** Worker → bench. */
export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('result'),
    images: z.number(),
    seconds: z.number(),
    /** Wall clock (ms since the epoch) from 'go' to the end of training, for the shared window. */
    startedAt: z.number(),
    endedAt: z.number(),
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

/** Bench → worker: start the timed training (sent once every worker is warm). */
export const goMessageSchema = z.object({ type: z.literal('go') });
