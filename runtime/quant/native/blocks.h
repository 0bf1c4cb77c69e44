// GGUF weight blocks read where they lie (llama.cpp's layouts, ggml-common.h), one superblock of 256
// weights at a time, into a form every instruction set's dot product shares:
//
//   w[i] = scale[i / 16] * code[i] + offset[i / 16]      (16 groups of 16 weights)
//
// code: uint8 in 0..63 for every type but Q8_0, whose codes are its own int8 quants (offset 0). The
// 32-weight types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) fill a superblock from 8 blocks; at the end of a row
// with fewer left, the missing groups get code 0, scale 0 and offset 0. Plain C++: the compiler
// vectorizes it for each instruction set the library is built for.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace octet {

constexpr int QK_K = 256, GROUPS = 16, GROUP = 16;

enum GGMLType : int {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, BF16 = 30,
};

struct alignas(64) Unpacked {
  uint8_t code[QK_K];  // int8 for Q8_0
  float scale[GROUPS];
  float offset[GROUPS];
};

inline float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: scale the mantissa as a float
    float f = (float)mantissa * (1.f / 16777216.f);
    std::memcpy(&bits, &f, 4);
    bits |= sign;
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

inline float bf16_to_float(uint16_t bits) {  // bf16 is fp32's top half
  const uint32_t wide = (uint32_t)bits << 16;
  float out;
  std::memcpy(&out, &wide, 4);
  return out;
}

inline float load_half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
#if defined(__F16C__)
  return _cvtsh_ss(h);
#elif defined(__aarch64__)
  __fp16 f;
  std::memcpy(&f, &h, 2);
  return (float)f;
#else
  return half_to_float(h);
#endif
}

// Bytes and weights of one block of each type.
struct TypeSize {
  int weights, bytes;
};

inline TypeSize type_size(int type) {
  switch (type) {
    case F32: return {1, 4};
    case F16: case BF16: return {1, 2};
    case Q4_0: return {32, 18};
    case Q4_1: return {32, 20};
    case Q5_0: return {32, 22};
    case Q5_1: return {32, 24};
    case Q8_0: return {32, 34};
    case Q2_K: return {256, 84};
    case Q3_K: return {256, 110};
    case Q4_K: return {256, 144};
    case Q5_K: return {256, 176};
    case Q6_K: return {256, 210};
    default: return {0, 0};
  }
}

inline int64_t row_bytes(int type, int64_t K) {
  const TypeSize s = type_size(type);
  return K / s.weights * s.bytes;
}

// 16 bytes -> their low nibbles to low[0..15], high nibbles to high[0..15] (compilers leave the plain loop
// scalar, byte by byte: 8x slower on Q4_0).
inline void split_nibbles(const uint8_t* __restrict src, uint8_t* __restrict low, uint8_t* __restrict high) {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128((const __m128i*)src), mask = _mm_set1_epi8(15);
  _mm_storeu_si128((__m128i*)low, _mm_and_si128(v, mask));
  _mm_storeu_si128((__m128i*)high, _mm_and_si128(_mm_srli_epi16(v, 4), mask));
#elif defined(__ARM_NEON)
  const uint8x16_t v = vld1q_u8(src);
  vst1q_u8(low, vandq_u8(v, vdupq_n_u8(15)));
  vst1q_u8(high, vshrq_n_u8(v, 4));
#else
  for (int i = 0; i < 16; ++i) {
    low[i] = src[i] & 15;
    high[i] = src[i] >> 4;
  }
#endif
}

// ---- 32-weight types: block j of the superblock -> codes [32 j, 32 j + 32), groups 2 j and 2 j + 1 ----

inline void set_groups(Unpacked& u, int j, float scale, float offset) {
  u.scale[2 * j] = u.scale[2 * j + 1] = scale;
  u.offset[2 * j] = u.offset[2 * j + 1] = offset;
}

template <int TYPE>
inline void unpack_block32(const uint8_t* __restrict b, Unpacked& __restrict u, int j) {
  uint8_t* __restrict q = u.code + 32 * j;
  if constexpr (TYPE == Q4_0 || TYPE == Q4_1) {  // d [m] qs[16]: low nibbles 0..15, high 16..31
    split_nibbles(b + (TYPE == Q4_0 ? 2 : 4), q, q + 16);
    const float d = load_half(b);
    set_groups(u, j, d, TYPE == Q4_0 ? -8.f * d : load_half(b + 2));
  } else if constexpr (TYPE == Q5_0 || TYPE == Q5_1) {  // d [m] qh[4] qs[16]: bit i of qh is weight i's 5th
    const int at = TYPE == Q5_0 ? 2 : 4;
    uint32_t qh;
    std::memcpy(&qh, b + at, 4);
    split_nibbles(b + at + 4, q, q + 16);
    for (int i = 0; i < 32; ++i) q[i] |= ((qh >> i) & 1) << 4;
    const float d = load_half(b);
    set_groups(u, j, d, TYPE == Q5_0 ? -16.f * d : load_half(b + 2));
  } else {  // Q8_0: d qs[32] int8
    std::memcpy(q, b + 2, 32);
    set_groups(u, j, load_half(b), 0.f);
  }
}

// ---- 256-weight types (K-quants) ----

