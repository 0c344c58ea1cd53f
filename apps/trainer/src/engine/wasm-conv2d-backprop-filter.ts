/**
 * Conv2DBackpropFilter for the tfjs wasm backend.
 *
 * Why: @tensorflow/tfjs-backend-wasm 4.22 ships Conv2D and
 * Conv2DBackpropInput but NOT Conv2DBackpropFilter, so computing the gradient
 * of a conv layer's kernel throws "Kernel 'Conv2DBackpropFilter' not
 * registered for backend 'wasm'" and no CNN can be trained on wasm. We
 * register a plain-TypeScript implementation: the filter gradient of our tiny
 * CNNs is a few million multiply-adds per batch, cheap enough in JS.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

const KERNEL_NAME = 'Conv2DBackpropFilter';
const BACKEND_NAME = 'wasm';

/**
 * The slice of BackendWasm we use. Typed structurally (instead of importing
 * the class) so this module has no runtime dependency on the wasm package
 * and the kernel can be unit-tested against anything with the same methods.
 */
interface WasmLikeBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(
    shape: number[],
    dtype: 'float32',
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): TensorInfo;
}

function isWasmLikeBackend(backend: unknown): backend is WasmLikeBackend {
  if (typeof backend !== 'object' || backend === null) return false;
  return (
    'readSync' in backend &&
    typeof backend.readSync === 'function' &&
    'makeOutput' in backend &&
    typeof backend.makeOutput === 'function'
  );
}

/** Reads a tensor's values as float32 (wasm keeps them on its heap). */
function readFloat32(backend: WasmLikeBackend, info: TensorInfo, name: string): Float32Array {
  const values = backend.readSync(info.dataId);
  if (values instanceof Float32Array) return values;
  if (values instanceof Int32Array || values instanceof Uint8Array) return Float32Array.from(values);
  throw new Error(`${KERNEL_NAME} (wasm): input '${name}' has unsupported dtype ${info.dtype}`);
}

function asPair(v: number | [number, number] | undefined): [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

function asShape4(shape: number[], name: string): [number, number, number, number] {
  const [a, b, c, d] = shape;
  if (shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${KERNEL_NAME} (wasm): '${name}' must be rank 4, got [${shape.join(', ')}]`);
  }
  return [a, b, c, d];
}

/**
 * dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + fh·dh − padTop, ow·sw + fw·dw − padLeft, ci]
 *                                  · dy[b, oh, ow, co]
 *
 * Loop order: for each output position and filter tap, the innermost loop runs
 * over out-channels, which is contiguous in both dy (NHWC) and dW (HWIO), so
 * memory access is sequential. Accumulating in float64 keeps the result within
 * rounding of the cpu backend (which also accumulates in a JS double).
 */
export function conv2dBackpropFilterNhwc(
  x: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): Float32Array {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    filterHeight,
    filterWidth,
  } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const acc = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  const xRowStride = inWidth * inChannels;
  const xBatchStride = inHeight * xRowStride;

  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * xBatchStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const ihBase = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const iwBase = ow * strideWidth - padLeft;
        const dyOff = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = ihBase + fh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = iwBase + fw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const xOff = xBatch + ih * xRowStride + iw * inChannels;
            const wTap = (fh * filterWidth + fw) * inChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xOff + ci] ?? 0;
              // Post-ReLU activations are often exactly 0: skip the whole row.
              if (xv === 0) continue;
              const wOff = (wTap + ci) * outChannels;
              for (let co = 0; co < outChannels; co++) {
                acc[wOff + co] = (acc[wOff + co] ?? 0) + xv * (dy[dyOff + co] ?? 0);
              }
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  if (!isWasmLikeBackend(backend)) {
    throw new Error(`${KERNEL_NAME} (wasm): backend does not expose readSync/makeOutput`);
  }
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) {
    throw new Error(`${KERNEL_NAME} (wasm): inputs 'x' and 'dy' are required`);
  }
  // tfjs passes the attrs of the Conv2DBackpropFilter op; the kernel registry
  // types them as the generic NamedAttrMap, hence the narrowing cast.
  const a = (attrs ?? {}) as unknown as Conv2DBackpropFilterAttrs & {
    dilations?: number | [number, number];
  };
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
    throw new Error(`${KERNEL_NAME} (wasm): only NHWC is supported, got ${a.dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    asShape4(x.shape, 'x'),
    asShape4(a.filterShape, 'filterShape'),
    a.strides,
    asPair(a.dilations),
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const dW = conv2dBackpropFilterNhwc(readFloat32(backend, x, 'x'), readFloat32(backend, dy, 'dy'), info);
  // makeOutput with `values` mallocs on the wasm heap and copies them in.
  return backend.makeOutput([...info.filterShape], 'float32', undefined, dW);
};

/**
 * Registers the kernel for the wasm backend unless one already exists (a
 * future tfjs release may ship a native one, which we then prefer). Safe to
 * call before or after the wasm backend is initialised, and repeatedly.
 * Returns true when this call registered it.
 */
export function registerWasmConv2DBackpropFilter(): boolean {
  if (tf.getKernel(KERNEL_NAME, BACKEND_NAME)) return false;
  tf.registerKernel({ kernelName: KERNEL_NAME, backendName: BACKEND_NAME, kernelFunc });
  return true;
}
