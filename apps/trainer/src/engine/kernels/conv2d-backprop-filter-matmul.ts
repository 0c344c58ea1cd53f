/**
 * Fast Conv2DBackpropFilter for the tfjs wasm backend: im2col in JS straight
 * into the wasm heap, then one XNNPACK matrix product through the backend's
 * own BatchMatMul kernel.
 *
 *   dW[K, CO] = colᵀ[K, P] · dy[P, CO]     K = fh·fw·ci taps, P = n·oh·ow positions
 *
 * colᵀ is built row by row (one row per filter tap): each row is a shifted
 * (strided, dilated) copy of one input channel plane, so after transposing x
 * to planar [ci, n, h, w] every row is filled with short contiguous copies.
 * Both matmul operands are then in the layout XNNPACK's non-transposed GEMM
 * wants (transposeA on wasm takes a ~10× slower path), and the [K, CO]
 * result already is the filter layout [fh, fw, ci, co], so no transposes are
 * needed after the product. The product runs at 20–25 GFLOP/s on one core;
 * with the im2col copies the whole kernel does ~8–10 GFLOP/s (plain-JS loops:
 * ~0.5), e.g. ~34 ms for a 64×32×32×16 → 16 layer.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap-module.ts';

/**
 * Upper bound for one colᵀ buffer (floats). Larger problems are processed in
 * chunks of whole images whose partial dW are summed; 16M floats = 64 MB
 * covers a 32×32×16→3×3 layer at batch 108 in one go.
 */
let maxColFloats = 16 * 1024 * 1024;

/** Test hook: lowers the colᵀ buffer limit so small inputs take the chunked path. Returns the old limit. */
export function setMaxColFloats(n: number): number {
  const previous = maxColFloats;
  maxColFloats = n;
  return previous;
}

let scratchBuffer = new Float32Array(0);

/**
 * A reused JS buffer for the planar copy of x (a fresh 5 MB array per call
 * showed up as GC time). Contents are stale; callers overwrite or zero it.
 */
function scratch(n: number): Float32Array {
  if (scratchBuffer.length < n) scratchBuffer = new Float32Array(n);
  return scratchBuffer.subarray(0, n);
}

/** x NHWC → planar [ci][n][h][w] for images [b0, b1). */
function toPlanar(
  x: Float32Array,
  b0: number,
  b1: number,
  imageSize: number,
  channels: number,
): Float32Array {
  const nb = b1 - b0;
  const plane = nb * imageSize;
  const out = scratch(channels * plane);
  const base = b0 * imageSize * channels;
  for (let p = 0; p < plane; p++) {
    const src = base + p * channels;
    for (let c = 0; c < channels; c++) out[c * plane + p] = x[src + c] as number;
  }
  return out;
}

/**
 * Fills colᵀ[K, P] (row k = (fh, fw, ci), column p = (b, oh, ow)) for the
 * images of a planar chunk. Padding taps are written as explicit zeros (the
 * heap buffer is uninitialised).
 */
function fillColT(
  colT: Float32Array,
  xp: Float32Array,
  nb: number,
  info: tf.backend_util.Conv2DInfo,
): void {
  const {
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    filterHeight,
    filterWidth,
  } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const P = nb * outHeight * outWidth;
  const imagePlane = inHeight * inWidth;
  const chanPlane = nb * imagePlane;
  let row = 0;
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      const colOff = fw * dw - padLeft;
      // Output columns whose input column is inside the image: [owLo, owHi).
      const owLo = Math.min(outWidth, Math.max(0, Math.ceil(-colOff / sw)));
      const owHi = Math.max(owLo, Math.min(outWidth, Math.ceil((inWidth - colOff) / sw)));
      for (let ci = 0; ci < inChannels; ci++, row++) {
        let d = row * P;
        const chanBase = ci * chanPlane;
        for (let b = 0; b < nb; b++) {
          const imgBase = chanBase + b * imagePlane;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * sh - padTop + fh * dh;
            const rowEnd = d + outWidth;
            if (ih < 0 || ih >= inHeight) {
              colT.fill(0, d, rowEnd);
              d = rowEnd;
              continue;
            }
            for (let ow = 0; ow < owLo; ow++) colT[d++] = 0;
            let s = imgBase + ih * inWidth + owLo * sw + colOff;
            if (sw === 1) {
              for (let ow = owLo; ow < owHi; ow++) colT[d++] = xp[s++] as number;
            } else {
              for (let ow = owLo; ow < owHi; ow++, s += sw) colT[d++] = xp[s] as number;
            }
            while (d < rowEnd) colT[d++] = 0;
          }
        }
      }
    }
  }
}

/**
 * Stride-1 layout ("row-padded"): positions run over the padded width Wp
 * instead of the output width, p = (b, oh, w) with w < Wp. Then the colᵀ row
 * of tap (fh, fw, ci) for image b is ONE contiguous run of the zero-padded
 * planar input, xpp[ci][b][fh·dh + oh][fw·dw + w] for all (oh, w), so a row
 * is nb native copies instead of nb·oh short JS loops (~10× faster). The
 * Wp − ow extra columns read garbage-but-finite neighbours; dy is zero there,
 * so they add nothing. Costs (Wp/ow − 1) extra FLOPs, e.g. 6% at 32×32.
 */
