/** Padding as tf.conv2d takes it. */
export type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

/** One convolution layout the gradient kernels are checked on. */
export interface ConvCase {
  pad: Pad;
  stride: number;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
}

/**
 * Layouts both gradient kernels are checked on against the cpu backend: 'same'/'valid' at
 * stride 1 and 2, a 5×5 filter, non-square filters and numeric/explicit padding. Non-square
 * filters appear only with 'same'/'valid': the wasm backend's own forward Conv2D (XNNPACK)
 * corrupts its heap for a numeric or explicit pad with a non-square filter (tfjs 4.22 bug,
 * unrelated to these kernels).
 */
export function baseConvCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const pad of ['same', 'valid'] as const) {
    for (const stride of [1, 2]) {
      cases.push({ pad, stride, xShape: [2, 9, 8, 3], filterShape: [3, 3, 3, 5] });
    }
  }
  cases.push({ pad: 'same', stride: 2, xShape: [3, 16, 16, 4], filterShape: [5, 5, 4, 6] });
  cases.push({ pad: 'same', stride: 1, xShape: [2, 6, 7, 2], filterShape: [3, 2, 2, 3] });
  cases.push({ pad: 'valid', stride: 2, xShape: [2, 7, 6, 2], filterShape: [2, 3, 2, 3] });
  cases.push({ pad: 1, stride: 1, xShape: [1, 6, 7, 2], filterShape: [3, 3, 2, 3] });
  cases.push({
    pad: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
    stride: 2,
    xShape: [2, 7, 7, 2],
    filterShape: [3, 3, 2, 2],
  });
  return cases;
}
