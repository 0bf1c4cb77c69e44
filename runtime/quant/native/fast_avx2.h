// AVX2 fused row kernels (see fast.h): FastRow<TYPE> specializations for every GGUF block type.
//
// A row is read block by block straight into registers, 32 codes (one block of activations) at a time,
// and every token of the pass (up to 4; more tokens take more passes over the row, by then in L1) reuses
// them: vpmaddubsw (codes <= 63 against int8 activations never saturate; Q8_0 moves its sign onto the
// activations), vpmaddwd by the group's integer scale (or by ones), one conversion to fp32 per block of 32
// and an fma by that block's activation scale d (times the weights' fp16 scale where there is one per
// block). Offsets (mins, Q6_K's -32, Q4_0's -8, ...) come from the activations' d * sum(q) per group, as
// in dot.h; horizontal sums only at the end of the row. One token alone gets several independent fma
// chains: one chain would wait on the fma latency.
#pragma once
#include <immintrin.h>

#include <cstring>
#include <type_traits>
#include <utility>

#include "fast.h"

// One function per (type, tokens per pass), with everything it calls inlined (flatten): inlined into one
// another they would share registers and spill; left to the inliner, a superblock's code becomes a call
// and the accumulators go through memory (Q4_0: 3x slower). GCC and Clang.
#define OCTET_ROW_KERNEL __attribute__((noinline, flatten))

namespace octet {
namespace avx2 {

constexpr int PASS = 4;  // tokens per pass over a row

inline float hsum(__m256 v) {
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 p = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(p, _mm_shuffle_ps(p, p, 1)));
}

inline __m256i load32(const void* p) { return _mm256_loadu_si256((const __m256i*)p); }

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// Two fp16 at p -> fp32 in lanes 0 and 1.
inline __m128 two_halves(const uint8_t* p) { return _mm_cvtph_ps(_mm_cvtsi32_si128((int)load_u32(p))); }

// 32 codes (uint8 <= 63) . 32 int8 activations at q, pairs weighted by the int16 `scale` -> 8 int32 as fp32.
inline __m256 scaled_dot(__m256i codes, const int8_t* q, __m256i scale) {
  return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(codes, load32(q)), scale));
}

// Bit FROM of each byte of v moved to bit TO, every other bit cleared (16-bit shifts: what crosses into
// the next byte lands outside TO).
template <int FROM, int TO>
inline __m256i move_bit(__m256i v) {
  const __m256i bit = _mm256_set1_epi8((char)(1 << TO));
  if constexpr (FROM < TO) return _mm256_and_si256(_mm256_slli_epi16(v, TO - FROM), bit);
  else if constexpr (FROM > TO) return _mm256_and_si256(_mm256_srli_epi16(v, FROM - TO), bit);
  else return _mm256_and_si256(v, bit);
}

// Bits FROM and FROM + 1 of each byte of v (a 2-bit field) as a byte 0..3.
template <int FROM>
inline __m256i two_bits(__m256i v) {
  const __m256i mask = _mm256_set1_epi8(3);
  return FROM ? _mm256_and_si256(_mm256_srli_epi16(v, FROM), mask) : _mm256_and_si256(v, mask);
}

template <typename F, int... I>
inline void unrolled(const F& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>()), ...);
}

template <int N, typename F>
inline void unrolled(const F& f) {  // f(std::integral_constant<int, i>()) for i = 0 .. N - 1, in order
  unrolled(f, std::make_integer_sequence<int, N>());
}

// Makes the compiler read `values` back from memory rather than rebuild each element in registers from the
// vector it stored there: a broadcast from memory costs no ALU operation, a shuffle does.
template <typename T>
inline void reload(T& values) {
  asm("" : "+m"(values));
}

// The hardware prefetchers stop at 4 KiB pages: ask for the bytes AHEAD of the BYTES at p (past the row's
// end, the next row's: rows lie one after the other). Measured here: 10-20% faster from memory.
constexpr int AHEAD = 2048;

template <int BYTES>
inline void prefetch(const uint8_t* p) {
  for (int i = 0; i < BYTES; i += 64) _mm_prefetch((const char*)p + AHEAD + i, _MM_HINT_T0);
}

// Two fp16 at p as fp32 into dd[0] and dd[1], read back by broadcasts from memory; returns dd[1] in every lane.
inline __m256 store_two_halves(const uint8_t* p, float (&dd)[4]) {
  _mm_store_ps(dd, two_halves(p));
  reload(dd);
  return _mm256_broadcast_ss(dd + 1);
}

