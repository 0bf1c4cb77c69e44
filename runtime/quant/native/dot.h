// The one instruction-set-specific step of a quantized matrix-vector product: a superblock of 256
// unpacked weights (blocks.h) against 256 activations quantized to int8 per block of 32 (ActRow):
//
//   sum_g  scale[g] d[g] (code . q)_g  +  offset[g] d[g] (sum q)_g        over the 16 groups g
//
// AVX-512 VNNI (vpdpbusd), AVX2 (vpmaddubsw; codes <= 63, or |int8| against a sign-moved q, never
// saturate), NEON with the dot-product extension (sdot), and plain C++ for everything else, chosen by
// the flags the library is compiled with. SIGNED: the codes are int8 (Q8_0), otherwise uint8 <= 63.
#pragma once
#include <cstdint>

#include "blocks.h"

#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define OCTET_ISA "avx512"
#include <immintrin.h>
#elif defined(__AVX2__) && defined(__FMA__)
#define OCTET_ISA "avx2"
#include <immintrin.h>
#elif defined(__ARM_FEATURE_DOTPROD)
#define OCTET_ISA "neon"
#include <arm_neon.h>
#else
#define OCTET_ISA "portable"
#endif

namespace octet {

// Activations of one token, padded with zeros to whole superblocks: q int8, and per group of 16 the
// scale d of its block of 32 and d * (sum of its q), for the offsets. Where SUPERBLOCK_SCALES (the AVX2
// library, whose K-quant row kernels sum a superblock in integers, as llama.cpp's do against its Q8_K), also
// the same activations with one scale per superblock: q256 int8, d256 per superblock, dsum256 per group; and
// d32, dsum32: d and d * (sum of q) once per block of 32, which its rows of 32-weight blocks read 8 at a time.
struct ActRow {
  int8_t* q;
  float* d;
  float* dsum;
  int8_t* q256 = nullptr;
  float* d256 = nullptr;
  float* dsum256 = nullptr;
  float* d32 = nullptr;
  float* dsum32 = nullptr;
};

#if !(defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)) && defined(__AVX2__) && defined(__FMA__)
constexpr bool SUPERBLOCK_SCALES = true;
#else
constexpr bool SUPERBLOCK_SCALES = false;
#endif

#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)

struct Acc {
  __m512 v = _mm512_setzero_ps();
};

template <bool SIGNED>
inline void accumulate(Acc& acc, const Unpacked& u, const ActRow& x, int64_t s) {
  const int8_t* q = x.q + s * QK_K;
  const __m512 factor = _mm512_mul_ps(_mm512_load_ps(u.scale), _mm512_loadu_ps(x.d + s * GROUPS));
  const __m512i iota = _mm512_srli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 2);
  for (int v = 0; v < 4; ++v) {  // lane l of vector v: weights 64 v + 4 l .. + 3, group 4 v + l / 4
    __m512i w = _mm512_load_si512(u.code + 64 * v), a = _mm512_loadu_si512(q + 64 * v);
    if (SIGNED) {  // vpdpbusd wants unsigned weights: |w|, and w's sign moved onto the activations
      a = _mm512_mask_sub_epi8(a, _mm512_movepi8_mask(w), _mm512_setzero_si512(), a);
      w = _mm512_abs_epi8(w);
    }
    const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w, a);
    const __m512 lane_factor = _mm512_permutexvar_ps(_mm512_add_epi32(iota, _mm512_set1_epi32(4 * v)), factor);
    acc.v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), lane_factor, acc.v);
  }
  if (!SIGNED) acc.v = _mm512_fmadd_ps(_mm512_load_ps(u.offset), _mm512_loadu_ps(x.dsum + s * GROUPS), acc.v);
}

inline float total(const Acc& acc) { return _mm512_reduce_add_ps(acc.v); }

#elif defined(__AVX2__) && defined(__FMA__)

struct Acc {
  __m256 v = _mm256_setzero_ps();
};

template <bool SIGNED>
inline void accumulate(Acc& acc, const Unpacked& u, const ActRow& x, int64_t s) {
  const int8_t* q = x.q + s * QK_K;
  const float* d = x.d + s * GROUPS;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int v = 0; v < 8; ++v) {  // lanes 0..3 of vector v: group 2 v, lanes 4..7: group 2 v + 1
    __m256i w = _mm256_load_si256((const __m256i*)(u.code + 32 * v));
    __m256i a = _mm256_loadu_si256((const __m256i*)(q + 32 * v));
    if (SIGNED) {
      a = _mm256_sign_epi8(a, w);
      w = _mm256_abs_epi8(w);
    }
    const __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(w, a), ones);
    const __m256 lane_factor = _mm256_set_m128(_mm_set1_ps(u.scale[2 * v + 1] * d[2 * v + 1]),
                                               _mm_set1_ps(u.scale[2 * v] * d[2 * v]));
    acc.v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), lane_factor, acc.v);
  }
  if (!SIGNED)
    for (int h = 0; h < 2; ++h)
      acc.v = _mm256_fmadd_ps(_mm256_load_ps(u.offset + 8 * h), _mm256_loadu_ps(x.dsum + s * GROUPS + 8 * h), acc.v);
}

inline float total(const Acc& acc) {
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc.v), _mm256_extractf128_ps(acc.v, 1));
  const __m128 p = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(p, _mm_shuffle_ps(p, p, 1)));
}

#elif defined(__ARM_FEATURE_DOTPROD)

struct Acc {
  float32x4_t v = vdupq_n_f32(0.f);
};

template <bool SIGNED>
inline void accumulate(Acc& acc, const Unpacked& u, const ActRow& x, int64_t s) {
  const int8_t* q = x.q + s * QK_K;
  const float* d = x.d + s * GROUPS;
  for (int g = 0; g < GROUPS; ++g) {  // codes <= 63 and Q8_0's int8 are both int8 for sdot
    const int32x4_t dot = vdotq_s32(vdupq_n_s32(0), vld1q_s8((const int8_t*)u.code + 16 * g), vld1q_s8(q + 16 * g));
    acc.v = vmlaq_n_f32(acc.v, vcvtq_f32_s32(dot), u.scale[g] * d[g]);
  }
  if (!SIGNED)
    for (int h = 0; h < 4; ++h)
      acc.v = vmlaq_f32(acc.v, vld1q_f32(u.offset + 4 * h), vld1q_f32(x.dsum + s * GROUPS + 4 * h));
}

inline float total(const Acc& acc) { return vaddvq_f32(acc.v); }

#else

struct Acc {
  float v = 0.f;
};

template <bool SIGNED>
inline void accumulate(Acc& acc, const Unpacked& u, const ActRow& x, int64_t s) {
  const int8_t* q = x.q + s * QK_K;
  for (int g = 0; g < GROUPS; ++g) {
    int32_t dot = 0;
    for (int i = 0; i < GROUP; ++i) {
      const int code = SIGNED ? (int)(int8_t)u.code[g * GROUP + i] : (int)u.code[g * GROUP + i];
      dot += code * q[g * GROUP + i];
    }
    acc.v += u.scale[g] * x.d[s * GROUPS + g] * (float)dot;
    if (!SIGNED) acc.v += u.offset[g] * x.dsum[s * GROUPS + g];
  }
}

inline float total(const Acc& acc) { return acc.v; }

#endif

}  // namespace octet