function padPlanar(
  x: Float32Array,
  b0: number,
  b1: number,
  info: tf.backend_util.Conv2DInfo,
  hp: number,
  wp: number,
): Float32Array {
  const { inHeight, inWidth, inChannels } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const nb = b1 - b0;
  const plane = hp * wp;
  // Tail: the last tap's run reads (fw·dw) past the last plane.
  const out = scratch(inChannels * nb * plane + (info.filterWidth - 1) * info.dilationWidth);
  out.fill(0);
  for (let b = 0; b < nb; b++) {
    for (let ih = 0; ih < inHeight; ih++) {
      const r = ih + padTop;
      if (r < 0 || r >= hp) continue;
      let src = ((b0 + b) * inHeight + ih) * inWidth * inChannels;
      for (let iw = 0; iw < inWidth; iw++) {
        const c = iw + padLeft;
        if (c >= 0 && c < wp) {
          let dst = b * plane + r * wp + c;
          for (let ci = 0; ci < inChannels; ci++, dst += nb * plane)
            out[dst] = x[src + ci] as number;
        }
        src += inChannels;
      }
    }
  }
  return out;
}

function fillColTRowPadded(
  colT: Float32Array,
  xpp: Float32Array,
  nb: number,
  info: tf.backend_util.Conv2DInfo,
  hp: number,
  wp: number,
): void {
  const { inChannels, outHeight, filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const plane = hp * wp;
  const run = outHeight * wp;
  let d = 0;
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      const tapOff = fh * dilationHeight * wp + fw * dilationWidth;
      for (let ci = 0; ci < inChannels; ci++) {
        for (let b = 0; b < nb; b++) {
          const s = (ci * nb + b) * plane + tapOff;
          colT.set(xpp.subarray(s, s + run), d);
          d += run;
        }
      }
    }
  }
}

function kernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return config.kernelFunc;
}

/**
 * dW for NHWC float32 x/dy on the wasm backend. `x` and `dy` must be wasm
 * tensors of `backend`; returns a new wasm tensor of shape info.filterShape.
 */
export function conv2dBackpropFilterMatMul(
  backend: WasmHeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const K = info.filterHeight * info.filterWidth * inChannels;
  const rowPadded = info.strideHeight === 1 && info.strideWidth === 1;
  const hp = outHeight + (info.filterHeight - 1) * info.dilationHeight;
  const wp = outWidth + (info.filterWidth - 1) * info.dilationWidth;
  // Positions per image in the matmul (row-padded: over the padded width).
  const posPerImage = rowPadded ? outHeight * wp : outHeight * outWidth;
  const imagesPerChunk = Math.max(
    1,
    Math.min(batchSize, Math.floor(maxColFloats / (K * posPerImage))),
  );
  const reshape = kernel('Reshape');
  const matMul = kernel('BatchMatMul');
  const bk = backend as unknown as tf.KernelBackend;
  const filterShape = [...info.filterShape];
  const dyImage = outHeight * outWidth * outChannels;
  let result: TensorInfo | undefined;
  let acc: Float32Array | undefined;

  for (let b0 = 0; b0 < batchSize; b0 += imagesPerChunk) {
    const b1 = Math.min(batchSize, b0 + imagesPerChunk);
    const nb = b1 - b0;
    const P = nb * posPerImage;
    // Read x before allocating: a malloc may grow (and detach) the heap view.
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const xp = rowPadded
      ? padPlanar(xv, b0, b1, info, hp, wp)
      : toPlanar(xv, b0, b1, inHeight * inWidth, inChannels);
    const colT = backend.makeOutput([K, P], 'float32');
    let dyChunk: TensorInfo;
    if (!rowPadded && nb === batchSize) {
      dyChunk = reshape({
        inputs: { x: dy },
        backend: bk,
        attrs: { shape: [P, outChannels] },
      }) as TensorInfo;
    } else {
      dyChunk = backend.makeOutput([P, outChannels], 'float32');
      const src = backend.typedArrayFromHeap(dy) as Float32Array;
      const dst = backend.typedArrayFromHeap(dyChunk) as Float32Array;
      if (!rowPadded) {
        dst.set(src.subarray(b0 * dyImage, b1 * dyImage));
      } else {
        dst.fill(0);
        const rowLen = outWidth * outChannels;
        for (let r = 0; r < nb * outHeight; r++) {
          const s = b0 * dyImage + r * rowLen;
          dst.set(src.subarray(s, s + rowLen), r * wp * outChannels);
        }
      }
    }
    const colTv = backend.typedArrayFromHeap(colT) as Float32Array;
    if (rowPadded) fillColTRowPadded(colTv, xp, nb, info, hp, wp);
    else fillColT(colTv, xp, nb, info);
    const out = matMul({
      inputs: { a: colT, b: dyChunk },
      backend: bk,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    backend.disposeData(colT.dataId);
    backend.disposeData(dyChunk.dataId);
    if (nb === batchSize) {
      result = out;
      break;
    }
    const part = backend.typedArrayFromHeap(out) as Float32Array;
    if (acc === undefined) acc = Float32Array.from(part);
    else for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (part[i] as number);
    backend.disposeData(out.dataId);
  }
  if (result === undefined) {
    if (acc === undefined) throw new Error('Conv2DBackpropFilter (wasm): empty batch');
    result = backend.makeOutput(filterShape, 'float32');
    (backend.typedArrayFromHeap(result) as Float32Array).set(acc);
  }
  // [K, CO] is the filter layout [fh, fw, ci, co]; wasm kernels set shapes the same way.
  result.shape = filterShape;
  return result;
}
