// AVX2 + FMA convolution kernels over NHWC float32 tensors, single-threaded.
//
// All three are register-blocked matrix products with a 6×16 tile (12 ymm accumulators,
// _mm256_fmadd_ps), reading their left operand through an indirection table of pointers (the
// indirect convolution of Dukhan, "The Indirect Convolution Algorithm", 2019) instead of an
// im2col copy: a row's pointer per filter tap points at the input pixel's channels, or at a zero
// row where the tap falls into padding.
//
//   forward          y[p, co]  = Σ_{tap, ci} x[pixel(p, tap), ci] · w[tap, ci, co]
//   backprop input   dx[p, ci] = Σ_{tap, co} dy[pixel(p, tap), co] · w[tap, ci, co]
//                    (the taps whose output pixel exists: oh = (ih + pt − fh·dh) / sh)
//   backprop filter  dW[k, co] = Σ_p x[pixel(p, tap(k)), ci(k)] · dy[p, co],  k = (tap, ci)
//
// Every sum runs in a fixed order, so results are bit-identical from run to run. The filter
// gradient sums 256 output pixels at a time in registers and adds each partial sum to dW
// (a two-level sum: float32 error grows with the chunk count, not with all B·OH·OW terms).
//
// Compiled for AVX2 + FMA whatever the build flags say (the pragma below); the addon calls
// these only after __builtin_cpu_supports says the CPU has both.
#pragma GCC target("avx2,fma")

#include "conv.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace kdlens {
namespace {

constexpr int MR = 6;   // rows per tile
constexpr int NR = 16;  // columns per full panel (two ymm)

// A column panel of the right operand: columns [n0, n0 + cols), stored `width` (8 or 16) wide.
struct Panel {
  int64_t n0;
  int cols;
  int width;
};

std::vector<Panel> panelsOf(int64_t n) {
  std::vector<Panel> panels;
  for (int64_t n0 = 0; n0 < n; n0 += NR) {
    const int cols = static_cast<int>(std::min<int64_t>(NR, n - n0));
    panels.push_back({n0, cols, cols <= 8 ? 8 : 16});
  }
  return panels;
}

// One 6×(8·NV) tile of an indirect product: acc[i] = Σ_t Σ_c a[t][i][c] · w[t][c][·].
// `a` holds MR pointers per tap; `w` is the panel packed [T][C][8·NV].
template <int NV>
void indirectTile(int64_t taps, int64_t channels, const float* const* a, const float* w,
                  float* out, int64_t outStride, int rows, int cols, const float* bias,
                  bool relu) {
  __m256 acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();
  for (int64_t t = 0; t < taps; t++) {
    const float* a0 = a[t * MR + 0];
    const float* a1 = a[t * MR + 1];
    const float* a2 = a[t * MR + 2];
    const float* a3 = a[t * MR + 3];
    const float* a4 = a[t * MR + 4];
    const float* a5 = a[t * MR + 5];
    for (int64_t c = 0; c < channels; c++) {
      __m256 wv[NV];
      for (int v = 0; v < NV; v++) wv[v] = _mm256_loadu_ps(w + 8 * v);
      w += 8 * NV;
      __m256 b;
#define KDLENS_ROW(i)                                                            \
  b = _mm256_broadcast_ss(a##i + c);                                             \
  for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(b, wv[v], acc[i][v]);
      KDLENS_ROW(0)
      KDLENS_ROW(1)
      KDLENS_ROW(2)
      KDLENS_ROW(3)
      KDLENS_ROW(4)
      KDLENS_ROW(5)
#undef KDLENS_ROW
    }
  }
  if (bias != nullptr) {
    for (int v = 0; v < NV; v++) {
      const __m256 bv = _mm256_loadu_ps(bias + 8 * v);
      for (int i = 0; i < MR; i++) acc[i][v] = _mm256_add_ps(acc[i][v], bv);
    }
  }
  if (relu) {
    const __m256 zero = _mm256_setzero_ps();
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) acc[i][v] = _mm256_max_ps(acc[i][v], zero);
  }
  if (rows == MR && cols == 8 * NV) {
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) _mm256_storeu_ps(out + i * outStride + 8 * v, acc[i][v]);
    return;
  }
  alignas(32) float tmp[MR][8 * NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) _mm256_store_ps(&tmp[i][8 * v], acc[i][v]);
  for (int i = 0; i < rows; i++) std::memcpy(out + i * outStride, tmp[i], cols * sizeof(float));
}

