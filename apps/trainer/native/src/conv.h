// Convolution kernels over NHWC float32 tensors, for AVX2 + FMA or AVX-512 (conv-impl.h).
#pragma once
#include <cstdint>

namespace kdlens {

// A 2-D convolution's geometry as tfjs' Conv2DInfo gives it: x [B, IH, IW, CI], filter
// [FH, FW, CI, CO], y [B, OH, OW, CO]; pt/pl are the top/left pads.
struct ConvGeometry {
  int64_t B, IH, IW, CI, OH, OW, CO, FH, FW, sh, sw, dh, dw, pt, pl;
};

// The instruction sets the kernels exist for, best last.
enum class Isa { None, Avx2, Avx512 };

// The best instruction set this CPU has (__builtin_cpu_supports).
Isa detectIsa();

// Which kernels the functions below run: at most detectIsa() (clamped). Returns the choice.
Isa useIsa(Isa isa);
Isa activeIsa();

// y = conv(x, w) (+ bias[co]) (then max(0, ·) when relu).
void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   bool relu, float* y);

// dx = ∂/∂x of Σ y·dy: dx[b, ih, iw, ci] = Σ_{fh, fw, co} dy[b, oh, ow, co] · w[fh, fw, ci, co].
void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx);

// dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, ih, iw, ci] · dy[b, oh, ow, co].
void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dW);

// MaxPoolGrad: x [B, IH, IW, CI], dy and the windows [B, OH, OW, CI] (FH×FW windows, stride
// sh×sw, pads pt/pl; CO unused, dilations 1); dx gets each window's dy at its first max.
void maxPoolGrad(const ConvGeometry& g, const float* x, const float* dy, float* dx);

// y = max(x, 0) over n elements (−0 → 0, NaN → the quiet NaN), as the wasm package.
void relu(int64_t n, const float* x, float* y);

// dx = dy · step(x) over n elements (tfjs' Relu gradient, bit for bit).
void reluGrad(int64_t n, const float* x, const float* dy, float* dx);

}  // namespace kdlens
