/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter and MaxPoolGrad on the wasm
 * backend's heap through the native addon (native-addon.ts): each returns undefined when the
 * addon is absent or the case is one it does not take (not float32, not NHWC, a FusedConv2D
 * activation other than linear/relu, PReLU weights), and its caller then runs the wasm kernel.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { type NativeConvAddon, nativeConvAddon } from './native-addon.ts';
import { isWasmHeapBackend, type WasmHeapBackend } from './wasm-heap-module.ts';
import type { KernelOverrideConfig } from './wasm-kernel-config.ts';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const params = new Float64Array(20);

function isShape4(shape: readonly number[]): shape is Shape4 {
  return shape.length === 4;
}

/** The addon's params: four byte offsets (−1: none), the geometry, the relu flag. */
function fillParams(
  offsets: [number, number, number, number],
  info: tf.backend_util.Conv2DInfo,
  relu: boolean,
): Float64Array {
  params.set(offsets, 0);
  params.set(
    [
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.outChannels,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.dilationHeight,
      info.dilationWidth,
      info.padInfo.top,
      info.padInfo.left,
    ],
    4,
  );
  params[19] = relu ? 1 : 0;
  return params;
}

function heapOf(backend: WasmHeapBackend, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Backend, addon and a float32 NHWC case; undefined sends the call to the wasm kernel. */
function nativeCase(
  backend: unknown,
  tensors: readonly (TensorInfo | undefined)[],
  dataFormat: string | undefined,
): { backend: WasmHeapBackend; addon: NativeConvAddon } | undefined {
  const addon = nativeConvAddon();
  if (addon === undefined || !isWasmHeapBackend(backend)) return undefined;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return undefined;
  for (const t of tensors) if (t === undefined || t.dtype !== 'float32') return undefined;
  return { backend, addon };
}

function forward(
  args: Parameters<tf.KernelFunc>[0],
  activation: string,
  bias: TensorInfo | undefined,
): TensorInfo | undefined {
  const { x, filter } = args.inputs;
  const a = args.attrs as unknown as ConvAttrs;
  const ok = nativeCase(
    args.backend,
    bias === undefined ? [x, filter] : [x, filter, bias],
    a.dataFormat,
  );
  if (ok === undefined || x === undefined || filter === undefined) return undefined;
  if (!isShape4(x.shape) || !isShape4(filter.shape)) return undefined;
  if (activation !== 'linear' && activation !== 'relu') return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filter.shape,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) {
    return undefined;
  }
  const { backend, addon } = ok;
  const y = backend.makeOutput([...info.outShape], 'float32');
  // Heap views only after all allocations (a malloc may grow the heap).
  const yv = heapOf(backend, y);
  const xv = heapOf(backend, x);
  const wv = heapOf(backend, filter);
  const bOffset = bias === undefined ? -1 : heapOf(backend, bias).byteOffset;
  addon.conv2d(
    yv.buffer as ArrayBuffer,
    fillParams([xv.byteOffset, wv.byteOffset, bOffset, yv.byteOffset], info, activation === 'relu'),
  );
  return y;
}

export function makeNativeConv2DKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => forward(args, 'linear', undefined) ?? original(args);
}

export function makeNativeFusedConv2DKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { bias, preluActivationWeights } = args.inputs;
    const activation = (args.attrs as { activation?: string } | undefined)?.activation ?? 'linear';
    if (preluActivationWeights !== undefined && preluActivationWeights !== null) {
      return original(args);
    }
    return forward(args, activation, bias ?? undefined) ?? original(args);
  };
}

/** dx of a convolution, or undefined for the wasm kernel. */
export function nativeConv2DBackpropInput(
  args: Parameters<tf.KernelFunc>[0],
): TensorInfo | undefined {
  const { dy, filter } = args.inputs;
  const a = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const ok = nativeCase(args.backend, [dy, filter], a.dataFormat);
  if (ok === undefined || dy === undefined || filter === undefined) return undefined;
  if (!isShape4(a.inputShape) || !isShape4(filter.shape)) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { backend, addon } = ok;
  const dx = backend.makeOutput([...a.inputShape], 'float32');
  const dxv = heapOf(backend, dx);
  const dyv = heapOf(backend, dy);
  const wv = heapOf(backend, filter);
  addon.conv2dBackpropInput(
    dxv.buffer as ArrayBuffer,
    fillParams([dyv.byteOffset, wv.byteOffset, -1, dxv.byteOffset], info, false),
  );
  return dx;
}