// out[M, N] = Σ over `taps` × `channels` through the pointers `fill` writes for a tile of
// rows; `packed` is the right operand packed per panel ([T][C][width] each, in panel order).
template <typename Fill>
void indirectProduct(int64_t M, int64_t N, int64_t taps, int64_t channels, const Fill& fill,
                     const std::vector<Panel>& panels, const std::vector<float>& packed,
                     const std::vector<float>* biasPadded, bool relu, float* out) {
  std::vector<const float*> a(static_cast<size_t>(taps * MR));
  for (int64_t p0 = 0; p0 < M; p0 += MR) {
    const int rows = static_cast<int>(std::min<int64_t>(MR, M - p0));
    fill(p0, rows, a.data());
    const float* w = packed.data();
    for (const Panel& panel : panels) {
      const float* bias = biasPadded == nullptr ? nullptr : biasPadded->data() + panel.n0;
      float* o = out + p0 * N + panel.n0;
      if (panel.width == 16) {
        indirectTile<2>(taps, channels, a.data(), w, o, N, rows, panel.cols, bias, relu);
      } else {
        indirectTile<1>(taps, channels, a.data(), w, o, N, rows, panel.cols, bias, relu);
      }
      w += taps * channels * panel.width;
    }
  }
}

// Packs value(t, c, n) per panel as [T][C][width], zero beyond the panel's columns.
template <typename Value>
std::vector<float> pack(int64_t taps, int64_t channels, const std::vector<Panel>& panels,
                        const Value& value) {
  size_t total = 0;
  for (const Panel& p : panels) total += static_cast<size_t>(taps * channels * p.width);
  std::vector<float> packed(total, 0.0f);
  float* w = packed.data();
  for (const Panel& p : panels) {
    for (int64_t t = 0; t < taps; t++)
      for (int64_t c = 0; c < channels; c++, w += p.width)
        for (int n = 0; n < p.cols; n++) w[n] = value(t, c, p.n0 + n);
  }
  return packed;
}

// A zero row as long as the longest channel run read through a padding tap.
const float* zeros(int64_t length) {
  thread_local std::vector<float> buffer;
  if (static_cast<int64_t>(buffer.size()) < length) buffer.assign(static_cast<size_t>(length), 0);
  return buffer.data();
}

}  // namespace

void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   bool relu, float* y) {
  const int64_t taps = g.FH * g.FW;
  const int64_t M = g.B * g.OH * g.OW;
  if (M == 0 || g.CO == 0) return;
  const auto panels = panelsOf(g.CO);
  const auto packed = pack(taps, g.CI, panels, [&](int64_t t, int64_t c, int64_t n) {
    return w[(t * g.CI + c) * g.CO + n];
  });
  std::vector<float> biasPadded;
  if (bias != nullptr) {
    biasPadded.assign(static_cast<size_t>(panels.size() * NR), 0.0f);
    std::memcpy(biasPadded.data(), bias, static_cast<size_t>(g.CO) * sizeof(float));
  }
  const float* zero = zeros(g.CI);
  const int64_t plane = g.OH * g.OW;
  auto fill = [&](int64_t p0, int rows, const float** a) {
    for (int i = 0; i < MR; i++) {
      const int64_t p = p0 + i;
      if (i >= rows) {
        for (int64_t t = 0; t < taps; t++) a[t * MR + i] = zero;
        continue;
      }
      const int64_t b = p / plane;
      const int64_t oh = (p % plane) / g.OW;
      const int64_t ow = p % g.OW;
      for (int64_t fh = 0; fh < g.FH; fh++) {
        const int64_t ih = oh * g.sh - g.pt + fh * g.dh;
        for (int64_t fw = 0; fw < g.FW; fw++) {
          const int64_t iw = ow * g.sw - g.pl + fw * g.dw;
          const bool inside = ih >= 0 && ih < g.IH && iw >= 0 && iw < g.IW;
          a[(fh * g.FW + fw) * MR + i] =
              inside ? x + ((b * g.IH + ih) * g.IW + iw) * g.CI : zero;
        }
      }
    }
  };
  indirectProduct(M, g.CO, taps, g.CI, fill, panels, packed,
                  bias == nullptr ? nullptr : &biasPadded, relu, y);
}

