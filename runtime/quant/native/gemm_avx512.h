// The AVX-512 VNNI panels of gemm.h: 16 rows a panel, 8 tokens a pass, codes from the fused decoders
// (fast_avx512.h) keeping their place values, vpdpbusd. Q3_K's panels hold its group scales folded into the
// codes (FoldedPanel, below).
#pragma once
#include <immintrin.h>

#include <cstring>

#include "fast.h"

namespace octet {
namespace gemm {

// Superblock s of a row into u: the fused decoder (fast_avx512.h) for whole superblocks, blocks.h for the
// partial one at the end of a row of 32-weight blocks. Codes may keep their place value (Q4_K's high
// nibbles are 16 x their code; those blocks' scales carry the 1/16), except Q4_0's and Q4_1's, whose two
// halves of a block must share one scale here: their high nibbles are moved down. Q8_0's come back signed.
template <int TYPE>
inline void decode(const uint8_t* row, int64_t s, int64_t nb, int64_t whole, Unpacked& u) {
  if (s >= whole) {
    unpack<TYPE>(row, s, nb, u);
    return;
  }
  avx512::Superblock w;
  avx512::Decode<TYPE>::decode(row + s * avx512::Decode<TYPE>::BYTES, w);
  constexpr bool NIBBLES_IN_PLACE = TYPE == Q4_0 || TYPE == Q4_1;
  for (int v = 0; v < 4; ++v) {
    __m512i code = w.code[v];
    if (TYPE == Q8_0) code = _mm512_mask_sub_epi8(code, w.negative[v], _mm512_setzero_si512(), code);
    if (NIBBLES_IN_PLACE)  // each byte holds its code in one nibble, the other zero: (code | code >> 4) & 15
      code = _mm512_and_si512(_mm512_or_si512(code, _mm512_srli_epi16(code, 4)), _mm512_set1_epi8(15));
    _mm512_store_si512(u.code + 64 * v, code);
  }
  if (NIBBLES_IN_PLACE) w.scale = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12, 12, 14, 14), w.scale);
  _mm512_store_ps(u.scale, w.scale);
  _mm512_store_ps(u.offset, w.offset);
}

// r[i] lane j <-> r[j] lane i (32-bit lanes).
inline void transpose16(__m512i (&r)[16]) {
  __m512i t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int h = 0; h < 16; h += 8)
    for (int i = 0; i < 4; ++i) {
      t[h + i] = _mm512_shuffle_i32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_i32x4(r[h + i], r[h + i + 4], 0xDD);
    }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0xDD);
  }
}

// Rows n0 .. n0 + 15 (those below N; the others are zeros) into `panel` (superblocks * 256 / G groups).
template <int TYPE>
void pack_panel(const uint8_t* w, int64_t n0, int64_t N, int64_t K, int64_t superblocks,
                PanelGroup<group_width<TYPE>()>* panel) {
  constexpr int G = group_width<TYPE>(), STEPS = G / 4;
  const int64_t nb = K / type_size(TYPE).weights, stride = row_bytes(TYPE, K);
  const int64_t whole = type_size(TYPE).weights == QK_K ? nb : nb / 8;
  alignas(64) Unpacked u[PANEL];
  for (int64_t s = 0; s < superblocks; ++s) {
    for (int r = 0; r < PANEL; ++r) {
      if (n0 + r < N) decode<TYPE>(w + (n0 + r) * stride, s, nb, whole, u[r]);
      else std::memset(&u[r], 0, sizeof u[r]);
    }
    PanelGroup<G>* p = panel + s * (QK_K / G);
    __m512i m[16];
    for (int v = 0; v < 4; ++v) {  // codes 64 v .. 64 v + 63 of the 16 rows: dword k is code[k % STEPS] of a group
      for (int r = 0; r < PANEL; ++r) {
        m[r] = _mm512_load_si512(u[r].code + 64 * v);
        if (TYPE == Q8_0) m[r] = _mm512_xor_si512(m[r], _mm512_set1_epi8((char)0x80));
      }
      transpose16(m);
      for (int k = 0; k < 16; ++k) _mm512_store_si512(p[(16 * v + k) / STEPS].code[(16 * v + k) % STEPS], m[k]);
    }
    __m512i scale[16], offset[16];
    for (int r = 0; r < PANEL; ++r) {
      scale[r] = _mm512_castps_si512(_mm512_load_ps(u[r].scale));
      offset[r] = _mm512_castps_si512(_mm512_load_ps(u[r].offset));
    }
    transpose16(scale);
    transpose16(offset);
    for (int g = 0; g < QK_K / G; ++g) {  // a group of 32 takes its first group of 16's (the same) values
      const __m512 sc = _mm512_castsi512_ps(scale[g * (G / GROUP)]);
      _mm512_store_ps(p[g].scale, sc);
      _mm512_store_ps(p[g].offset, TYPE == Q8_0 ? _mm512_mul_ps(_mm512_set1_ps(-128.f), sc)
                                                : _mm512_castsi512_ps(offset[g * (G / GROUP)]));
    }
  }
}

