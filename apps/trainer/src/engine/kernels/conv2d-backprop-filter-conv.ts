/**
 * Conv2DBackpropFilter for stride-1, dilation-1 convolutions as ONE XNNPACK Conv2D.
 *
 *   dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh + fh − pt, ow + fw − pl, ci] · dy[b, oh, ow, co]
 *
 * is a convolution of x' = x transposed to [ci, h, w, b] (ci as the batch, b as the input
 * channels) with the filter dy' = dy transposed to [oh, ow, b, co], padded by the forward
 * pass's top/left pads and giving [ci, fh, fw, co]. Why: the im2col route
 * (conv2d-backprop-filter-matmul.ts) materialises a K×P colᵀ (40 MB for a 64×32×32×16
 * layer) that the GEMM then streams from memory; XNNPACK's convolution reads x' through its
 * indirection buffer instead, and the two SIMD relayouts (wasm/layout.wat) touch each
 * element once. Most of what remains is XNNPACK packing dy' as weights on every call. On
 * the reference CNN a training step measured 0–15% faster than with im2col (noisy machine).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { layoutWasmBase64 } from './wasm/layout.wasm.ts';
import { exportedFunction, heapModuleExports, type WasmHeapBackend } from './wasm-heap-module.ts';

/** layout.wat: [B, P, C] → [C, P, B] and [B, P, C] → [P, B, C] (byte offsets on the heap). */
type Relayout = (src: number, dst: number, b: number, p: number, c: number) => void;

function relayouts(backend: unknown): { toCPB: Relayout; toPBC: Relayout } | undefined {
  const exports = heapModuleExports(layoutWasmBase64, backend);
  if (exports === undefined) return undefined;
  return {
    toCPB: exportedFunction(exports, 'toChannelsPixelsBatch'),
    toPBC: exportedFunction(exports, 'toPixelsBatchChannels'),
  };
}

let enabled = true;

/** Benchmark hook: false sends every case to im2col. Returns the old setting. */
export function setConvFormFilterGrad(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** Whether convInfo is a case this kernel takes (else the caller uses im2col). */
export function takesConvForm(info: tf.backend_util.Conv2DInfo): boolean {
  const { padInfo } = info;
  if (!enabled) return false;
  const padBottom = info.filterHeight - 1 - info.inHeight + info.outHeight - padInfo.top;
  const padRight = info.filterWidth - 1 - info.inWidth + info.outWidth - padInfo.left;
  // Square dy planes only: dy' is the convolution's filter here, and the wasm backend's
  // Conv2D corrupts its heap for explicit padding with a non-square filter (tfjs 4.22 bug,
  // see conv-cases.testing.ts).
  return (
    // Empty batches and channel sets would still run one SIMD iteration on a zero-size buffer.
    info.batchSize > 0 &&
    info.outChannels > 0 &&
    info.inChannels > 0 &&
    info.outHeight === info.outWidth &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    padInfo.top >= 0 &&
    padInfo.left >= 0 &&
    padBottom >= 0 &&
    padRight >= 0 &&
    tf.getKernel('Conv2D', 'wasm') !== undefined
  );
}

export function conv2dBackpropFilterConv(
  backend: WasmHeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const {
    batchSize: B,
    inHeight: H,
    inWidth: W,
    inChannels: CI,
    outHeight: OH,
    outWidth: OW,
    outChannels: CO,
    filterHeight: FH,
    filterWidth: FW,
  } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const pb = FH - 1 - H + OH - pt;
  const pr = FW - 1 - W + OW - pl;
  const xt = backend.makeOutput([CI, H, W, B], 'float32');
  const dyt = backend.makeOutput([OH, OW, B, CO], 'float32');
  // Heap views only after all allocations (a malloc may grow the heap).
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const xtv = backend.typedArrayFromHeap(xt) as Float32Array;
  const dytv = backend.typedArrayFromHeap(dyt) as Float32Array;
  const HW = H * W;
  const OHW = OH * OW;
  const simd = relayouts(backend);
  if (simd !== undefined && B % 4 === 0 && CI % 4 === 0) {
    simd.toCPB(xv.byteOffset, xtv.byteOffset, B, HW, CI);
  } else {
    // Per pixel, a [B, CI] block of x becomes a [CI, B] block of x': the B source pixels'
    // cache lines are all used before moving on.
    for (let p = 0; p < HW; p++) {
      for (let ci = 0; ci < CI; ci++) {
        let s = p * CI + ci;
        let d = (ci * HW + p) * B;
        for (let b = 0; b < B; b++, s += HW * CI) xtv[d++] = xv[s] as number;
      }
    }
  }
  if (simd !== undefined && CO % 4 === 0) {
    simd.toPBC(dyv.byteOffset, dytv.byteOffset, B, OHW, CO);
  } else {
    for (let p = 0; p < OHW; p++) {
      let d = p * B * CO;
      for (let b = 0; b < B; b++) {
        const s = (b * OHW + p) * CO;
        for (let co = 0; co < CO; co++) dytv[d++] = dyv[s + co] as number;
      }
    }
  }
  const bk = backend as unknown as tf.KernelBackend;
  const conv = tf.getKernel('Conv2D', 'wasm');
  if (conv === undefined) throw new Error('Conv2DBackpropFilter (wasm): Conv2D is not registered');
  const out = conv.kernelFunc({
    inputs: { x: xt, filter: dyt },
    backend: bk,
    attrs: {
      strides: 1,
      pad: [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
      dilations: 1,
      dataFormat: 'NHWC',
    },
  }) as TensorInfo;
  backend.disposeData(xt.dataId);
  backend.disposeData(dyt.dataId);
  // [ci, fh, fw, co] → [fh, fw, ci, co]
  const dW = backend.makeOutput([FH, FW, CI, CO], 'float32');
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  const dv = backend.typedArrayFromHeap(dW) as Float32Array;
  const taps = FH * FW;
  for (let ci = 0; ci < CI; ci++) {
    for (let t = 0; t < taps; t++) {
      dv.set(ov.subarray((ci * taps + t) * CO, (ci * taps + t + 1) * CO), (t * CI + ci) * CO);
    }
  }
  backend.disposeData(out.dataId);
  return dW;
}