void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int64_t taps = g.FH * g.FW;
  const int64_t M = g.B * g.IH * g.IW;
  if (M == 0 || g.CI == 0) return;
  if (g.CO == 0) {
    std::memset(dx, 0, static_cast<size_t>(M * g.CI) * sizeof(float));
    return;
  }
  const auto panels = panelsOf(g.CI);
  const auto packed = pack(taps, g.CO, panels, [&](int64_t t, int64_t co, int64_t ci) {
    return w[(t * g.CI + ci) * g.CO + co];
  });
  const float* zero = zeros(g.CO);
  const int64_t plane = g.IH * g.IW;
  auto fill = [&](int64_t p0, int rows, const float** a) {
    for (int i = 0; i < MR; i++) {
      const int64_t p = p0 + i;
      if (i >= rows) {
        for (int64_t t = 0; t < taps; t++) a[t * MR + i] = zero;
        continue;
      }
      const int64_t b = p / plane;
      const int64_t ih = (p % plane) / g.IW;
      const int64_t iw = p % g.IW;
      for (int64_t fh = 0; fh < g.FH; fh++) {
        const int64_t nh = ih + g.pt - fh * g.dh;
        const int64_t oh = nh / g.sh;
        const bool rowInside = nh >= 0 && nh % g.sh == 0 && oh < g.OH;
        for (int64_t fw = 0; fw < g.FW; fw++) {
          const int64_t nw = iw + g.pl - fw * g.dw;
          const int64_t ow = nw / g.sw;
          const bool inside = rowInside && nw >= 0 && nw % g.sw == 0 && ow < g.OW;
          a[(fh * g.FW + fw) * MR + i] =
              inside ? dy + ((b * g.OH + oh) * g.OW + ow) * g.CO : zero;
        }
      }
    }
  };
  indirectProduct(M, g.CI, taps, g.CO, fill, panels, packed, nullptr, false, dx);
}