// out[t * N + r] = row n0 + r . token t, for T tokens and the panel's `valid` rows.
template <int G, bool SYMMETRIC, int T>
inline void panel_pass(const PanelGroup<G>* panel, const ActGroup<G>* act, int64_t groups, float* out, int64_t N,
                       int valid) {
  constexpr int STEPS = G / 4;
  __m512 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t g = 0; g < groups; ++g) {
    const PanelGroup<G>& p = panel[g];
    const ActGroup<G>& a = act[g];
    __m512i w[STEPS];
    for (int j = 0; j < STEPS; ++j) w[j] = _mm512_load_si512(p.code[j]);
    const __m512 scale = _mm512_load_ps(p.scale), offset = _mm512_load_ps(p.offset);
    __m512i dot[T];  // step by step across the tokens: T independent chains of vpdpbusd in flight
    for (int t = 0; t < T; ++t)
      dot[t] = _mm512_dpbusd_epi32(SYMMETRIC ? _mm512_set1_epi32(a.bias[t]) : _mm512_setzero_si512(), w[0],
                                   _mm512_set1_epi32(((const four_bytes*)a.q[t])[0]));
    for (int j = 1; j < STEPS; ++j)
      for (int t = 0; t < T; ++t)
        dot[t] = _mm512_dpbusd_epi32(dot[t], w[j], _mm512_set1_epi32(((const four_bytes*)a.q[t])[j]));
    for (int t = 0; t < T; ++t) {
      const __m512 factor = _mm512_mul_ps(scale, _mm512_set1_ps(a.d[t]));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[t]), factor, acc[t]);
      if (!SYMMETRIC) acc[t] = _mm512_fmadd_ps(offset, _mm512_set1_ps(a.dsum[t]), acc[t]);
    }
  }
  const __mmask16 rows = (__mmask16)((1u << valid) - 1);
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(out + t * N, rows, acc[t]);
}

// panel_pass for activations quantized per superblock (gemm.h: superblock_activations): each group's integer
// product scaled by the weights' scale alone (plus offset x the token's sum of q), a superblock's sum by the
// token's d once.
template <int G, bool SYMMETRIC, int T>
inline void superblock_panel_pass(const PanelGroup<G>* panel, const ActGroup<G>* act, int64_t groups, float* out,
                                  int64_t N, int valid) {
  constexpr int STEPS = G / 4, PER_SUPERBLOCK = QK_K / G;
  __m512 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t g0 = 0; g0 < groups; g0 += PER_SUPERBLOCK) {
    __m512 superblock[T];
    for (int t = 0; t < T; ++t) superblock[t] = _mm512_setzero_ps();
    for (int64_t g = g0; g < g0 + PER_SUPERBLOCK; ++g) {
      const PanelGroup<G>& p = panel[g];
      const ActGroup<G>& a = act[g];
      __m512i dot[T];
      for (int t = 0; t < T; ++t) dot[t] = SYMMETRIC ? _mm512_set1_epi32(a.bias[t]) : _mm512_setzero_si512();
      for (int j = 0; j < STEPS; ++j) {
        const __m512i w = _mm512_load_si512(p.code[j]);
        for (int t = 0; t < T; ++t)
          dot[t] = _mm512_dpbusd_epi32(dot[t], w, _mm512_set1_epi32(((const four_bytes*)a.q[t])[j]));
      }
      const __m512 scale = _mm512_load_ps(p.scale), offset = _mm512_load_ps(p.offset);
      for (int t = 0; t < T; ++t) {
        superblock[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[t]), scale, superblock[t]);
        if (!SYMMETRIC) superblock[t] = _mm512_fmadd_ps(offset, _mm512_set1_ps(a.dsum[t]), superblock[t]);
      }
    }
    for (int t = 0; t < T; ++t) acc[t] = _mm512_fmadd_ps(superblock[t], _mm512_set1_ps(act[g0].d[t]), acc[t]);
  }
  const __mmask16 rows = (__mmask16)((1u << valid) - 1);
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(out + t * N, rows, acc[t]);
}

