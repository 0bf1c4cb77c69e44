// AVX-512 VNNI fused row kernels (see fast.h): FastRow<TYPE> specializations for every quantized type.
//
// A row is read a superblock (256 weights) at a time straight from the file's bytes into registers:
// four vectors of 64 codes (uint8; Q8_0: |int8| with the signs kept in masks) built with broadcast
// loads, ANDs, per-lane shifts or rotates, and the 16 group scales and offsets as two vectors of floats.
// Codes may stay where their bits lie (a Q4 high nibble is 16 x its code, Q2_K's bit pairs 4^j x,
// Q3_K's second pair 4 x): vpdpbusd takes bytes up to 255, and those groups' scales carry the power of
// two back (exact). Each code vector serves every token (1..8) of the pass: vpdpbusd against the
// token's int8 activations, the four results summed per group as integers, then scaled once by
// scale * d per group; the offsets meet the activations' d * sum per group. Horizontal sums wait for
// the row's end. The next superblock is decoded before this one is used, and the weights 4 KiB ahead
// are prefetched. The blocks past the last whole superblock (32-weight types, K % 256 != 0, as the 576-wide rows
// of small models) go one at a time in 256-bit vectors (TailBlocks).
// Results agree with dot.h's within fp32 rounding (tests/runtime/test_native_kernels.py).
//
// Instructions: AVX-512 F/BW/VL/DQ + VNNI + F16C (the avx512 library's build flags), nothing newer
// (no VBMI byte permutes, no gathers: slow on AMD).
#pragma once
#include <immintrin.h>

#include "fast.h"

namespace octet {
namespace avx512 {

// Everything below is inlined into the row loop (calls would pass the superblock through memory).
#define OCTET_INLINE inline __attribute__((always_inline))

// A superblock in registers: code[v] holds codes 64 v .. 64 v + 63 in natural order (lane l of the
// vpdpbusd result: codes 64 v + 4 l .. + 3, group 4 v + l / 4); scale and offset per group of 16.
struct Superblock {
  __m512i code[4];
  __mmask64 negative[4];  // Q8_0 only: the codes whose sign moves onto the activations
  __m512 scale, offset;
};

OCTET_INLINE __m512i bytes(int value) { return _mm512_set1_epi8((char)value); }

constexpr long long LOW_NIBBLES = 0x0F0F0F0F0F0F0F0F, HIGH_NIBBLES = (long long)0xF0F0F0F0F0F0F0F0ull;

// 32 bytes at p in both halves of a vector.
OCTET_INLINE __m512i both_halves(const uint8_t* p) {
  return _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i*)p));
}

// Per 64-bit lane shift counts: `low` for the vector's first 32 bytes, `high` for the last 32.
OCTET_INLINE __m512i halves(long long low, long long high) {
  return _mm512_setr_epi64(low, low, low, low, high, high, high, high);
}

// 16 bytes at a and 16 at b as [a, a, b, b] (Q4_0-style blocks: low nibbles, then high nibbles of each).
OCTET_INLINE __m512i two_blocks(const uint8_t* a, const uint8_t* b) {
  const __m256i x = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)a));
  const __m256i y = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)b));
  return _mm512_inserti64x4(_mm512_castsi256_si512(x), y, 1);
}

// 16 uint8 / int8 -> 16 floats.
OCTET_INLINE __m512 floats_u8(__m128i x) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(x)); }
OCTET_INLINE __m512 floats_i8(__m128i x) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(x)); }

OCTET_INLINE __m512 broadcast_half(const uint8_t* p) { return _mm512_set1_ps(load_half(p)); }

// Word indexes for _mm512_permutex2var_epi16 (constant tables, built at compile time).
struct WordIndex {
  alignas(64) int16_t at[32];
};