namespace {

constexpr int64_t CHUNK = 256;  // output pixels summed in registers before adding to dW

// dW rows k0..k0+rows, panel columns: acc = Σ_q x[q, k_i] · dy[q, ·] over one chunk, added to
// dW. `xrow[i]` points at the chunk's pointer table shifted to row i's tap, `ci[i]` its channel.
template <int NV, bool MASKED>
void filterTile(int64_t count, int64_t taps, const float* const* const* xrow, const int64_t* ci,
                const float* dy, int64_t dyStride, int cols, __m256i mask, float* dW,
                int64_t dWStride, int rows) {
  __m256 acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();
  const float* const* r0 = xrow[0];
  const float* const* r1 = xrow[1];
  const float* const* r2 = xrow[2];
  const float* const* r3 = xrow[3];
  const float* const* r4 = xrow[4];
  const float* const* r5 = xrow[5];
  const int64_t c0 = ci[0], c1 = ci[1], c2 = ci[2], c3 = ci[3], c4 = ci[4], c5 = ci[5];
  for (int64_t q = 0; q < count; q++) {
    __m256 dv[NV];
    for (int v = 0; v < NV; v++) {
      dv[v] = (MASKED && v == NV - 1) ? _mm256_maskload_ps(dy + 8 * v, mask)
                                      : _mm256_loadu_ps(dy + 8 * v);
    }
    dy += dyStride;
    const int64_t o = q * taps;
    __m256 b;
#define KDLENS_ROW(i)                                                            \
  b = _mm256_broadcast_ss(r##i[o] + c##i);                                       \
  for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(b, dv[v], acc[i][v]);
    KDLENS_ROW(0)
    KDLENS_ROW(1)
    KDLENS_ROW(2)
    KDLENS_ROW(3)
    KDLENS_ROW(4)
    KDLENS_ROW(5)
#undef KDLENS_ROW
  }
  alignas(32) float tmp[MR][8 * NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) _mm256_store_ps(&tmp[i][8 * v], acc[i][v]);
  for (int i = 0; i < rows; i++) {
    float* d = dW + i * dWStride;
    for (int n = 0; n < cols; n++) d[n] += tmp[i][n];
  }
}

}  // namespace

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dW) {
  const int64_t taps = g.FH * g.FW;
  const int64_t K = taps * g.CI;
  const int64_t P = g.B * g.OH * g.OW;
  std::memset(dW, 0, static_cast<size_t>(K * g.CO) * sizeof(float));
  if (P == 0 || K == 0 || g.CO == 0) return;
  const auto panels = panelsOf(g.CO);
  const float* zero = zeros(g.CI);
  const int64_t plane = g.OH * g.OW;
  std::vector<const float*> table(static_cast<size_t>(CHUNK * taps));
  for (int64_t p0 = 0; p0 < P; p0 += CHUNK) {
    const int64_t count = std::min(CHUNK, P - p0);
    for (int64_t q = 0; q < count; q++) {
      const int64_t p = p0 + q;
      const int64_t b = p / plane;
      const int64_t oh = (p % plane) / g.OW;
      const int64_t ow = p % g.OW;
      for (int64_t fh = 0; fh < g.FH; fh++) {
        const int64_t ih = oh * g.sh - g.pt + fh * g.dh;
        for (int64_t fw = 0; fw < g.FW; fw++) {
          const int64_t iw = ow * g.sw - g.pl + fw * g.dw;
          const bool inside = ih >= 0 && ih < g.IH && iw >= 0 && iw < g.IW;
          table[static_cast<size_t>(q * taps + fh * g.FW + fw)] =
              inside ? x + ((b * g.IH + ih) * g.IW + iw) * g.CI : zero;
        }
      }
    }
    for (int64_t k0 = 0; k0 < K; k0 += MR) {
      const int rows = static_cast<int>(std::min<int64_t>(MR, K - k0));
      const float* const* xrow[MR];
      int64_t ci[MR];
      for (int i = 0; i < MR; i++) {
        // Rows past K repeat row k0 (computed, never stored).
        const int64_t k = i < rows ? k0 + i : k0;
        xrow[i] = table.data() + k / g.CI;
        ci[i] = k % g.CI;
      }
      for (const Panel& panel : panels) {
        const float* d = dy + p0 * g.CO + panel.n0;
        float* out = dW + k0 * g.CO + panel.n0;
        const int tail = panel.cols - (panel.width - 8);  // valid lanes of the last ymm
        alignas(32) int32_t lanes[8];
        for (int l = 0; l < 8; l++) lanes[l] = l < tail ? -1 : 0;
        const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
        const bool masked = tail < 8;
        if (panel.width == 16) {
          if (masked)
            filterTile<2, true>(count, taps, xrow, ci, d, g.CO, panel.cols, mask, out, g.CO, rows);
          else
            filterTile<2, false>(count, taps, xrow, ci, d, g.CO, panel.cols, mask, out, g.CO, rows);
        } else if (masked) {
          filterTile<1, true>(count, taps, xrow, ci, d, g.CO, panel.cols, mask, out, g.CO, rows);
        } else {
          filterTile<1, false>(count, taps, xrow, ci, d, g.CO, panel.cols, mask, out, g.CO, rows);
        }
      }
    }
  }
}

}  // namespace kdlens