// Runs Kernel<R>::run(row, act, nb, superblocks, out) over `rows` tokens, PASS at a time.
template <template <int> class Kernel>
inline void in_passes(const uint8_t* row, const ActRow* act, int64_t rows, int64_t nb, int64_t superblocks,
                      float* out) {
  for (int64_t m = 0; m < rows; m += PASS) {
    switch (rows - m < PASS ? rows - m : PASS) {
      case 1: Kernel<1>::run(row, act + m, nb, superblocks, out + m); break;
      case 2: Kernel<2>::run(row, act + m, nb, superblocks, out + m); break;
      case 3: Kernel<3>::run(row, act + m, nb, superblocks, out + m); break;
      default: Kernel<4>::run(row, act + m, nb, superblocks, out + m); break;
    }
  }
}

// ======== K-quants: a superblock of 256 weights, 8 blocks of 32 with integer scales and one fp16 d ========
//
// Each format reads one superblock: d() (what the integer-scaled dots are multiplied by), add_offsets
// (acc += offset[g] * dsum[g] over the 16 groups; the offsets are <= 0) and blocks(f): f(c, codes, scale)
// for the blocks c = 0..7 (a std::integral_constant), scale the int16 factor per lane of vpmaddwd.

// 16 int8 group scales -> int16 with the even groups in the low 128 bits and the odd ones in the high
// 128 bits, so that pick_scale(c) gives [scale 2c x 8 | scale 2c + 1 x 8]: block c's two groups.
inline __m256i group_scales(__m128i bytes) {
  return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(bytes, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)));
}

template <int C>
inline __m256i pick_scale(__m256i scales) {
  return _mm256_shuffle_epi8(scales, _mm256_set1_epi16((short)(0x0202 * C + 0x0100)));
}

// acc -= value[g] * factor * dsum[g]: the offsets, int8 values per group of 16.
struct OffsetsPerGroup {
  __m256 low, high;  // groups 0..7, 8..15
  OffsetsPerGroup(__m128i int8_values, __m256 factor)
      : low(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(int8_values)), factor)),
        high(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(int8_values, 8))), factor)) {}
  __m256 add_to(__m256 acc, const float* dsum) const {
    return _mm256_fnmadd_ps(high, _mm256_loadu_ps(dsum + 8), _mm256_fnmadd_ps(low, _mm256_loadu_ps(dsum), acc));
  }
};

// The same with uint8 values per block of 32, each serving two groups.
struct OffsetsPerBlock {
  __m256 low, high;  // each value twice: groups 0..7, 8..15
  OffsetsPerBlock(__m128i uint8_values, __m256 factor) {
    const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(uint8_values)), factor);
    low = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
    high = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7));
  }
  __m256 add_to(__m256 acc, const float* dsum) const {
    return _mm256_fnmadd_ps(high, _mm256_loadu_ps(dsum + 8), _mm256_fnmadd_ps(low, _mm256_loadu_ps(dsum), acc));
  }
};

// Q4_K d, dmin, scales[12], qs[128]; Q5_K the same with qh[32] before qs. Block 2k / 2k + 1: the low /
// high nibbles of qs[32k .. 32k + 32); Q5_K's 5th bit: bit 2k / 2k + 1 of qh[i]. Weight d sc code - dmin m.
template <bool FIVE>
struct Q45K {
  static constexpr int BYTES = FIVE ? 176 : 144;
  const uint8_t* b;
  alignas(32) int32_t scale_pairs[8];  // the 6-bit scale of each block, in both int16 halves
  alignas(16) float dd[4];             // d, dmin
  OffsetsPerBlock mins;

