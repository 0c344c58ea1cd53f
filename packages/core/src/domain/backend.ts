import { z } from 'zod';

/**
 * TensorFlow.js backends a run can ask for. `auto` takes tfjs-node-gpu when it loads and sees a
 * GPU, else tfjs-node, else wasm, else the pure-JS cpu backend.
 */
export const backendNames = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const backendNameSchema = z.enum(backendNames);
export type BackendName = z.infer<typeof backendNameSchema>;