// The fp16 fields of 8 blocks of SIZE bytes at b: words 0..15 the first field (d) of block g / 2, words
// 16..31 the second (m of Q4_1 / Q5_1; else the codes' first bytes). Read as 64-byte loads that stay
// inside the 8 blocks (the row may end the mapped file) and picked by word permutes: gathers are slow.
template <int SIZE>
struct BlockLoads {
  static_assert(SIZE >= 16 && SIZE <= 34, "8 blocks of 16..34 bytes: 64-byte loads inside, fields within reach");
  static constexpr bool TWO = 3 * SIZE + 4 <= 64;  // blocks 0..3 from b, 4..7 from b + 4 SIZE
  // else four: pairs of blocks (2 v, 2 v + 1) from b + start(v), the last one ending at the last block's end
  static constexpr int start(int v) { return 2 * SIZE * v < 8 * SIZE - 64 ? 2 * SIZE * v : 8 * SIZE - 64; }
};

template <int SIZE>
constexpr WordIndex field_index(int half) {  // half: the pair of pair loads (four loads), or 0 (two loads)
  using L = BlockLoads<SIZE>;
  WordIndex w{};
  for (int i = 0; i < 32; ++i) {
    const int g = i % 16, j = g / 2, second = i / 16;  // group, block, which field
    if (L::TWO) {
      w.at[i] = (int16_t)(j < 4 ? (j * SIZE) / 2 + second : 32 + ((j - 4) * SIZE) / 2 + second);
    } else {
      const int v = j / 2;  // the pair load holding block j: the permute's first source (v even) or second
      w.at[i] = (int16_t)(v / 2 == half ? 32 * (v % 2) + (j * SIZE - L::start(v)) / 2 + second : 0);
    }
  }
  return w;
}

template <int SIZE>
struct BlockFields : BlockLoads<SIZE> {
  using L = BlockLoads<SIZE>;
  static constexpr WordIndex FIRST = field_index<SIZE>(0), SECOND = field_index<SIZE>(1);
  OCTET_INLINE static __m512i read(const uint8_t* b) {
    const __m512i first = _mm512_load_si512(FIRST.at);
    if constexpr (L::TWO)
      return _mm512_permutex2var_epi16(_mm512_loadu_si512(b), first, _mm512_loadu_si512(b + 4 * SIZE));
    const __m512i low = _mm512_permutex2var_epi16(_mm512_loadu_si512(b + L::start(0)), first,
                                                  _mm512_loadu_si512(b + L::start(1)));
    const __m512i high = _mm512_permutex2var_epi16(_mm512_loadu_si512(b + L::start(2)), _mm512_load_si512(SECOND.at),
                                                   _mm512_loadu_si512(b + L::start(3)));
    return _mm512_mask_blend_epi16(0xFF00FF00u, low, high);  // groups 8..15 (blocks 4..7) from `high`
  }
};

// Words 0..15 / 16..31 of BlockFields::read as fp32.
OCTET_INLINE __m512 first_field(__m512i fields) { return _mm512_cvtph_ps(_mm512_castsi512_si256(fields)); }
OCTET_INLINE __m512 second_field(__m512i fields) { return _mm512_cvtph_ps(_mm512_extracti64x4_epi64(fields, 1)); }

// ---- decoders: one superblock of each type into registers ----

template <int TYPE>
struct Decode;