  // 12 bytes of 6-bit scales and mins (16 read) -> scales in bytes 0..7, mins in bytes 8..15 (scale_min_k4):
  // scale j < 4: s[j] & 63, j >= 4: s[j + 4] & 15 | s[j - 4] >> 6 << 4; min j < 4: s[j + 4] & 63,
  // j >= 4: s[j + 4] >> 4 | s[j] >> 6 << 4.
  static __m128i scales_mins(const uint8_t* s) {
    const __m128i v = _mm_loadu_si128((const __m128i*)s);
    const __m128i x = _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
    const __m128i top = _mm_shuffle_epi8(v, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 4, 5, 6, 7));
    const __m128i low = _mm_or_si128(
        _mm_and_si128(x, _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 0, 0, 0, 0)),
        _mm_and_si128(_mm_srli_epi16(x, 4), _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15)));
    return _mm_or_si128(low, _mm_and_si128(_mm_srli_epi16(top, 2), _mm_set1_epi8(0x30)));
  }

  explicit Q45K(const uint8_t* block) : Q45K(block, scales_mins(block + 4)) {}
  Q45K(const uint8_t* block, __m128i sm) : b(block), mins(_mm_srli_si128(sm, 8), store_two_halves(block, dd)) {
    const __m256i scales = _mm256_cvtepu8_epi32(sm);
    _mm256_store_si256((__m256i*)scale_pairs, _mm256_or_si256(scales, _mm256_slli_epi32(scales, 16)));
    reload(scale_pairs);
  }
  __m256 d() const { return _mm256_broadcast_ss(dd); }
  __m256 add_offsets(__m256 acc, const float* dsum) const { return mins.add_to(acc, dsum); }

  template <typename F>
  void blocks(const F& f) const {
    const __m256i nibble = _mm256_set1_epi8(15);
    const __m256i qh = FIVE ? load32(b + 16) : _mm256_setzero_si256();
    unrolled<4>([&](auto k) {
      const __m256i bytes = load32(b + BYTES - 128 + 32 * k);
      __m256i low = _mm256_and_si256(bytes, nibble), high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble);
      if constexpr (FIVE) {
        low = _mm256_or_si256(low, move_bit<2 * k, 4>(qh));
        high = _mm256_or_si256(high, move_bit<2 * k + 1, 4>(qh));
      }
      f(std::integral_constant<int, 2 * k>(), low, _mm256_set1_epi32(scale_pairs[2 * k]));
      f(std::integral_constant<int, 2 * k + 1>(), high, _mm256_set1_epi32(scale_pairs[2 * k + 1]));
    });
  }
};

// Q6_K ql[128], qh[64], scales[16] int8, d. Per 128 weights (half h): ql[64h + i] low nibbles for blocks
// 4h and 4h + 1, high nibbles for 4h + 2 and 4h + 3; qh[32h + i] bits 2j, 2j + 1: bits 4, 5 of block 4h + j.
// Weight d sc (code - 32).
struct Q6K {
  static constexpr int BYTES = 210;
  const uint8_t* b;
  float scale;
  __m256i scales;
  OffsetsPerGroup offsets;

  explicit Q6K(const uint8_t* block) : Q6K(block, load_half(block + 208), _mm_loadu_si128((const __m128i*)(block + 192))) {}
  Q6K(const uint8_t* block, float d, __m128i bytes)
      : b(block), scale(d), scales(group_scales(bytes)), offsets(bytes, _mm256_set1_ps(32.f * d)) {}
  __m256 d() const { return _mm256_set1_ps(scale); }
  __m256 add_offsets(__m256 acc, const float* dsum) const { return offsets.add_to(acc, dsum); }

  template <typename F>
  void blocks(const F& f) const {
    const __m256i nibble = _mm256_set1_epi8(15), bits45 = _mm256_set1_epi8(0x30);
    unrolled<2>([&](auto h) {
      const __m256i l0 = load32(b + 64 * h), l1 = load32(b + 64 * h + 32), high = load32(b + 128 + 32 * h);
      const __m256i lows[4] = {_mm256_and_si256(l0, nibble), _mm256_and_si256(l1, nibble),
                               _mm256_and_si256(_mm256_srli_epi16(l0, 4), nibble),
                               _mm256_and_si256(_mm256_srli_epi16(l1, 4), nibble)};
      const __m256i highs[4] = {_mm256_and_si256(_mm256_slli_epi16(high, 4), bits45),
                                _mm256_and_si256(_mm256_slli_epi16(high, 2), bits45), _mm256_and_si256(high, bits45),
                                _mm256_and_si256(_mm256_srli_epi16(high, 2), bits45)};
      unrolled<4>([&](auto j) {
        constexpr int c = 4 * h + j;
        f(std::integral_constant<int, c>(), _mm256_or_si256(lows[j], highs[j]), pick_scale<c>(scales));
      });
    });
  }
};

// Q2_K scales[16] (low nibble scale, high nibble min), qs[64], d, dmin. Block 4h + j: bits 2j, 2j + 1 of
// qs[32h + i]. Weight d sc code - dmin m.
struct Q2K {
  static constexpr int BYTES = 84;
  const uint8_t* b;
  alignas(16) float dd[4];  // d, dmin
  __m256i scales;
  OffsetsPerGroup mins;

