/**
 * MaxPoolGrad for the wasm backend in JS: per output window find the (first)
 * maximum of the input, as the cpu backend does, and add dy there.
 *
 * Why: the native kernel took ~24 ms per step of the reference CNN (one 2×2
 * pool over 64×32×32×16) and ~20% of the toy teacher's step; this loop does
 * the same in ~3 ms. NHWC float32 only; otherwise the native kernel runs. With the native addon
 * built (native-addon.ts) the C++ version runs first (apps/trainer/native/src/pool.cc: this loop,
 * and a vectorised pass for windows that tile the input).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { nativeMaxPoolGrad } from './native-conv2d.ts';
import { isWasmHeapBackend } from './wasm-heap-module.ts';
import type { KernelOverrideConfig } from './wasm-kernel-config.ts';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function makeWasmMaxPoolGradKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const { dy, input } = inputs;
    const a = args.attrs as unknown as Attrs;
    if (
      dy === undefined ||
      input === undefined ||
      input.shape.length !== 4 ||
      input.dtype !== 'float32' ||
      dy.dtype !== 'float32' ||
      !isWasmHeapBackend(backend)
    ) {
      return original(args);
    }
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const {
      batchSize: B,
      inHeight: IH,
      inWidth: IW,
      inChannels: C,
      outHeight: OH,
      outWidth: OW,
      strideHeight: sh,
      strideWidth: sw,
      effectiveFilterHeight: FH,
      effectiveFilterWidth: FW,
    } = info;
    const native = nativeMaxPoolGrad(backend, input, dy, info);
    if (native !== undefined) return native;
    const padTop = info.padInfo.top;
    const padLeft = info.padInfo.left;
    const dx: TensorInfo = backend.makeOutput([...input.shape], 'float32');
    const xv = backend.typedArrayFromHeap(input) as Float32Array;
    const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
    const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
    dxv.fill(0);
    let o = 0;
    for (let b = 0; b < B; b++) {
      const imgBase = b * IH * IW * C;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sh - padTop;
        const hLo = Math.max(0, h0);
        const hHi = Math.min(IH, h0 + FH);
        for (let ow = 0; ow < OW; ow++) {
          const w0 = ow * sw - padLeft;
          const wLo = Math.max(0, w0);
          const wHi = Math.min(IW, w0 + FW);
          for (let c = 0; c < C; c++, o++) {
            // Scan order (row, then column) and strict '>' pick the first max, like cpu.
            let best = Number.NEGATIVE_INFINITY;
            let bestIdx = -1;
            for (let h = hLo; h < hHi; h++) {
              let idx = imgBase + (h * IW + wLo) * C + c;
              for (let w = wLo; w < wHi; w++, idx += C) {
                const v = xv[idx] as number;
                if (v > best || bestIdx < 0) {
                  best = v;
                  bestIdx = idx;
                }
              }
            }
            if (bestIdx >= 0) dxv[bestIdx] = (dxv[bestIdx] as number) + (dyv[o] as number);
          }
        }
      }
    }
    return dx;
  };
}

export const maxPoolGradOverride: KernelOverrideConfig = {
  kernelName: 'MaxPoolGrad',
  makeKernelFunc: makeWasmMaxPoolGradKernel,
};