/** dW of a convolution (info from the forward conv's shapes), or undefined for wasm. */
export function nativeConv2DBackpropFilter(
  backend: unknown,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo | undefined {
  const ok = nativeCase(backend, [x, dy], undefined);
  if (ok === undefined) return undefined;
  const dW = ok.backend.makeOutput([...info.filterShape], 'float32');
  const dWv = heapOf(ok.backend, dW);
  const xv = heapOf(ok.backend, x);
  const dyv = heapOf(ok.backend, dy);
  ok.addon.conv2dBackpropFilter(
    dWv.buffer as ArrayBuffer,
    fillParams([xv.byteOffset, dyv.byteOffset, -1, dWv.byteOffset], info, false),
  );
  return dW;
}

/**
 * dx of a max pool (info from computePool2DInfo), or undefined for the wasm kernel. The
 * addon reads the pool as a convolution geometry: CI the channels, FH×FW the window.
 */
export function nativeMaxPoolGrad(
  backend: unknown,
  input: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo | undefined {
  const ok = nativeCase(backend, [input, dy], undefined);
  if (ok === undefined || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const dx = ok.backend.makeOutput([...input.shape], 'float32');
  const dxv = heapOf(ok.backend, dx);
  const xv = heapOf(ok.backend, input);
  const dyv = heapOf(ok.backend, dy);
  ok.addon.maxPoolGrad(
    dxv.buffer as ArrayBuffer,
    fillParams(
      [xv.byteOffset, dyv.byteOffset, -1, dxv.byteOffset],
      {
        ...info,
        filterHeight: info.effectiveFilterHeight,
        filterWidth: info.effectiveFilterWidth,
      },
      false,
    ),
  );
  return dx;
}

/** Element-wise through the addon: one input, one output of its shape, or undefined. */
function elementwise(
  backend: unknown,
  inputs: [TensorInfo, TensorInfo | undefined],
  call: (addon: NativeConvAddon, heap: ArrayBuffer, params: Float64Array) => void,
): TensorInfo | undefined {
  const [x, second] = inputs;
  const ok = nativeCase(backend, second === undefined ? [x] : [x, second], undefined);
  if (ok === undefined) return undefined;
  const out = ok.backend.makeOutput([...x.shape], 'float32');
  const outv = heapOf(ok.backend, out);
  const xv = heapOf(ok.backend, x);
  const sv = second === undefined ? undefined : heapOf(ok.backend, second);
  params.fill(1);
  params.set([xv.byteOffset, sv?.byteOffset ?? 0, -1, outv.byteOffset, outv.length], 0);
  params[19] = 0;
  call(ok.addon, outv.buffer as ArrayBuffer, params);
  return out;
}

/** dx = dy · step(x) (relu-grad.ts), or undefined without the addon. */
export function nativeReluGrad(
  backend: unknown,
  x: TensorInfo,
  dy: TensorInfo,
): TensorInfo | undefined {
  return elementwise(backend, [x, dy], (addon, heap, p) => addon.reluGrad(heap, p));
}

export function makeNativeReluKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const native =
      x === undefined
        ? undefined
        : elementwise(args.backend, [x, undefined], (addon, heap, p) => addon.relu(heap, p));
    return native ?? original(args);
  };
}

/** Relu natively, bit-identical to the wasm package's kernel (a scalar loop). */
export const reluOverride: KernelOverrideConfig = {
  kernelName: 'Relu',
  makeKernelFunc: makeNativeReluKernel,
};

export const conv2DOverride: KernelOverrideConfig = {
  kernelName: 'Conv2D',
  makeKernelFunc: makeNativeConv2DKernel,
};

export const fusedConv2DOverride: KernelOverrideConfig = {
  kernelName: 'FusedConv2D',
  makeKernelFunc: makeNativeFusedConv2DKernel,
};
