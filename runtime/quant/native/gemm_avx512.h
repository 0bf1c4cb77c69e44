// The AVX-512 VNNI panels of gemm.h: 16 rows a panel, 8 tokens a pass, codes from the fused decoders
// (fast_avx512.h) keeping their place values, vpdpbusd.
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

}  // namespace gemm
}  // namespace octet
