/**
 * Training-mode batch norm over the last axis as three wasm kernels that each make one or two
 * streaming passes over the wasm heap: batch statistics, normalisation, and the whole backward
 * pass (dx, dγ, dβ).
 *
 * Why: tfjs builds training BN from moments + FusedBatchNorm, whose gradient is ~25 broadcast
 * Multiply/Sub/Sum/Mean/Cast kernels per layer; on wasm those were ~40% of a reference-CNN
 * training step. The closed-form backward needs two passes over dy and x.
 *
 * x is viewed as [R, C] (C = channels, innermost). Sums add at most 8 values in float32 and those
 * partial sums in Float64 (the TypeScript fallback: every value in Float64), so the results agree
 * with the cpu backend's composite to float32 rounding.
 *
 * One file per kernel (batch-norm-stats.kernel.ts, batch-norm-apply.kernel.ts,
 * batch-norm-grad.kernel.ts), registered from ../register-wasm-kernels.ts; the layer
 * (batch-norm.layer.ts) needs only the names below.
 */
export const BN_STATS = 'KDLensBatchNormStats';
export const BN_APPLY = 'KDLensBatchNormApply';
export const BN_GRAD = 'KDLensBatchNormGrad';
