// Dispatch of the convolution kernels to the instruction set chosen at run time.
#include "conv.h"

namespace kdlens {

#define KDLENS_DECLARE_KERNELS                                                                  \
  void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias, \
                     bool relu, float* y);                                                      \
  void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx); \
  void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dW);
namespace avx2 {
KDLENS_DECLARE_KERNELS
}
namespace avx512 {
KDLENS_DECLARE_KERNELS
}
#undef KDLENS_DECLARE_KERNELS

Isa detectIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return Isa::None;
  return __builtin_cpu_supports("avx512f") ? Isa::Avx512 : Isa::Avx2;
#else
  return Isa::None;
#endif
}

namespace {
Isa active = detectIsa();
}

Isa useIsa(Isa isa) {
  const Isa best = detectIsa();
  active = static_cast<int>(isa) <= static_cast<int>(best) ? isa : best;
  return active;
}

Isa activeIsa() { return active; }

void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   bool relu, float* y) {
  if (active == Isa::Avx512) return avx512::conv2dForward(g, x, w, bias, relu, y);
  avx2::conv2dForward(g, x, w, bias, relu, y);
}

void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (active == Isa::Avx512) return avx512::conv2dBackpropInput(g, dy, w, dx);
  avx2::conv2dBackpropInput(g, dy, w, dx);
}

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dW) {
  if (active == Isa::Avx512) return avx512::conv2dBackpropFilter(g, x, dy, dW);
  avx2::conv2dBackpropFilter(g, x, dy, dW);
}

}  // namespace kdlens