// Q4_K and Q5_K: d, dmin, scales[12] (6-bit scales and mins of 8 blocks of 32), [qh[32]], qs[128]
// (64-weight chunks: low nibbles of 32 bytes, then their high nibbles). Q4_K keeps a chunk's high nibbles
// in place, x16: one AND builds its codes, and the scales of those blocks carry the 1/16 (exact).
template <bool FIVE>
struct DecodeQ45K {
  static constexpr int BYTES = FIVE ? 176 : 144;
  // 12 bytes of 6-bit scales and mins -> [scale 0..7, min 0..7] (blocks.h's scale_min_k4)
  OCTET_INLINE static __m128i scales_mins(const uint8_t* s) {
    const __m128i x = _mm_loadu_si128((const __m128i*)s);  // 16 bytes: 12 of scales, 4 of the codes
    // words: [s0-3, s8-11, s4-7, s8-11] and the high-bit sources [-, s0-3, -, s4-7]
    const __m128i a = _mm_shuffle_epi8(x, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
    const __m128i b = _mm_shuffle_epi8(x, _mm_setr_epi8(0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7));
    const __m128i low = _mm_srlv_epi32(a, _mm_setr_epi32(0, 0, 0, 4));
    const __m128i high = _mm_and_si128(_mm_srli_epi32(b, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030));
    // (low & mask) | high
    return _mm_ternarylogic_epi32(low, _mm_setr_epi32(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F), high, 0xEA);
  }
  OCTET_INLINE static void decode(const uint8_t* b, Superblock& out) {
    // [d x 8, dmin x 8] from the fp16 pair at b, times [1 (1/16 for Q4_K's odd blocks), -1]
    int32_t fields;
    std::memcpy(&fields, b, 4);
    const __m256i pair = _mm256_set1_epi32(fields);
    const __m256i pick = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,   // d
                                          2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);  // dmin
    const __m512 d_dmin = _mm512_cvtph_ps(_mm256_shuffle_epi8(pair, pick));
    const float odd = FIVE ? 1.f : 1.f / 16;
    const __m512 sign = _mm512_setr_ps(1, odd, 1, odd, 1, odd, 1, odd, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m512 values = _mm512_mul_ps(floats_u8(scales_mins(b + 4)), _mm512_mul_ps(d_dmin, sign));
    const __m512i scale_of_group = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);  // block g / 2
    out.scale = _mm512_permutexvar_ps(scale_of_group, values);
    out.offset = _mm512_permutexvar_ps(_mm512_add_epi32(scale_of_group, _mm512_set1_epi32(8)), values);
    const uint8_t* qs = b + (FIVE ? 48 : 16);
    if constexpr (!FIVE) {
      const __m512i keep = halves(LOW_NIBBLES, HIGH_NIBBLES);
      for (int c = 0; c < 4; ++c) out.code[c] = _mm512_and_si512(both_halves(qs + 32 * c), keep);
    } else {
      const __m512i shift = halves(0, 4), qh = both_halves(b + 16);
      for (int c = 0; c < 4; ++c) {
        // bit 2c (first half) / 2c + 1 (second half) of qh[i] rotated to bit 4
        const __m512i fifth = _mm512_rolv_epi64(qh, halves((64 + 4 - 2 * c) % 64, (64 + 3 - 2 * c) % 64));
        const __m512i low = _mm512_and_si512(_mm512_srlv_epi64(both_halves(qs + 32 * c), shift), bytes(15));
        out.code[c] = _mm512_ternarylogic_epi32(fifth, bytes(16), low, 0xEA);  // (fifth & 16) | low
      }
    }
  }
};

template <> struct Decode<Q4_K> : DecodeQ45K<false> {};
template <> struct Decode<Q5_K> : DecodeQ45K<true> {};

template <>
struct Decode<Q6_K> {  // ql[128], qh[64], scales[16] int8, d
  static constexpr int BYTES = 210;
  OCTET_INLINE static void decode(const uint8_t* b, Superblock& out) {
    out.scale = _mm512_mul_ps(broadcast_half(b + 208), floats_i8(_mm_loadu_si128((const __m128i*)(b + 192))));
    out.offset = _mm512_mul_ps(_mm512_set1_ps(-32.f), out.scale);
    const __m512i low_nibble = bytes(15);
    for (int half = 0; half < 2; ++half) {
      // codes 128 half + i, i < 64: low nibbles of ql | bits 0-1 (i < 32) or 2-3 of qh at bits 4-5;
      // codes 128 half + 64 + i: high nibbles | bits 4-5 or 6-7. The qh bits each half needs, kept by one
      // AND, are shifted to bits 4-5; a bitwise select takes bits 0-3 from ql and 4-7 from qh.
      const __m512i low = _mm512_loadu_si512(b + 64 * half);
      const __m512i kept = halves(0x3333333333333333, (long long)0xCCCCCCCCCCCCCCCCull);
      const __m512i high = _mm512_and_si512(both_halves(b + 128 + 32 * half), kept);
      out.code[2 * half] = _mm512_ternarylogic_epi32(_mm512_sllv_epi64(high, halves(4, 2)), low_nibble, low, 0xB8);
      out.code[2 * half + 1] =
          _mm512_ternarylogic_epi32(_mm512_srlv_epi64(high, halves(0, 2)), low_nibble, _mm512_srli_epi64(low, 4), 0xB8);
    }
  }
};