  explicit Q2K(const uint8_t* block) : Q2K(block, _mm_loadu_si128((const __m128i*)block)) {}
  Q2K(const uint8_t* block, __m128i packed)
      : b(block),
        scales(group_scales(_mm_and_si128(packed, _mm_set1_epi8(15)))),
        mins(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(15)), store_two_halves(block + 80, dd)) {}
  __m256 d() const { return _mm256_broadcast_ss(dd); }
  __m256 add_offsets(__m256 acc, const float* dsum) const { return mins.add_to(acc, dsum); }

  template <typename F>
  void blocks(const F& f) const {
    unrolled<2>([&](auto h) {
      const __m256i q = load32(b + 16 + 32 * h);
      unrolled<4>([&](auto j) {
        constexpr int c = 4 * h + j;
        f(std::integral_constant<int, c>(), two_bits<2 * j>(q), pick_scale<c>(scales));
      });
    });
  }
};

// Q3_K hmask[32], qs[64], scales[12] (16 6-bit scales biased by 32), d. Block 4h + j: bits 2j, 2j + 1 of
// qs[32h + i], and bit 4h + j of hmask[i] as the third. Weight d (sc - 32) (code - 4).
struct Q3K {
  static constexpr int BYTES = 110;
  const uint8_t* b;
  float scale;
  __m256i scales;
  OffsetsPerGroup offsets;

  // 12 bytes -> the 16 scales, unbiased int8: low 4 bits in nibbles of bytes 0..7 (groups 0..7 low,
  // 8..15 high), top 2 bits of group 4t + r at bits 2t, 2t + 1 of byte 8 + r.
  static __m128i unpack_scales(const uint8_t* p) {
    const __m128i low = _mm_loadl_epi64((const __m128i*)p), nibble = _mm_set1_epi8(15);
    const __m128i low4 = _mm_unpacklo_epi64(_mm_and_si128(low, nibble), _mm_and_si128(_mm_srli_epi16(low, 4), nibble));
    const __m128i h = _mm_set1_epi32((int)load_u32(p + 8));
    const __m128i high2 = _mm_and_si128(_mm_srlv_epi32(h, _mm_setr_epi32(0, 2, 4, 6)), _mm_set1_epi8(3));
    return _mm_sub_epi8(_mm_or_si128(low4, _mm_slli_epi16(high2, 4)), _mm_set1_epi8(32));
  }

  explicit Q3K(const uint8_t* block) : Q3K(block, load_half(block + 108), unpack_scales(block + 96)) {}
  Q3K(const uint8_t* block, float d, __m128i bytes)
      : b(block), scale(d), scales(group_scales(bytes)), offsets(bytes, _mm256_set1_ps(4.f * d)) {}
  __m256 d() const { return _mm256_set1_ps(scale); }
  __m256 add_offsets(__m256 acc, const float* dsum) const { return offsets.add_to(acc, dsum); }

  template <typename F>
  void blocks(const F& f) const {
    const __m256i hmask = load32(b);
    unrolled<2>([&](auto h) {
      const __m256i q = load32(b + 32 + 32 * h);
      unrolled<4>([&](auto j) {
        constexpr int c = 4 * h + j;
        f(std::integral_constant<int, c>(), _mm256_or_si256(two_bits<2 * j>(q), move_bit<c, 2>(hmask)),
          pick_scale<c>(scales));
      });
    });
  }
};

// A K-quant row against activations with one scale per superblock (ActRow's q256, d256, dsum256: the AVX2
// library quantizes them so, as llama.cpp's Q8_K): each block's integer-scaled dot product is summed as
// int32 across the superblock (at most 8 x 2 x 2 x 63 x 127 x 127 < 2^31), then one conversion and one fma
// by d * d256. Per-block activation scales cost a conversion, a broadcast and an fma per block: 10-15% of
// a Q4_K row on one core (measured).
template <typename Format>
struct KQuant {
  template <int R>
  struct Rows {
    OCTET_ROW_KERNEL static void run(const uint8_t* row, const ActRow* act, int64_t, int64_t superblocks, float* out) {
      __m256 acc[R];
      for (int m = 0; m < R; ++m) acc[m] = _mm256_setzero_ps();
      for (int64_t s = 0; s < superblocks; ++s) {
        prefetch<Format::BYTES>(row + s * Format::BYTES);
        const Format f(row + s * Format::BYTES);
        __m256i sum[R];
        for (int m = 0; m < R; ++m) {
          acc[m] = f.add_offsets(acc[m], act[m].dsum256 + s * GROUPS);
          sum[m] = _mm256_setzero_si256();
        }
        f.blocks([&](auto c, __m256i codes, __m256i scale) {
          for (int m = 0; m < R; ++m)
            sum[m] = _mm256_add_epi32(
                sum[m], _mm256_madd_epi16(_mm256_maddubs_epi16(codes, load32(act[m].q256 + s * QK_K + 32 * c)), scale));
        });
        const __m256 d = f.d();
        for (int m = 0; m < R; ++m)
          acc[m] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[m]), _mm256_mul_ps(d, _mm256_broadcast_ss(act[m].d256 + s)),
                                   acc[m]);
      }
      for (int m = 0; m < R; ++m) out[m] = hsum(acc[m]);
    }
  };
};

