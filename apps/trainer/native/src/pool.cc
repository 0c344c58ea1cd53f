// MaxPoolGrad over NHWC float32: per output window the first maximum of x (row by row, then
// column, strict '>': tfjs' cpu backend's choice) receives that window's dy. The pass is
// memory-bound. Windows that tile the input (the stride equal to the window, no padding: the
// 2×2 pools of the reference CNN and LeNet-5) take a pass along the channels, which are
// contiguous in NHWC: four lanes at a time for windows of four elements, and it writes each
// covered element once (dy or 0) instead of zeroing dx and then scattering. Other windows (the
// ResNets' 3×3 stride-2 pool) take the scalar loop.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "conv.h"

namespace kdlens {

// The largest window the tiled pass takes (a 4×4 pool); larger ones take the scalar loop.
constexpr int64_t kMaxTiledWindow = 16;

namespace {

// Four floats and four lane masks (GCC and Clang vector extensions: SSE2 on any x86-64).
typedef float F4 __attribute__((vector_size(16)));
typedef int32_t I4 __attribute__((vector_size(16)));

F4 load4(const float* p) {
  F4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void store4(float* p, F4 v) { std::memcpy(p, &v, sizeof v); }

// Per lane, `yes` where the mask is set, else `no`.
F4 select(I4 mask, F4 yes, F4 no) {
  I4 y, n;
  std::memcpy(&y, &yes, sizeof y);
  std::memcpy(&n, &no, sizeof n);
  const I4 r = (y & mask) | (n & ~mask);
  F4 out;
  std::memcpy(&out, &r, sizeof out);
  return out;
}

// Windows of FH×FW at stride FH×FW from the top-left corner, none past the input.
bool tiles(const ConvGeometry& g) {
  return g.FH > 0 && g.FW > 0 && g.FH == g.sh && g.FW == g.sw && g.dh == 1 && g.dw == 1 &&
         g.pt == 0 && g.pl == 0 && g.OH * g.sh <= g.IH && g.OW * g.sw <= g.IW &&
         g.FH * g.FW <= kMaxTiledWindow;
}

void maxPoolGradTiled(const ConvGeometry& g, const float* x, const float* dy, float* dx) {
  const int64_t C = g.CI;
  const int64_t window = g.FH * g.FW;
  // Rows or columns past the last window get no gradient.
  if (g.OH * g.sh != g.IH || g.OW * g.sw != g.IW) {
    std::memset(dx, 0, static_cast<size_t>(g.B * g.IH * g.IW * C) * sizeof(float));
  }
  // Offsets of the window's elements from its top-left one, in scan order.
  int64_t offsets[kMaxTiledWindow];
  for (int64_t h = 0; h < g.FH; h++) {
    for (int64_t w = 0; w < g.FW; w++) offsets[h * g.FW + w] = (h * g.IW + w) * C;
  }
  const float* d = dy;
  for (int64_t b = 0; b < g.B; b++) {
    for (int64_t oh = 0; oh < g.OH; oh++) {
      for (int64_t ow = 0; ow < g.OW; ow++, d += C) {
        const int64_t corner = ((b * g.IH + oh * g.sh) * g.IW + ow * g.sw) * C;
        const float* xw = x + corner;
        float* dxw = dx + corner;
        int64_t c = 0;
        if (window == 4) {
          // 2×2 (or 1×4, 4×1): four elements per channel in scan order, four channels at once;
          // the loop below takes the channels left over.
          const float* x0 = xw;
          const float* x1 = xw + offsets[1];
          const float* x2 = xw + offsets[2];
          const float* x3 = xw + offsets[3];
          float* d0 = dxw;
          float* d1 = dxw + offsets[1];
          float* d2 = dxw + offsets[2];
          float* d3 = dxw + offsets[3];
          for (; c + 4 <= C; c += 4) {
            const F4 a0 = load4(x0 + c), a1 = load4(x1 + c), a2 = load4(x2 + c);
            const F4 a3 = load4(x3 + c), grad = load4(d + c);
            // Lane masks (all ones or zero); a later element wins only if strictly above
            // every one before it: the first maximum wins, and a leading NaN wins and blocks
            // the rest, as in the scalar loop.
            const I4 above1 = a1 > a0;
            const F4 m1 = select(above1, a1, a0);
            const I4 above2 = a2 > m1;
            const F4 m2 = select(above2, a2, m1);
            const I4 above3 = a3 > m2;
            const I4 win3 = above3;
            const I4 win2 = above2 & ~above3;
            const I4 win1 = above1 & ~above2 & ~above3;
            const I4 win0 = ~above1 & ~above2 & ~above3;
            store4(d0 + c, select(win0, grad, F4{}));
            store4(d1 + c, select(win1, grad, F4{}));
            store4(d2 + c, select(win2, grad, F4{}));
            store4(d3 + c, select(win3, grad, F4{}));
          }
        }
        for (; c < C; c++) {
          float best = xw[c];
          int64_t at = 0;
          for (int64_t k = 1; k < window; k++) {
            const float v = xw[offsets[k] + c];
            if (v > best) best = v, at = k;
          }
          for (int64_t k = 0; k < window; k++) dxw[offsets[k] + c] = k == at ? d[c] : 0.0f;
        }
      }
    }
  }
}

}  // namespace

void maxPoolGrad(const ConvGeometry& g, const float* x, const float* dy, float* dx) {
  if (tiles(g)) {
    maxPoolGradTiled(g, x, dy, dx);
    return;
  }
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
