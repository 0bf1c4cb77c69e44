// Activations quantized to int8 for the integer products, as llama.cpp quantizes them: per block of 32 values
// (scale d = amax / 127, q = x / d rounded to nearest even), or per superblock of 256 (one d, as its Q8_K),
// with the sums of q per group of 16 that the weights' offsets meet.
//
// A prompt's products quantize every token's activations before each matrix (a 512-token prompt through a
// Mixtral layer: about 31M values), so the two loops here, the largest |x| and the rounding with the sums,
// run 16 values a vector on AVX-512, AVX2 and NEON (plain C++ elsewhere), with the same results as the plain
// loops: the same maximum (a NaN ignored), the same float product and the same rounding.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "blocks.h"
#include "dot.h"
#include "parallel.h"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace octet {

// The largest |x[i]| of n values (n a multiple of 16); NaNs are passed over.
inline float absmax(const float* x, int64_t n) {
#if defined(__AVX512F__)
  __m512 m = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) m = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(x + i)), m);  // NaN: keeps m
  return _mm512_reduce_max_ps(m);
#elif defined(__AVX2__)
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 m = _mm256_setzero_ps();
  for (int64_t i = 0; i < n; i += 8) m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), magnitude), m);
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_max_ss(h, _mm_shuffle_ps(h, h, 1)));
#elif defined(__ARM_NEON)
  float32x4_t m = vdupq_n_f32(0.f);
  for (int64_t i = 0; i < n; i += 4) m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + i)));  // maxNum: NaN passed over
  return vmaxnmvq_f32(m);
#else
  float m = 0.f;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(x[i]));
  return m;
#endif
}

// q[i] = x[i] * inverse rounded to the nearest integer, ties to even (|x[i] * inverse| <= 127), for n values (a
// multiple of 16); sums[g] = the sum of q over each group g of 16.
inline void round_to_int8(const float* x, int64_t n, float inverse, int8_t* q, int32_t* sums) {
  for (int64_t g = 0; g < n / 16; ++g, x += 16, q += 16) {
#if defined(__AVX512F__)
    const __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x), _mm512_set1_ps(inverse)));
    _mm_storeu_si128((__m128i*)q, _mm512_cvtsepi32_epi8(v));
    sums[g] = _mm512_reduce_add_epi32(v);
#elif defined(__AVX2__)
    const __m256 scale = _mm256_set1_ps(inverse);
    const __m256i low = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), scale));
    const __m256i high = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), scale));
    const __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(low, high), 0xD8);  // 16 int16 in order
    _mm_storeu_si128((__m128i*)q, _mm_packs_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1)));
    const __m256i both = _mm256_add_epi32(low, high);
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(both), _mm256_extracti128_si256(both, 1));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
    sums[g] = _mm_cvtsi128_si32(_mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1)));
#elif defined(__ARM_NEON)
    int32x4_t v[4];
    for (int j = 0; j < 4; ++j) v[j] = vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + 4 * j), inverse));
    const int16x8_t low = vcombine_s16(vqmovn_s32(v[0]), vqmovn_s32(v[1]));
    const int16x8_t high = vcombine_s16(vqmovn_s32(v[2]), vqmovn_s32(v[3]));
    vst1q_s8(q, vcombine_s8(vqmovn_s16(low), vqmovn_s16(high)));
    sums[g] = vaddvq_s32(vaddq_s32(vaddq_s32(v[0], v[1]), vaddq_s32(v[2], v[3])));
#else
    int32_t sum = 0;
    for (int i = 0; i < 16; ++i) {
      q[i] = (int8_t)std::nearbyint(x[i] * inverse);
      sum += q[i];
    }
    sums[g] = sum;
#endif
  }
}

struct QuantizedActivations {
  std::vector<int8_t> q, q256;
  std::vector<float> d, dsum, d256, dsum256, d32, dsum32;
  ActRow row(int64_t m, int64_t superblocks) {  // null where those scales were not asked for
    ActRow row{};
    if (!q.empty()) {
      row.q = q.data() + m * superblocks * QK_K;
      row.d = d.data() + m * superblocks * GROUPS;
      row.dsum = dsum.data() + m * superblocks * GROUPS;
    }
    if (!q256.empty()) {
      row.q256 = q256.data() + m * superblocks * QK_K;
      row.d256 = d256.data() + m * superblocks;
      row.dsum256 = dsum256.data() + m * superblocks * GROUPS;
    }
    if (!d32.empty()) {
      row.d32 = d32.data() + m * superblocks * (QK_K / 32);
      row.dsum32 = dsum32.data() + m * superblocks * (QK_K / 32);
    }
    return row;
  }
};