// ======== 32-weight types: 8 blocks (one superblock of activations) at a time, the last maybe fewer ========

// Q4_0 d qs[16]; Q4_1 d m qs[16]; Q5_0 d qh[4] qs[16]; Q5_1 d m qh[4] qs[16]: low nibbles weights 0..15,
// high nibbles 16..31, bit i of qh weight i's 5th bit. Q8_0 d qs[32] int8. Weight d code + offset.
template <int TYPE>
struct Block32 {
  static constexpr int BYTES = TYPE == Q4_0 ? 18 : TYPE == Q4_1 ? 20 : TYPE == Q5_0 ? 22 : TYPE == Q5_1 ? 24 : 34;
  static constexpr bool MIN = TYPE == Q4_1 || TYPE == Q5_1;                         // offset: the block's m
  static constexpr float BIAS = TYPE == Q4_0 ? -8.f : TYPE == Q5_0 ? -16.f : 0.f;  // offset: BIAS d
  static constexpr bool FIVE = TYPE == Q5_0 || TYPE == Q5_1;
  static constexpr int CODES = 2 + (MIN ? 2 : 0) + (FIVE ? 4 : 0);  // where qs starts

  static __m256i codes(const uint8_t* b) {
    if constexpr (TYPE == Q8_0) {
      return load32(b + 2);
    } else {  // both halves from one 16-byte load, the high one shifted down a nibble
      const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)(b + CODES)));
      __m256i c = _mm256_and_si256(_mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(15));
      if constexpr (FIVE) {  // bit i of qh -> 0x10 in byte i
        const __m256i spread = _mm256_shuffle_epi8(
            _mm256_set1_epi32((int)load_u32(b + CODES - 4)),
            _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
        c = _mm256_or_si256(c, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(16)));
      }
      return c;
    }
  }
};

// The fp16 at `at` of each of `count` blocks (0 past count) -> fp32.
template <int BYTES>
inline __m256 block_halves(const uint8_t* p, int count, int at) {
  if (count == 8) {  // one 32-bit load and seven 16-bit inserts straight from memory
    __m128i h = _mm_cvtsi32_si128((int)load_u32(p + at));
    h = _mm_insert_epi16(h, load_u16(p + 1 * BYTES + at), 1);
    h = _mm_insert_epi16(h, load_u16(p + 2 * BYTES + at), 2);
    h = _mm_insert_epi16(h, load_u16(p + 3 * BYTES + at), 3);
    h = _mm_insert_epi16(h, load_u16(p + 4 * BYTES + at), 4);
    h = _mm_insert_epi16(h, load_u16(p + 5 * BYTES + at), 5);
    h = _mm_insert_epi16(h, load_u16(p + 6 * BYTES + at), 6);
    h = _mm_insert_epi16(h, load_u16(p + 7 * BYTES + at), 7);
    return _mm256_cvtph_ps(h);
  }
  uint16_t h[8];
  for (int j = 0; j < 8; ++j) h[j] = j < count ? load_u16(p + j * BYTES + at) : 0;
  return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)h));
}

template <int TYPE>
struct Blocks32 {
  template <int R>
  struct Rows {
    using B = Block32<TYPE>;
    static constexpr int CHAINS = R <= 3 ? 2 : 1;  // fma chains per token

