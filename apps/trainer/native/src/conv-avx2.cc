// The convolution kernels (conv-impl.h) for AVX2 + FMA: 8-float ymm vectors, 6-row tiles.
#include <immintrin.h>

#include <cstdint>

namespace kdlens {
namespace avx2 {
// Only the kernels and these helpers are compiled for the instruction set (a pragma over the
// whole file would also compile the std::vector code both files share, and the linker keeps one
// copy of it: AVX-512 code could then run on an AVX2-only CPU).
#define KDLENS_TARGET __attribute__((target("avx2,fma")))
namespace {
using V = __m256;
using Mask = __m256i;
constexpr int L = 8;
constexpr int MRF = 4;  // filter-gradient rows per tile within one tap
constexpr int MR = 6;
KDLENS_TARGET inline V vzero() { return _mm256_setzero_ps(); }
KDLENS_TARGET inline V vload(const float* p) { return _mm256_loadu_ps(p); }
KDLENS_TARGET inline V vbcast(const float* p) { return _mm256_broadcast_ss(p); }
KDLENS_TARGET inline V vfma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
KDLENS_TARGET inline V vadd(V a, V b) { return _mm256_add_ps(a, b); }
KDLENS_TARGET inline V vmax(V a, V b) { return _mm256_max_ps(a, b); }
KDLENS_TARGET inline void vstore(float* p, V v) { _mm256_storeu_ps(p, v); }
// The first `lanes` lanes.
KDLENS_TARGET inline Mask vmask(int lanes) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), index);
}
KDLENS_TARGET inline V vmaskload(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
}  // namespace
}  // namespace avx2
}  // namespace kdlens

#define KDLENS_ISA avx2
#include "conv-impl.h"