// ---- Q3_K and Q2_K, their scales folded into their codes (gemm.h: folded) ----

// The folded codes of vector v of a superblock (groups 4 v .. 4 v + 3, one per 128-bit lane) as one table per lane,
// for vpshufb with the codes as indices: byte c of lane L is (c - c0) x scale[4 v + L] + bias, c = 0 .. 7 (each
// entry worked out once a superblock instead of a multiply for every code). scales16: the 16 groups' scales as int16.
inline __m512i fold_table(__m256i scales16, int v, int c0, int bias) {
  const __m512i entry = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13,
                                         12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);  // 8 codes of 4 groups
  const __m512i group = _mm512_add_epi16(_mm512_srli_epi16(entry, 3), _mm512_set1_epi16((short)(4 * v)));
  const __m512i code = _mm512_sub_epi16(_mm512_and_si512(entry, _mm512_set1_epi16(7)), _mm512_set1_epi16((short)c0));
  const __m512i scale = _mm512_permutexvar_epi16(group, _mm512_castsi256_si512(scales16));
  const __m512i values = _mm512_add_epi16(_mm512_mullo_epi16(code, scale), _mm512_set1_epi16((short)bias));
  const __m256i packed = _mm512_cvtepi16_epi8(values);  // group k's 8 entries in bytes 8 k .. 8 k + 7
  return _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 0, 1, 1, 2, 2, 3, 3), _mm512_castsi256_si512(packed));
}

// Superblock b of a row, folded, in natural order. Q3_K: code[i] = (c_i - 4) sc_g + 127, in 3..255 (the
// extremes 3 x -32 and -4 x -32); Q2_K: c_i sc_g, in 0..45, its mins (int16 pairs) into mins[8], its -dmin.
template <int TYPE>
inline void decode_folded(const uint8_t* b, uint8_t* code, float* d, float* minus_dmin, int32_t* mins) {
  avx512::Superblock w;
  avx512::Decode<TYPE>::decode(b, w);  // codes, some kept at a place value (x 4, 16, 64: shifted back here)
  if constexpr (TYPE == Q3_K) {
    const __m256i scales = _mm256_cvtepi8_epi16(avx512::Decode<Q3_K>::scales(b));
    for (int v = 0; v < 4; ++v) {  // each vector's last 32 codes are x 4
      const __m512i c = _mm512_and_si512(_mm512_srlv_epi64(w.code[v], avx512::halves(0, 2)), avx512::bytes(7));
      _mm512_store_si512(code + 64 * v, _mm512_shuffle_epi8(fold_table(scales, v, 4, fold_bias<Q3_K>()), c));
    }
    *d = load_half(b + 108);
    *minus_dmin = 0.f;
    std::memset(mins, 0, 4 * GROUPS / 2);
  } else {  // Q2_K: scales[16] (low nibble scale, high nibble min), qs[64], d, dmin
    const __m128i packed = _mm_loadu_si128((const __m128i*)b);
    const __m256i scales = _mm256_cvtepu8_epi16(_mm_and_si128(packed, _mm_set1_epi8(15)));
    for (int v = 0; v < 4; ++v) {  // even vectors: x 1 and x 4; odd ones x 16 and x 64
      const __m512i place = v % 2 ? avx512::halves(4, 6) : avx512::halves(0, 2);
      const __m512i c = _mm512_and_si512(_mm512_srlv_epi64(w.code[v], place), avx512::bytes(3));
      _mm512_store_si512(code + 64 * v, _mm512_shuffle_epi8(fold_table(scales, v, 0, 0), c));
    }
    *d = load_half(b + 80);
    *minus_dmin = -load_half(b + 82);
    const __m128i minimums = _mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(15));
    _mm256_storeu_si256((__m256i*)mins, _mm256_cvtepu8_epi16(minimums));
  }
}