    OCTET_ROW_KERNEL static void run(const uint8_t* row, const ActRow* act, int64_t nb, int64_t, float* out) {
      __m256 acc[R][CHAINS];
      for (int m = 0; m < R; ++m)
        for (int i = 0; i < CHAINS; ++i) acc[m][i] = _mm256_setzero_ps();
      const int64_t full = nb / 8;
      for (int64_t s = 0; s < full; ++s) {
        prefetch<8 * B::BYTES>(row + s * 8 * B::BYTES);
        superblock<true>(row + s * 8 * B::BYTES, act, s, 8, acc);
      }
      if (nb % 8) superblock<false>(row + full * 8 * B::BYTES, act, full, (int)(nb % 8), acc);
      for (int m = 0; m < R; ++m) {
        __m256 sum = acc[m][0];
        for (int i = 1; i < CHAINS; ++i) sum = _mm256_add_ps(sum, acc[m][i]);
        out[m] = hsum(sum);
      }
    }

    // Blocks 8 s .. 8 s + count of the row (count == 8 where FULL).
    template <bool FULL>
    static inline void superblock(const uint8_t* b, const ActRow* act, int64_t s, int count, __m256 (&acc)[R][CHAINS]) {
      if (FULL) count = 8;
      const __m256 dw = block_halves<B::BYTES>(b, count, 0);
      alignas(32) float factor[R][8];  // weight d * activation d per block, read back one at a time
      for (int m = 0; m < R; ++m) {
        // the activations' d and d * sum per block, 8 at once (ActRow's d32, dsum32: per group of 16 they took a
        // shuffle and a horizontal add a superblock, 3-8% of a Q4_0 row)
        _mm256_store_ps(factor[m], _mm256_mul_ps(dw, _mm256_loadu_ps(act[m].d32 + s * 8)));
        const __m256 dsum = _mm256_loadu_ps(act[m].dsum32 + s * 8);
        if constexpr (B::MIN)
          acc[m][CHAINS - 1] = _mm256_fmadd_ps(block_halves<B::BYTES>(b, count, 2), dsum, acc[m][CHAINS - 1]);
        else if constexpr (TYPE != Q8_0)
          acc[m][CHAINS - 1] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(B::BIAS)), dsum, acc[m][CHAINS - 1]);
      }
      const __m256i ones = _mm256_set1_epi16(1);
      const auto block = [&](auto j) {
        const __m256i w = B::codes(b + j * B::BYTES);
        const __m256i u = TYPE == Q8_0 ? _mm256_abs_epi8(w) : w;
        for (int m = 0; m < R; ++m) {
          __m256i q = load32(act[m].q + s * QK_K + 32 * j);
          if constexpr (TYPE == Q8_0) q = _mm256_sign_epi8(q, w);
          const __m256 dot = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(u, q), ones));
          __m256& chain = acc[m][j % CHAINS];
          chain = _mm256_fmadd_ps(dot, _mm256_broadcast_ss(&factor[m][j]), chain);
        }
      };
      unrolled<8>([&](auto j) {  // constant indices: acc stays in registers
        if (FULL || j < count) block(j);
      });
    }
  };
};

}  // namespace avx2

#define OCTET_AVX2_ROW(TYPE, KERNEL)                                                                    \
  template <>                                                                                            \
  struct FastRow<TYPE> {                                                                                 \
    static constexpr bool available = true;                                                              \
    static void dot(const uint8_t* row, const ActRow* act, int64_t rows, int64_t nb, int64_t superblocks, \
                    float* out) {                                                                        \
      avx2::in_passes<KERNEL>(row, act, rows, nb, superblocks, out);                                      \
    }                                                                                                    \
  };
OCTET_AVX2_ROW(Q4_K, avx2::KQuant<avx2::Q45K<false>>::Rows)
OCTET_AVX2_ROW(Q5_K, avx2::KQuant<avx2::Q45K<true>>::Rows)
OCTET_AVX2_ROW(Q6_K, avx2::KQuant<avx2::Q6K>::Rows)
OCTET_AVX2_ROW(Q3_K, avx2::KQuant<avx2::Q3K>::Rows)
OCTET_AVX2_ROW(Q2_K, avx2::KQuant<avx2::Q2K>::Rows)
OCTET_AVX2_ROW(Q8_0, avx2::Blocks32<Q8_0>::Rows)
OCTET_AVX2_ROW(Q4_0, avx2::Blocks32<Q4_0>::Rows)
OCTET_AVX2_ROW(Q4_1, avx2::Blocks32<Q4_1>::Rows)
OCTET_AVX2_ROW(Q5_0, avx2::Blocks32<Q5_0>::Rows)
OCTET_AVX2_ROW(Q5_1, avx2::Blocks32<Q5_1>::Rows)
#undef OCTET_AVX2_ROW
#undef OCTET_ROW_KERNEL

}  // namespace octet