// The 6-bit scale and min of group j (0..7) of a Q4_K / Q5_K block's 12 bytes (get_scale_min_k4).
inline void scale_min_k4(int j, const uint8_t* s, int& scale, int& min) {
  if (j < 4) {
    scale = s[j] & 63;
    min = s[j + 4] & 63;
  } else {
    scale = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
    min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// Q2_K: scales[16] (low nibble scale, high nibble min), qs[64], d, dmin. 2-bit codes.
inline void unpack_q2_k(const uint8_t* __restrict b, Unpacked& __restrict u) {
  const uint8_t *scales = b, *qs = b + 16;
  const float d = load_half(b + 80), dmin = load_half(b + 82);
  for (int half = 0; half < 2; ++half)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 32; ++i) u.code[half * 128 + j * 32 + i] = (qs[half * 32 + i] >> (2 * j)) & 3;
  for (int g = 0; g < 16; ++g) {
    u.scale[g] = d * (scales[g] & 15);
    u.offset[g] = -dmin * (scales[g] >> 4);
  }
}

// Q3_K: hmask[32], qs[64], scales[12] (16 6-bit scales, biased by 32), d. Codes 0..7, weight (code - 4).
inline void unpack_q3_k(const uint8_t* __restrict b, Unpacked& __restrict u) {
  const uint8_t *hmask = b, *qs = b + 32, *packed = b + 96;
  const float d = load_half(b + 108);
  for (int half = 0; half < 2; ++half)
    for (int j = 0; j < 4; ++j) {
      const int bit = half * 4 + j;
      for (int i = 0; i < 32; ++i)
        u.code[half * 128 + j * 32 + i] = ((qs[half * 32 + i] >> (2 * j)) & 3) | (((hmask[i] >> bit) & 1) << 2);
    }
  for (int g = 0; g < 16; ++g) {
    const int low = g < 8 ? packed[g] & 15 : packed[g - 8] >> 4;
    const int high = (packed[8 + g % 4] >> (2 * (g / 4))) & 3;
    u.scale[g] = d * ((low | (high << 4)) - 32);
    u.offset[g] = -4.f * u.scale[g];
  }
}

// Q4_K: d, dmin, scales[12], qs[128]: 64-weight chunks, low nibbles then high nibbles of 32 bytes.
// Q5_K adds qh[32] (bit 2c / 2c + 1 of qh[i]: the 5th bit of chunk c's low / high half).
template <bool FIVE>
inline void unpack_q45_k(const uint8_t* __restrict b, Unpacked& __restrict u) {
  const float d = load_half(b), dmin = load_half(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + (FIVE ? 48 : 16);
  for (int c = 0; c < 4; ++c) {
    uint8_t* q = u.code + c * 64;
    split_nibbles(qs + c * 32, q, q + 32);
    split_nibbles(qs + c * 32 + 16, q + 16, q + 48);
    if (FIVE)
      for (int i = 0; i < 32; ++i) {
        q[i] |= ((qh[i] >> (2 * c)) & 1) << 4;
        q[i + 32] |= ((qh[i] >> (2 * c + 1)) & 1) << 4;
      }
  }
  for (int j = 0; j < 8; ++j) {
    int scale, min;
    scale_min_k4(j, scales, scale, min);
    u.scale[2 * j] = u.scale[2 * j + 1] = d * scale;
    u.offset[2 * j] = u.offset[2 * j + 1] = -dmin * min;
  }
}

// Q6_K: ql[128], qh[64], scales[16] int8, d. Codes 0..63, weight (code - 32).
inline void unpack_q6_k(const uint8_t* __restrict b, Unpacked& __restrict u) {
  const uint8_t *ql = b, *qh = b + 128;
  const int8_t* scales = (const int8_t*)(b + 192);
  const float d = load_half(b + 208);
  for (int half = 0; half < 2; ++half) {
    const uint8_t *l = ql + half * 64, *h = qh + half * 32;
    uint8_t* q = u.code + half * 128;
    for (int i = 0; i < 32; ++i) {
      q[i] = (l[i] & 15) | ((h[i] & 3) << 4);
      q[i + 32] = (l[i + 32] & 15) | (((h[i] >> 2) & 3) << 4);
      q[i + 64] = (l[i] >> 4) | (((h[i] >> 4) & 3) << 4);
      q[i + 96] = (l[i + 32] >> 4) | (((h[i] >> 6) & 3) << 4);
    }
  }
  for (int g = 0; g < 16; ++g) {
    u.scale[g] = d * scales[g];
    u.offset[g] = -32.f * u.scale[g];
  }
}

// Superblock s (256 weights) of a row of `nb` blocks of TYPE.
template <int TYPE>
inline void unpack(const uint8_t* row, int64_t s, int64_t nb, Unpacked& u) {
  if constexpr (TYPE == Q2_K) unpack_q2_k(row + s * 84, u);
  else if constexpr (TYPE == Q3_K) unpack_q3_k(row + s * 110, u);
  else if constexpr (TYPE == Q4_K) unpack_q45_k<false>(row + s * 144, u);
  else if constexpr (TYPE == Q5_K) unpack_q45_k<true>(row + s * 176, u);
  else if constexpr (TYPE == Q6_K) unpack_q6_k(row + s * 210, u);
  else {
    constexpr int bytes = TYPE == Q4_0 ? 18 : TYPE == Q4_1 ? 20 : TYPE == Q5_0 ? 22 : TYPE == Q5_1 ? 24 : 34;
    const int64_t first = s * 8;
    const int count = (int)(nb - first < 8 ? nb - first : 8);
    for (int j = 0; j < count; ++j) unpack_block32<TYPE>(row + (first + j) * bytes, u, j);
    for (int j = count; j < 8; ++j) {
      std::memset(u.code + 32 * j, 0, 32);
      set_groups(u, j, 0.f, 0.f);
    }
  }
}

}  // namespace octet
