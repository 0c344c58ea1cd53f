// The convolution kernels (conv-impl.h) for AVX-512F: 16-float zmm vectors, 12-row tiles.
#include <immintrin.h>

#include <cstdint>

namespace kdlens {
namespace avx512 {
// Only the kernels and these helpers are compiled for the instruction set (a pragma over the
// whole file would also compile the std::vector code both files share, and the linker keeps one
// copy of it: AVX-512 code could then run on an AVX2-only CPU).
#define KDLENS_TARGET __attribute__((target("avx512f,avx2,fma")))
namespace {
using V = __m512;
using Mask = __mmask16;
constexpr int L = 16;
constexpr int MRF = 8;  // filter-gradient rows per tile within one tap
constexpr int MR = 12;
KDLENS_TARGET inline V vzero() { return _mm512_setzero_ps(); }
KDLENS_TARGET inline V vload(const float* p) { return _mm512_loadu_ps(p); }
KDLENS_TARGET inline V vbcast(const float* p) { return _mm512_set1_ps(*p); }
KDLENS_TARGET inline V vfma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
KDLENS_TARGET inline V vadd(V a, V b) { return _mm512_add_ps(a, b); }
KDLENS_TARGET inline V vmax(V a, V b) { return _mm512_max_ps(a, b); }
KDLENS_TARGET inline void vstore(float* p, V v) { _mm512_storeu_ps(p, v); }
// The first `lanes` lanes.
KDLENS_TARGET inline Mask vmask(int lanes) { return static_cast<Mask>((1u << lanes) - 1u); }
KDLENS_TARGET inline V vmaskload(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
}  // namespace
}  // namespace avx512
}  // namespace kdlens

#define KDLENS_ISA avx512
#include "conv-impl.h"
