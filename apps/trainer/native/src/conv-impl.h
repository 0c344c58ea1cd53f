// Convolution kernels over NHWC float32 tensors, single-threaded (AVX2 + FMA or AVX-512).
//
// All three are register-blocked matrix products (AVX2: 6 rows × 16 columns, 12 ymm
// accumulators; AVX-512: 12 rows × 32 columns, 24 zmm accumulators; fused multiply-adds), reading their left operand through an indirection table of pointers (the
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
// This file is the kernels' body, included by conv-avx2.cc and conv-avx512.cc, which define the
// vector type V (L floats), the tile height MR and the operations, all compiled for their
// instruction set (KDLENS_TARGET) whatever the build flags say; conv.cc calls one of them after
// __builtin_cpu_supports.
// Included only by conv-avx2.cc / conv-avx512.cc (no include guard on purpose).
// NOLINT(build/header_guard)

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv.h"

namespace kdlens {
namespace KDLENS_ISA {

namespace {

constexpr int NR = 2 * L;  // columns per full panel (two vectors)

// A column panel of the right operand: columns [n0, n0 + cols), stored `width` (L or 2L) wide.
struct Panel {
  int64_t n0;
  int cols;
  int width;
};

std::vector<Panel> panelsOf(int64_t n) {
  std::vector<Panel> panels;
  for (int64_t n0 = 0; n0 < n; n0 += NR) {
    const int cols = static_cast<int>(std::min<int64_t>(NR, n - n0));
    panels.push_back({n0, cols, cols <= L ? L : NR});
  }
  return panels;
}

// One MR×(L·NV) tile of an indirect product: acc[i] = Σ_t Σ_c a[t][i][c] · w[t][c][·].
// `a` holds MR pointers per tap; `w` is the panel packed [T][C][L·NV].
template <int NV>
KDLENS_TARGET void indirectTile(int64_t taps, int64_t channels, const float* const* a, const float* w,
                  float* out, int64_t outStride, int rows, int cols, const float* bias,
                  bool relu) {
  V acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = vzero();
  for (int64_t t = 0; t < taps; t++) {
    const float* ap[MR];
    for (int i = 0; i < MR; i++) ap[i] = a[t * MR + i];
    for (int64_t c = 0; c < channels; c++) {
      V wv[NV];
      for (int v = 0; v < NV; v++) wv[v] = vload(w + L * v);
      w += L * NV;
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const V bv = vbcast(ap[i] + c);
        for (int v = 0; v < NV; v++) acc[i][v] = vfma(bv, wv[v], acc[i][v]);
      }
    }
  }
  if (bias != nullptr) {
    for (int v = 0; v < NV; v++) {
      const V bv = vload(bias + L * v);
      for (int i = 0; i < MR; i++) acc[i][v] = vadd(acc[i][v], bv);
    }
  }
  if (relu) {
    const V zero = vzero();
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) acc[i][v] = vmax(acc[i][v], zero);
  }
  if (rows == MR && cols == L * NV) {
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) vstore(out + i * outStride + L * v, acc[i][v]);
    return;
  }
  alignas(64) float tmp[MR][L * NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) vstore(&tmp[i][L * v], acc[i][v]);
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
      if (panel.width == NR) {
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
  const int64_t M = g.B * g.OH * g.OW;
  if (M == 0 || g.CO == 0) return;
  // With few input channels a tap is too short a run to amortise its pointer: each filter row
  // then becomes one tap of FW·CI contiguous values, read from a copy of x padded left and right
  // so that every row segment lies inside it. The packed filter is the same: k = (fh·FW + fw)·CI
  // + ci = fh·(FW·CI) + (fw·CI + ci).
  const bool rows = g.dw == 1 && g.CI < 16 && g.FW > 1;
  const int64_t taps = rows ? g.FH : g.FH * g.FW;
  const int64_t channels = rows ? g.FW * g.CI : g.CI;
  const auto panels = panelsOf(g.CO);
  const auto packed = pack(taps, channels, panels, [&](int64_t t, int64_t c, int64_t n) {
    return w[(t * channels + c) * g.CO + n];
  });
  std::vector<float> biasPadded;
  if (bias != nullptr) {
    biasPadded.assign(static_cast<size_t>(panels.size() * NR), 0.0f);
    std::memcpy(biasPadded.data(), bias, static_cast<size_t>(g.CO) * sizeof(float));
  }
  const float* zero = zeros(channels);
  // The padded copy (row mode): column j holds x's column j − pl, zero outside x.
  const int64_t padW = (g.OW - 1) * g.sw + g.FW;
  std::vector<float> padded;
  if (rows) {
    padded.assign(static_cast<size_t>(g.B * g.IH * padW * g.CI), 0.0f);
    for (int64_t r = 0; r < g.B * g.IH; r++) {
      const int64_t lo = std::max<int64_t>(0, g.pl);
      const int64_t hi = std::min<int64_t>(padW, g.IW + g.pl);
      if (hi > lo) {
        std::memcpy(padded.data() + (r * padW + lo) * g.CI, x + (r * g.IW + lo - g.pl) * g.CI,
                    static_cast<size_t>((hi - lo) * g.CI) * sizeof(float));
      }
    }
  }
  const int64_t plane = g.OH * g.OW;
  std::vector<int64_t> tapOffset(static_cast<size_t>(g.FH * g.FW));
  for (int64_t fh = 0; fh < g.FH; fh++)
    for (int64_t fw = 0; fw < g.FW; fw++)
      tapOffset[fh * g.FW + fw] = (fh * g.dh * g.IW + fw * g.dw) * g.CI;
  auto fill = [&](int64_t p0, int count, const float** a) {
    int64_t b = p0 / plane;
    int64_t oh = (p0 % plane) / g.OW;
    int64_t ow = p0 % g.OW;
    for (int i = 0; i < MR; i++) {
      if (i >= count) {
        for (int64_t t = 0; t < taps; t++) a[t * MR + i] = zero;
        continue;
      }
      const int64_t ih0 = oh * g.sh - g.pt;
      const int64_t iw0 = ow * g.sw - g.pl;
      if (!rows && ih0 >= 0 && ih0 + (g.FH - 1) * g.dh < g.IH && iw0 >= 0 &&
          iw0 + (g.FW - 1) * g.dw < g.IW) {
        // Every tap inside x (most pixels): one base pointer plus each tap's offset.
        const float* base = x + ((b * g.IH + ih0) * g.IW + iw0) * g.CI;
        for (int64_t t = 0; t < taps; t++) a[t * MR + i] = base + tapOffset[t];
      } else {
      for (int64_t fh = 0; fh < g.FH; fh++) {
        const int64_t ih = ih0 + fh * g.dh;
        const bool rowInside = ih >= 0 && ih < g.IH;
        if (rows) {
          a[fh * MR + i] =
              rowInside ? padded.data() + ((b * g.IH + ih) * padW + ow * g.sw) * g.CI : zero;
          continue;
        }
        for (int64_t fw = 0; fw < g.FW; fw++) {
          const int64_t iw = ow * g.sw - g.pl + fw * g.dw;
          const bool inside = rowInside && iw >= 0 && iw < g.IW;
          a[(fh * g.FW + fw) * MR + i] =
              inside ? x + ((b * g.IH + ih) * g.IW + iw) * g.CI : zero;
        }
      }
      }
      if (++ow == g.OW) {
        ow = 0;
        if (++oh == g.OH) {
          oh = 0;
          b++;
        }
      }
    }
  };
  indirectProduct(M, g.CO, taps, channels, fill, panels, packed,
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
  std::vector<int64_t> tapOffset(static_cast<size_t>(taps));
  for (int64_t fh = 0; fh < g.FH; fh++)
    for (int64_t fw = 0; fw < g.FW; fw++)
      tapOffset[fh * g.FW + fw] = (fh * g.dh * g.OW + fw * g.dw) * g.CO;
  auto fill = [&](int64_t p0, int count, const float** a) {
    int64_t b = p0 / plane;
    int64_t ih = (p0 % plane) / g.IW;
    int64_t iw = p0 % g.IW;
    for (int i = 0; i < MR; i++) {
      if (i >= count) {
        for (int64_t t = 0; t < taps; t++) a[t * MR + i] = zero;
        continue;
      }
      const int64_t nh0 = ih + g.pt;
      const int64_t nw0 = iw + g.pl;
      if (g.sh == 1 && g.sw == 1 && nh0 - (g.FH - 1) * g.dh >= 0 && nh0 < g.OH &&
          nw0 - (g.FW - 1) * g.dw >= 0 && nw0 < g.OW) {
        // Stride 1 and every tap's output pixel exists (most pixels): base minus tap offsets.
        const float* base = dy + ((b * g.OH + nh0) * g.OW + nw0) * g.CO;
        for (int64_t t = 0; t < taps; t++) a[t * MR + i] = base - tapOffset[t];
      } else {
      for (int64_t fh = 0; fh < g.FH; fh++) {
        const int64_t nh = ih + g.pt - fh * g.dh;
        // Stride 1 (most layers) needs no division.
        const int64_t oh = g.sh == 1 ? nh : nh / g.sh;
        const bool rowInside = nh >= 0 && oh < g.OH && (g.sh == 1 || nh % g.sh == 0);
        for (int64_t fw = 0; fw < g.FW; fw++) {
          const int64_t nw = iw + g.pl - fw * g.dw;
          const int64_t ow = g.sw == 1 ? nw : nw / g.sw;
          const bool inside = rowInside && nw >= 0 && ow < g.OW && (g.sw == 1 || nw % g.sw == 0);
          a[(fh * g.FW + fw) * MR + i] =
              inside ? dy + ((b * g.OH + oh) * g.OW + ow) * g.CO : zero;
        }
      }
      }
      if (++iw == g.IW) {
        iw = 0;
        if (++ih == g.IH) {
          ih = 0;
          b++;
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
KDLENS_TARGET void filterTile(int64_t count, int64_t taps, const float* const* const* xrow, const int64_t* ci,
                const float* dy, int64_t dyStride, int cols, int tail, float* dW,
                int64_t dWStride, int rows) {
  V acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = vzero();
  const Mask mask = vmask(tail);
  const float* const* r[MR];
  int64_t cs[MR];
  for (int i = 0; i < MR; i++) {
    r[i] = xrow[i];
    cs[i] = ci[i];
  }
  for (int64_t q = 0; q < count; q++) {
    V dv[NV];
    for (int v = 0; v < NV; v++) {
      dv[v] = (MASKED && v == NV - 1) ? vmaskload(dy + L * v, mask) : vload(dy + L * v);
    }
    dy += dyStride;
    const int64_t o = q * taps;
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const V bv = vbcast(r[i][o] + cs[i]);
      for (int v = 0; v < NV; v++) acc[i][v] = vfma(bv, dv[v], acc[i][v]);
    }
  }
  alignas(64) float tmp[MR][L * NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) vstore(&tmp[i][L * v], acc[i][v]);
  for (int i = 0; i < rows; i++) {
    float* d = dW + i * dWStride;
    for (int n = 0; n < cols; n++) d[n] += tmp[i][n];
  }
}

// As filterTile, for MRF rows of one tap (channels ci0 … ci0 + MRF − 1): one pointer per pixel.
template <int NV, bool MASKED>
KDLENS_TARGET void filterTileSameTap(int64_t count, int64_t taps, const float* const* tapTable,
                                     int64_t ci0, const float* dy, int64_t dyStride, int cols,
                                     int tail, float* dW, int64_t dWStride) {
  V acc[MRF][NV];
  for (int i = 0; i < MRF; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = vzero();
  const Mask mask = vmask(tail);
  for (int64_t q = 0; q < count; q++) {
    V dv[NV];
    for (int v = 0; v < NV; v++) {
      dv[v] = (MASKED && v == NV - 1) ? vmaskload(dy + L * v, mask) : vload(dy + L * v);
    }
    dy += dyStride;
    const float* xq = tapTable[q * taps] + ci0;
#pragma GCC unroll 16
    for (int i = 0; i < MRF; i++) {
      const V bv = vbcast(xq + i);
      for (int v = 0; v < NV; v++) acc[i][v] = vfma(bv, dv[v], acc[i][v]);
    }
  }
  alignas(64) float tmp[MRF][L * NV];
  for (int i = 0; i < MRF; i++)
    for (int v = 0; v < NV; v++) vstore(&tmp[i][L * v], acc[i][v]);
  for (int i = 0; i < MRF; i++) {
    float* d = dW + i * dWStride;
    for (int n = 0; n < cols; n++) d[n] += tmp[i][n];
  }
}

// Few input channels (FW·CI ≤ L): dW's rows of one filter row fh are one contiguous segment of a
// padded copy of x (as the forward's row mode), so a vector holds a whole filter row and the
// tile is R output channels × that vector: per pixel one load and R broadcasts of dy.
// acc[r] = Σ_q seg(q)[·] · dy[q, co0 + r], added to dW[(fh·FW·CI + j)·CO + co0 + r], j < seg.
template <int R>
KDLENS_TARGET void filterTileSegments(int64_t count, int64_t rowsPerPixel,
                                      const float* const* segTable, const float* dy,
                                      int64_t dyStride, int64_t segment, float* dW,
                                      int64_t dWStride) {
  V acc[R];
  for (int r = 0; r < R; r++) acc[r] = vzero();
  for (int64_t q = 0; q < count; q++) {
    const V xv = vload(segTable[q * rowsPerPixel]);
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) acc[r] = vfma(vbcast(dy + r), xv, acc[r]);
    dy += dyStride;
  }
  alignas(64) float tmp[R][L];
  for (int r = 0; r < R; r++) vstore(tmp[r], acc[r]);
  for (int64_t j = 0; j < segment; j++)
    for (int r = 0; r < R; r++) dW[j * dWStride + r] += tmp[r][j];
}

}  // namespace

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dW) {
  const int64_t taps = g.FH * g.FW;
  const int64_t K = taps * g.CI;
  const int64_t P = g.B * g.OH * g.OW;
  std::memset(dW, 0, static_cast<size_t>(K * g.CO) * sizeof(float));
  if (P == 0 || K == 0 || g.CO == 0) return;
  const int64_t plane = g.OH * g.OW;
  const int64_t segment = g.FW * g.CI;
  if (g.dw == 1 && g.FW > 1 && segment <= L) {
    // Row segments (see filterTileSegments) from x padded left and right, plus a vector of
    // slack so the last segment's full-vector load stays inside the copy.
    const int64_t padW = (g.OW - 1) * g.sw + g.FW;
    std::vector<float> padded(static_cast<size_t>(g.B * g.IH * padW * g.CI + L), 0.0f);
    const int64_t lo = std::max<int64_t>(0, g.pl);
    const int64_t hi = std::min<int64_t>(padW, g.IW + g.pl);
    for (int64_t r = 0; r < g.B * g.IH && hi > lo; r++) {
      std::memcpy(padded.data() + (r * padW + lo) * g.CI, x + (r * g.IW + lo - g.pl) * g.CI,
                  static_cast<size_t>((hi - lo) * g.CI) * sizeof(float));
    }
    const float* zeroSegment = zeros(L);
    std::vector<const float*> segTable(static_cast<size_t>(CHUNK * g.FH));
    for (int64_t p0 = 0; p0 < P; p0 += CHUNK) {
      const int64_t count = std::min(CHUNK, P - p0);
      int64_t b = p0 / plane;
      int64_t oh = (p0 % plane) / g.OW;
      int64_t ow = p0 % g.OW;
      for (int64_t q = 0; q < count; q++) {
        for (int64_t fh = 0; fh < g.FH; fh++) {
          const int64_t ih = oh * g.sh - g.pt + fh * g.dh;
          segTable[static_cast<size_t>(q * g.FH + fh)] =
              ih >= 0 && ih < g.IH ? padded.data() + ((b * g.IH + ih) * padW + ow * g.sw) * g.CI
                                   : zeroSegment;
        }
        if (++ow == g.OW) {
          ow = 0;
          if (++oh == g.OH) {
            oh = 0;
            b++;
          }
        }
      }
      for (int64_t fh = 0; fh < g.FH; fh++) {
        for (int64_t co0 = 0; co0 < g.CO;) {
          const int64_t left = g.CO - co0;
          const float* d = dy + p0 * g.CO + co0;
          const float* const* t = segTable.data() + fh;
          float* out = dW + fh * segment * g.CO + co0;
          const int64_t k = g.FH;
          if (left >= 16) {
            filterTileSegments<16>(count, k, t, d, g.CO, segment, out, g.CO);
            co0 += 16;
          } else if (left >= 8) {
            filterTileSegments<8>(count, k, t, d, g.CO, segment, out, g.CO);
            co0 += 8;
          } else if (left >= 4) {
            filterTileSegments<4>(count, k, t, d, g.CO, segment, out, g.CO);
            co0 += 4;
          } else if (left >= 2) {
            filterTileSegments<2>(count, k, t, d, g.CO, segment, out, g.CO);
            co0 += 2;
          } else {
            filterTileSegments<1>(count, k, t, d, g.CO, segment, out, g.CO);
            co0 += 1;
          }
        }
      }
    }
    return;
  }
  const auto panels = panelsOf(g.CO);
  const float* zero = zeros(g.CI);
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
    if (g.CI % MRF == 0) {
      // Row tiles within one tap (channel counts of 8, 16, 32, …).
      for (int64_t k0 = 0; k0 < K; k0 += MRF) {
        const float* const* tapTable = table.data() + k0 / g.CI;
        const int64_t ci0 = k0 % g.CI;
        for (const Panel& panel : panels) {
          const float* d = dy + p0 * g.CO + panel.n0;
          float* out = dW + k0 * g.CO + panel.n0;
          const int tail = panel.cols - (panel.width - L);
          const bool masked = tail < L;
          const int c = panel.cols;
          if (panel.width == NR) {
            if (masked)
              filterTileSameTap<2, true>(count, taps, tapTable, ci0, d, g.CO, c, tail, out, g.CO);
            else
              filterTileSameTap<2, false>(count, taps, tapTable, ci0, d, g.CO, c, tail, out, g.CO);
          } else if (masked) {
            filterTileSameTap<1, true>(count, taps, tapTable, ci0, d, g.CO, c, tail, out, g.CO);
          } else {
            filterTileSameTap<1, false>(count, taps, tapTable, ci0, d, g.CO, c, tail, out, g.CO);
          }
        }
      }
      continue;
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
        const int tail = panel.cols - (panel.width - L);  // valid lanes of the last vector
        const bool masked = tail < L;
        if (panel.width == NR) {
          if (masked)
            filterTile<2, true>(count, taps, xrow, ci, d, g.CO, panel.cols, tail, out, g.CO, rows);
          else
            filterTile<2, false>(count, taps, xrow, ci, d, g.CO, panel.cols, tail, out, g.CO, rows);
        } else if (masked) {
          filterTile<1, true>(count, taps, xrow, ci, d, g.CO, panel.cols, tail, out, g.CO, rows);
        } else {
          filterTile<1, false>(count, taps, xrow, ci, d, g.CO, panel.cols, tail, out, g.CO, rows);
        }
      }
    }
  }
}

}  // namespace KDLENS_ISA
}  // namespace kdlens