// Rows n0 .. n0 + 15 (those below N; the others zero) of a folded type's matrix into `panel` (one entry a
// superblock).
template <int TYPE>
void pack_folded_panel(const uint8_t* w, int64_t n0, int64_t N, int64_t K, int64_t superblocks, FoldedPanel* panel) {
  const int64_t stride = row_bytes(TYPE, K), bytes = type_size(TYPE).bytes;
  alignas(64) uint8_t code[PANEL][QK_K];
  alignas(64) int32_t mins[PANEL][16];  // 8 pairs, then zeros: transposed as 16 x 16
  std::memset(mins, 0, sizeof mins);
  for (int64_t s = 0; s < superblocks; ++s) {
    FoldedPanel& p = panel[s];
    for (int r = 0; r < PANEL; ++r) {
      if (n0 + r < N) {
        decode_folded<TYPE>(w + (n0 + r) * stride + s * bytes, code[r], &p.d[r], &p.minus_dmin[r], mins[r]);
      } else {
        std::memset(code[r], 0, QK_K);
        std::memset(mins[r], 0, 4 * GROUPS / 2);
        p.d[r] = p.minus_dmin[r] = 0.f;
      }
    }
    __m512i m[16];
    for (int v = 0; v < 4; ++v) {  // as pack_panel: dword k of vector v is codes 64 v + 4 k .. + 3 of each row
      for (int r = 0; r < PANEL; ++r) m[r] = _mm512_load_si512(code[r] + 64 * v);
      transpose16(m);
      for (int k = 0; k < 16; ++k) _mm512_store_si512(p.code[16 * v + k], m[k]);
    }
    if constexpr (TYPE == Q2_K) {
      for (int r = 0; r < PANEL; ++r) m[r] = _mm512_load_si512(mins[r]);
      transpose16(m);
      for (int j = 0; j < GROUPS / 2; ++j) _mm512_store_si512(p.mins[j], m[j]);
    }
  }
}

// out[t * N + r] = row n0 + r . token t for T tokens and the panel's `valid` rows: per superblock 64
// vpdpbusd a token from -bias on, one conversion and one FMA by d (weights) x d (token); MINS (Q2_K): the
// mins . the token's group sums in 8 vpdpwssd, one more conversion and FMA by -dmin x d (token).
template <bool MINS, int T>
inline void folded_panel_pass(const FoldedPanel* panel, const ActSuperblock* act, int64_t superblocks, float* out,
                              int64_t N, int valid) {
  __m512 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t s = 0; s < superblocks; ++s) {
    const FoldedPanel& p = panel[s];
    const ActSuperblock& a = act[s];
    __m512i dot[T];
    for (int t = 0; t < T; ++t) dot[t] = _mm512_set1_epi32(a.bias[t]);
#pragma GCC unroll 1
    for (int j0 = 0; j0 < QK_K / 4; j0 += 8) {  // 8 code vectors a step, unrolled (else GCC copies dot[] around)
#pragma GCC unroll 8
      for (int j = j0; j < j0 + 8; ++j) {
        const __m512i w = _mm512_load_si512(p.code[j]);
        for (int t = 0; t < T; ++t)
          dot[t] = _mm512_dpbusd_epi32(dot[t], w, _mm512_set1_epi32(((const four_bytes*)a.q[t])[j]));
      }
    }
    const __m512 d = _mm512_load_ps(p.d);
    for (int t = 0; t < T; ++t)
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[t]), _mm512_mul_ps(d, _mm512_set1_ps(a.d[t])), acc[t]);
    if constexpr (MINS) {
      const __m512 minus_dmin = _mm512_load_ps(p.minus_dmin);
      __m512i mins[GROUPS / 2];
      for (int j = 0; j < GROUPS / 2; ++j) mins[j] = _mm512_load_si512(p.mins[j]);
      for (int t = 0; t < T; ++t) {
        __m512i m = _mm512_setzero_si512();
        for (int j = 0; j < GROUPS / 2; ++j)
          m = _mm512_dpwssd_epi32(m, mins[j], _mm512_set1_epi32(((const four_bytes*)a.sums[t])[j]));
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(m), _mm512_mul_ps(minus_dmin, _mm512_set1_ps(a.d[t])), acc[t]);
      }
    }
  }
  const __mmask16 rows = (__mmask16)((1u << valid) - 1);
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(out + t * N, rows, acc[t]);
}

}  // namespace gemm
}  // namespace octet
