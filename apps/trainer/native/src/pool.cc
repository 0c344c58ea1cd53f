// MaxPoolGrad over NHWC float32: per output window the first maximum of x (row by row, then
// column, strict '>': tfjs' cpu backend's choice) receives that window's dy. Plain scalar code:
// the pass is memory-bound, and the JS loop it replaces ran at several ns per element.
#include <algorithm>
#include <cstring>

#include "conv.h"

namespace kdlens {

void maxPoolGrad(const ConvGeometry& g, const float* x, const float* dy, float* dx) {
  const int64_t C = g.CI;
  std::memset(dx, 0, static_cast<size_t>(g.B * g.IH * g.IW * C) * sizeof(float));
  const float* d = dy;
  for (int64_t b = 0; b < g.B; b++) {
    const int64_t image = b * g.IH * g.IW * C;
    for (int64_t oh = 0; oh < g.OH; oh++) {
      const int64_t h0 = oh * g.sh - g.pt;
      const int64_t hLo = std::max<int64_t>(0, h0);
      const int64_t hHi = std::min<int64_t>(g.IH, h0 + g.FH);
      for (int64_t ow = 0; ow < g.OW; ow++, d += C) {
        const int64_t w0 = ow * g.sw - g.pl;
        const int64_t wLo = std::max<int64_t>(0, w0);
        const int64_t wHi = std::min<int64_t>(g.IW, w0 + g.FW);
        for (int64_t c = 0; c < C; c++) {
          float best = 0;
          int64_t bestIndex = -1;
          for (int64_t h = hLo; h < hHi; h++) {
            int64_t index = image + (h * g.IW + wLo) * C + c;
            for (int64_t w = wLo; w < wHi; w++, index += C) {
              const float v = x[index];
              if (bestIndex < 0 || v > best) {
                best = v;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] += d[c];
        }
      }
    }
  }
}

}  // namespace kdlens