template <>
struct Decode<Q3_K> {  // hmask[32], qs[64], scales[12] (16 6-bit, biased by 32), d
  static constexpr int BYTES = 110;
  // The 16 groups' integer scales (int8, -32..31).
  OCTET_INLINE static __m128i scales(const uint8_t* b) {
    // 16 bytes from b + 94: packed scales p[k] at byte k + 2 (the block's last two bytes are d)
    const __m128i x = _mm_loadu_si128((const __m128i*)(b + 94));
    // low 4 bits: p[g] & 15 (g < 8), p[g - 8] >> 4
    const __m128i lows = _mm_shuffle_epi8(x, _mm_setr_epi8(2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9));
    const __m128i low = _mm_and_si128(_mm_srlv_epi64(lows, _mm_set_epi64x(4, 0)), _mm_set1_epi8(15));
    // high 2 bits: (p[8 + g % 4] >> 2 (g / 4)) & 3, moved to bits 4-5
    const __m128i highs = _mm_shuffle_epi8(x, _mm_set1_epi32(0x0D0C0B0A));  // p[8..11] in every word
    const __m128i shifted = _mm_slli_epi32(_mm_srlv_epi32(highs, _mm_setr_epi32(0, 2, 4, 6)), 4);
    const __m128i high = _mm_and_si128(shifted, _mm_set1_epi8(0x30));
    return _mm_sub_epi8(_mm_or_si128(low, high), _mm_set1_epi8(32));
  }
  OCTET_INLINE static void decode(const uint8_t* b, Superblock& out) {
    out.scale = _mm512_mul_ps(broadcast_half(b + 108), floats_i8(scales(b)));
    out.offset = _mm512_mul_ps(_mm512_set1_ps(-4.f), out.scale);
    // codes 128 h + 32 j + i: bits 2j..2j+1 of qs[32 h + i] | bit 4h + j of hmask[i] at bit 2. Vector p
    // of half h (j = 2p, 2p + 1) takes the 2-bit codes from qs >> 4p at bits 0-1 and 2-3 (x 4: its second
    // half's scales carry 1/4), the hmask bits rotated to bits 2 and 4, joined by a bitwise select.
    out.scale = _mm512_mul_ps(out.scale, _mm512_setr_ps(1, 1, 0.25f, 0.25f, 1, 1, 0.25f, 0.25f, 1, 1, 0.25f, 0.25f,
                                                         1, 1, 0.25f, 0.25f));
    const __m512i hmask = both_halves(b), two_bits = halves(0x0303030303030303, 0x0C0C0C0C0C0C0C0C);
    const __m512i third_bit = halves(0x0404040404040404, 0x1010101010101010);
    for (int half = 0; half < 2; ++half) {
      const __m512i qs = both_halves(b + 32 + 32 * half);
      for (int p = 0; p < 2; ++p) {
        const int bit = 4 * half + 2 * p;  // hmask bit of the first half; bit + 1 for the second
        const __m512i third = _mm512_and_si512(
            _mm512_rolv_epi64(hmask, halves((64 + 2 - bit) % 64, (64 + 4 - bit - 1) % 64)), third_bit);
        const __m512i low2 = p ? _mm512_srli_epi64(qs, 4) : qs;
        out.code[2 * half + p] = _mm512_ternarylogic_epi32(third, two_bits, low2, 0xB8);  // two_bits ? low2 : third
      }
    }
  }
};

