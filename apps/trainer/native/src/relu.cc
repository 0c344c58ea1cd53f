// ReLU as the wasm package computes it (max(x, 0): −0 becomes 0, any NaN the canonical quiet NaN)
// and its gradient in one pass: dx = dy · step(x), with tfjs' step (1 where x > 0, NaN where x is
// NaN, else 0) and the same multiplication, so the result is bit-identical to tfjs' Step, Cast and
// Multiply (three passes and two temporaries) it replaces.
#include <limits>

#include "conv.h"

namespace kdlens {

void reluGrad(int64_t n, const float* x, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float step = v > 0.0f ? 1.0f : (v != v ? v : 0.0f);
    dx[i] = dy[i] * step;
  }
}

void relu(int64_t n, const float* x, float* y) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = v > 0.0f ? v : (v != v ? nan : 0.0f);
  }
}

}  // namespace kdlens