// The scales quantize_activations gives: per block of 32 (q, d, dsum); per block of 32 and per superblock (also
// q256, d256, dsum256, and d32, dsum32: the few-token kernels of a SUPERBLOCK_SCALES library); or per superblock
// only (the prompt products whose panels fold their scales: gemm.h's folded types).
enum class Scales { per_block, per_block_and_superblock, per_superblock };

// Row m of x (K values) with one scale per superblock (amax / 127) into out's q256, d256 and dsum256.
inline void quantize_per_superblock(const float* x, int64_t m, int64_t K, int64_t superblocks, QuantizedActivations& out) {
  for (int64_t s = 0; s < superblocks; ++s) {
    const int64_t count = std::min<int64_t>(QK_K, K - s * QK_K);
    const float* xs = x + m * K + s * QK_K;
    const float d = absmax(xs, count) / 127.f, inverse = d > 0.f ? 1.f / d : 0.f;
    int32_t sums[GROUPS] = {0};
    round_to_int8(xs, count, inverse, out.q256.data() + (m * superblocks + s) * QK_K, sums);
    out.d256[m * superblocks + s] = d;
    for (int g = 0; g < GROUPS; ++g) out.dsum256[(m * superblocks + s) * GROUPS + g] = d * (float)sums[g];
  }
}

// Row m of x (K values, a multiple of 32) with one scale per block of 32 into out's q, d and dsum (and d32, dsum32
// where `both`).
inline void quantize_per_block(const float* x, int64_t m, int64_t K, int64_t superblocks, QuantizedActivations& out,
                               bool both) {
  const int64_t padded = superblocks * QK_K;
  for (int64_t b = 0; b * 32 < K; ++b) {
    const float* xb = x + m * K + b * 32;
    const float d = absmax(xb, 32) / 127.f, inverse = d > 0.f ? 1.f / d : 0.f;
    int32_t sums[2];
    round_to_int8(xb, 32, inverse, out.q.data() + m * padded + b * 32, sums);
    for (int h = 0; h < 2; ++h) {
      out.d[m * superblocks * GROUPS + 2 * b + h] = d;
      out.dsum[m * superblocks * GROUPS + 2 * b + h] = d * (float)sums[h];
    }
    if (both) {
      out.d32[m * superblocks * (QK_K / 32) + b] = d;
      out.dsum32[m * superblocks * (QK_K / 32) + b] = d * (float)(sums[0] + sums[1]);
    }
  }
}

// M rows of x [M, K] -> int8 with the `scales` asked for, zero-padded to whole superblocks.
inline void quantize_activations(const float* x, int64_t M, int64_t K, int64_t superblocks, QuantizedActivations& out,
                                 int threads = 1, Scales scales = Scales::per_block) {
  const int64_t padded = superblocks * QK_K;
  const bool per_block = scales != Scales::per_superblock, per_superblock = scales != Scales::per_block;
  const bool both = per_block && per_superblock;
  if (per_block) {
    out.q.assign(M * padded, 0);
    out.d.assign(M * superblocks * GROUPS, 0.f);
    out.dsum.assign(M * superblocks * GROUPS, 0.f);
  }
  if (per_superblock) {
    out.q256.assign(M * padded, 0);
    out.d256.assign(M * superblocks, 0.f);
    out.dsum256.assign(M * superblocks * GROUPS, 0.f);
  }
  if (both) {
    out.d32.assign(M * superblocks * (QK_K / 32), 0.f);
    out.dsum32.assign(M * superblocks * (QK_K / 32), 0.f);
  }
  parallel_rows(M, 8, threads_for(M * K, threads), [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; ++m) {
      if (per_block) quantize_per_block(x, m, K, superblocks, out, both);
      if (per_superblock) quantize_per_superblock(x, m, K, superblocks, out);
    }
  });
}

}  // namespace octet