template <>
struct Decode<Q2_K> {  // scales[16] (low nibble scale, high nibble min), qs[64], d, dmin
  static constexpr int BYTES = 84;
  OCTET_INLINE static void decode(const uint8_t* b, Superblock& out) {
    // codes 128 h + 32 j + i: bits 2j..2j+1 of qs[32 h + i], kept in place (x 4^j)
    const __m512 place = _mm512_setr_ps(1, 1, 0.25f, 0.25f, 1.f / 16, 1.f / 16, 1.f / 64, 1.f / 64,
                                        1, 1, 0.25f, 0.25f, 1.f / 16, 1.f / 16, 1.f / 64, 1.f / 64);
    const __m128i s = _mm_loadu_si128((const __m128i*)b);
    int32_t pair;
    std::memcpy(&pair, b + 80, 4);
    const __m512 d_dmin = _mm512_cvtph_ps(_mm256_set1_epi32(pair));  // [d, dmin] x 8
    out.scale = _mm512_mul_ps(_mm512_mul_ps(_mm512_permute_ps(d_dmin, 0x00), place),
                              floats_u8(_mm_and_si128(s, _mm_set1_epi8(15))));
    const __m128i mins = _mm_and_si128(_mm_srli_epi16(s, 4), _mm_set1_epi8(15));
    const __m128i minus_mins = _mm_sub_epi8(_mm_setzero_si128(), mins);
    out.offset = _mm512_mul_ps(_mm512_permute_ps(d_dmin, 0x55), floats_i8(minus_mins));
    for (int half = 0; half < 2; ++half) {
      const __m512i qs = both_halves(b + 16 + 32 * half);
      out.code[2 * half] = _mm512_and_si512(qs, halves(0x0303030303030303, 0x0C0C0C0C0C0C0C0C));
      out.code[2 * half + 1] = _mm512_and_si512(qs, halves(0x3030303030303030, (long long)0xC0C0C0C0C0C0C0C0ull));
    }
  }
};

// 32-weight types: a superblock is 8 consecutive blocks; code vector v holds blocks 2 v and 2 v + 1.

template <>
struct Decode<Q8_0> {  // d, qs[32] int8
  static constexpr int BYTES = 8 * 34;
  OCTET_INLINE static void decode(const uint8_t* b, Superblock& out) {
    out.scale = first_field(BlockFields<34>::read(b));
    out.offset = _mm512_setzero_ps();
    for (int v = 0; v < 4; ++v) {
      const uint8_t* p = b + 68 * v + 2;
      const __m512i w = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i*)p)),
                                           _mm256_loadu_si256((const __m256i*)(p + 34)), 1);
      out.negative[v] = _mm512_movepi8_mask(w);
      out.code[v] = _mm512_abs_epi8(w);
    }
  }
};

// Q4_0: d qs[16]; Q4_1: d m qs[16]; Q5_0: d qh[4] qs[16]; Q5_1: d m qh[4] qs[16]. qs: weights 0..15 in the
// low nibbles, 16..31 in the high ones; Q4_0 and Q4_1 keep the high nibbles in place (x16, as Q4_K).
template <int TYPE>
struct Decode32 {
  static constexpr bool MIN = TYPE == Q4_1 || TYPE == Q5_1, FIVE = TYPE == Q5_0 || TYPE == Q5_1;
  static constexpr int SIZE = 2 + 2 * MIN + 4 * FIVE + 16, BYTES = 8 * SIZE, CODES = SIZE - 16;
  OCTET_INLINE static void decode(const uint8_t* b, Superblock& out) {
    const __m512i fields = BlockFields<SIZE>::read(b);
    const __m512 d = first_field(fields);
    out.offset = MIN ? second_field(fields) : _mm512_mul_ps(_mm512_set1_ps(FIVE ? -16.f : -8.f), d);
    if constexpr (FIVE) {
      out.scale = d;
      const __m512i shift = _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4);
      for (int v = 0; v < 4; ++v) {
        const uint8_t* p = b + 2 * v * SIZE;
        const __m512i code =
            _mm512_and_si512(_mm512_srlv_epi64(two_blocks(p + CODES, p + SIZE + CODES), shift), bytes(15));
        uint32_t h0, h1;
        std::memcpy(&h0, p + CODES - 4, 4);
        std::memcpy(&h1, p + SIZE + CODES - 4, 4);
        out.code[v] = _mm512_mask_add_epi8(code, _cvtu64_mask64(h0 | (uint64_t)h1 << 32), code, bytes(16));
      }
    } else {
      const float high = 1.f / 16;
      out.scale =
          _mm512_mul_ps(d, _mm512_setr_ps(1, high, 1, high, 1, high, 1, high, 1, high, 1, high, 1, high, 1, high));
      const __m512i keep = _mm512_setr_epi64(LOW_NIBBLES, LOW_NIBBLES, HIGH_NIBBLES, HIGH_NIBBLES, LOW_NIBBLES,
                                             LOW_NIBBLES, HIGH_NIBBLES, HIGH_NIBBLES);  // [low, high] per block
      for (int v = 0; v < 4; ++v) {
        const uint8_t* p = b + 2 * v * SIZE + CODES;
        out.code[v] = _mm512_and_si512(two_blocks(p, p + SIZE), keep);
      }
    }
  }
};

template <> struct Decode<Q4_0> : Decode32<Q4_0> {};
template <> struct Decode<Q4_1> : Decode32<Q4_1> {};
template <> struct Decode<Q5_0> : Decode32<Q5_0> {};
template <> struct Decode<Q5_1> : Decode32<Q5_1> {};

// ---- the row ----

// acc[m] += superblock s of the row . token m's activations, m < R. Lane l of code vector v holds 4 codes
// of group 4 v + l / 4: the four vpdpbusd results are summed per group as integers by a 4 x 4 transpose in
// each 128-bit lane (group 4 v + k lands in lane k, element v), then scaled once.
template <bool SIGNED, int R>
OCTET_INLINE void accumulate(const Superblock& w, const ActRow* act, int64_t s, __m512 (&acc)[R]) {
  const __m512i transposed = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  for (int m = 0; m < R; ++m) {
    const int8_t* q = act[m].q + s * QK_K;
    __m512i dot[4];
    for (int v = 0; v < 4; ++v) {
      __m512i a = _mm512_loadu_si512(q + 64 * v);
      if (SIGNED) a = _mm512_mask_sub_epi8(a, w.negative[v], _mm512_setzero_si512(), a);
      dot[v] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w.code[v], a);
    }
    const __m512i u0 = _mm512_add_epi32(_mm512_unpacklo_epi32(dot[0], dot[1]), _mm512_unpackhi_epi32(dot[0], dot[1]));
    const __m512i u1 = _mm512_add_epi32(_mm512_unpacklo_epi32(dot[2], dot[3]), _mm512_unpackhi_epi32(dot[2], dot[3]));
    const __m512i sums = _mm512_add_epi32(_mm512_unpacklo_epi64(u0, u1), _mm512_unpackhi_epi64(u0, u1));
    const __m512 factor = _mm512_mul_ps(w.scale, _mm512_loadu_ps(act[m].d + s * GROUPS));
    acc[m] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), _mm512_permutexvar_ps(transposed, factor), acc[m]);
    if (!SIGNED) acc[m] = _mm512_fmadd_ps(w.offset, _mm512_loadu_ps(act[m].dsum + s * GROUPS), acc[m]);
  }
}

// The blocks of a row of 32-weight blocks past its last whole superblock (fewer than 8: K % 256 != 0, as in
// small models' rows of 576), one at a time in 256-bit vectors: codes (Q8_0: |int8|, its sign moved onto the
// activations), vpdpbusd against the block's 32 activations, then scale d (weights) x d (block) and the
// block's offset (its m, or -8 d, -16 d) x d sum(q). Into acc (vectors) and offsets (scalars) per token.
template <int TYPE>
struct TailBlocks {
  static constexpr int BYTES = TYPE == Q4_0 ? 18 : TYPE == Q4_1 ? 20 : TYPE == Q5_0 ? 22 : TYPE == Q5_1 ? 24 : 34;
  static constexpr bool MIN = TYPE == Q4_1 || TYPE == Q5_1, FIVE = TYPE == Q5_0 || TYPE == Q5_1;
  static constexpr float BIAS = TYPE == Q4_0 ? -8.f : TYPE == Q5_0 ? -16.f : 0.f;
  static constexpr int CODES = 2 + (MIN ? 2 : 0) + (FIVE ? 4 : 0);  // where qs starts

  OCTET_INLINE static __m256i codes(const uint8_t* b) {  // low nibbles are weights 0..15, high ones 16..31
    if constexpr (TYPE == Q8_0) return _mm256_loadu_si256((const __m256i*)(b + 2));
    const __m128i x = _mm_loadu_si128((const __m128i*)(b + CODES));
    const __m128i low = _mm_and_si128(x, _mm_set1_epi8(15));
    const __m128i high = _mm_and_si128(_mm_srli_epi16(x, 4), _mm_set1_epi8(15));
    __m256i c = _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
    if constexpr (FIVE) {  // bit i of qh: weight i's 16
      uint32_t qh;
      std::memcpy(&qh, b + CODES - 4, 4);
      c = _mm256_or_si256(c, _mm256_maskz_mov_epi8((__mmask32)qh, _mm256_set1_epi8(16)));
    }
    return c;
  }

  template <int R>
  OCTET_INLINE static void run(const uint8_t* row, const ActRow* act, int64_t first, int64_t nb, __m256 (&acc)[R],
                               float (&offsets)[R]) {
    for (int64_t j = first; j < nb; ++j) {
      const uint8_t* b = row + j * BYTES;
      const __m256i w = codes(b);
      const __m256i u = TYPE == Q8_0 ? _mm256_abs_epi8(w) : w;
      const float dw = load_half(b);
      for (int m = 0; m < R; ++m) {
        __m256i q = _mm256_loadu_si256((const __m256i*)(act[m].q + 32 * j));
        if constexpr (TYPE == Q8_0) q = _mm256_sign_epi8(q, w);
        const __m256 dot = _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(_mm256_setzero_si256(), u, q));
        acc[m] = _mm256_fmadd_ps(dot, _mm256_set1_ps(dw * act[m].d[2 * j]), acc[m]);
        const float dsum = act[m].dsum[2 * j] + act[m].dsum[2 * j + 1];
        if constexpr (MIN) offsets[m] += load_half(b + 2) * dsum;
        else if constexpr (TYPE != Q8_0) offsets[m] += BIAS * dw * dsum;
      }
    }
  }
};

// A superblock's activations a token (q, then d and d * sum per group of 16), and how many bytes a token's may take
// before the row's weights go to L2 only (L1 is 32-48 KiB; rows of K = 12288, 18 KiB, measured slower already).
constexpr int64_t ACTIVATION_BYTES = QK_K + 2 * GROUPS * 4, LONG_ROW_ACTIVATIONS = 16 << 10;

template <int TYPE, int R>
inline void row_dot(const uint8_t* row, const ActRow* act, int64_t nb, int64_t superblocks, float* out) {
  constexpr bool SIGNED = TYPE == Q8_0;
  constexpr int BYTES = Decode<TYPE>::BYTES;
  const int64_t whole = type_size(TYPE).weights == QK_K ? nb : nb / 8;
  __m512 acc[R];
  for (int m = 0; m < R; ++m) acc[m] = _mm512_setzero_ps();
  if (whole > 0) {  // decoding a superblock ahead of its use: its long chains of latency overlap more
    const bool long_row = superblocks * ACTIVATION_BYTES > LONG_ROW_ACTIVATIONS;  // one token's: 4 of K = 4096 keep T0
    Superblock w;
    Decode<TYPE>::decode(row, w);
    for (int64_t s = 0; s + 1 < whole; ++s) {
      // the weights 4 KiB ahead (this row's or the next's) on their way: with the activations of a long
      // row (K = 14336: 21 KiB a token) held in L1, the hardware prefetcher alone falls behind. Into L1, except
      // for long rows: there the weights would push those activations out of L1, and are brought to L2 only
      // (Mixtral's w2 rows, Q4_0 / Q4_K / Q6_K: 19-24 -> 22-27 GB/s; rows of 4096 lose a third that way)
      if (long_row)
        for (int at = 0; at < BYTES; at += 64) _mm_prefetch((const char*)(row + s * BYTES + 4096 + at), _MM_HINT_T1);
      else
        for (int at = 0; at < BYTES; at += 64) _mm_prefetch((const char*)(row + s * BYTES + 4096 + at), _MM_HINT_T0);
      Superblock next;
      Decode<TYPE>::decode(row + (s + 1) * BYTES, next);
      accumulate<SIGNED, R>(w, act, s, acc);
      w = next;
    }
    accumulate<SIGNED, R>(w, act, whole - 1, acc);
  }
  for (int m = 0; m < R; ++m) out[m] = _mm512_reduce_add_ps(acc[m]);
  if constexpr (TYPE == Q4_0 || TYPE == Q4_1 || TYPE == Q5_0 || TYPE == Q5_1 || TYPE == Q8_0) {
    if (whole < superblocks) {  // the blocks past the last whole superblock
      __m256 tail[R];
      float offsets[R];
      for (int m = 0; m < R; ++m) tail[m] = _mm256_setzero_ps(), offsets[m] = 0.f;
      TailBlocks<TYPE>::template run<R>(row, act, 8 * whole, nb, tail, offsets);
      for (int m = 0; m < R; ++m) {
        const __m128 h = _mm_add_ps(_mm256_castps256_ps128(tail[m]), _mm256_extractf128_ps(tail[m], 1));
        out[m] += _mm_cvtss_f32(_mm_hadd_ps(_mm_hadd_ps(h, h), _mm_hadd_ps(h, h))) + offsets[m];
      }
    }
  }
}

template <int TYPE>
inline void dot(const uint8_t* row, const ActRow* act, int64_t rows, int64_t nb, int64_t superblocks, float* out) {
  switch (rows) {
    case 1: row_dot<TYPE, 1>(row, act, nb, superblocks, out); break;
    case 2: row_dot<TYPE, 2>(row, act, nb, superblocks, out); break;
    case 3: row_dot<TYPE, 3>(row, act, nb, superblocks, out); break;
    case 4: row_dot<TYPE, 4>(row, act, nb, superblocks, out); break;
    case 5: row_dot<TYPE, 5>(row, act, nb, superblocks, out); break;
    case 6: row_dot<TYPE, 6>(row, act, nb, superblocks, out); break;
    case 7: row_dot<TYPE, 7>(row, act, nb, superblocks, out); break;
    default: row_dot<TYPE, 8>(row, act, nb, superblocks, out); break;
  }
}

}  // namespace avx512

#define OCTET_FAST_ROW(TYPE)                                                                                       \
  template <>                                                                                                      \
  struct FastRow<TYPE> {                                                                                           \
    static constexpr bool available = true;                                                                        \
    static void dot(const uint8_t* row, const ActRow* act, int64_t rows, int64_t nb, int64_t superblocks,         \
                    float* out) {                                                                                  \
      avx512::dot<TYPE>(row, act, rows, nb, superblocks, out);                                                     \
    }                                                                                                              \
  };

OCTET_FAST_ROW(Q4_0)
OCTET_FAST_ROW(Q4_1)
OCTET_FAST_ROW(Q5_0)
OCTET_FAST_ROW(Q5_1)
OCTET_FAST_ROW(Q8_0)
OCTET_FAST_ROW(Q2_K)
OCTET_FAST_ROW(Q3_K)
OCTET_FAST_ROW(Q4_K)
OCTET_FAST_ROW(Q5_K)
OCTET_FAST_ROW(Q6_K)

#undef OCTET_FAST_ROW
#undef OCTET_INLINE

}  // namespace octet
