// The AVX2 panels of gemm.h: 8 rows a panel, 4 tokens a pass, blocks.h's plain codes (0..63), and per 4
// codes of a row vpmaddubsw against the token's 4 activations (two such int16 pairs added: 2 x 2 x 63 x 127
// stays within int16) then vpmaddwd by ones into int32. Q8_0's codes stay signed (gemm.h: signed_codes):
// vpmaddubsw of |code| against the activations given each code's sign, each pair widened on its own. Q2_K's
// panels fold its group scales into the codes (gemm.h: folded): a superblock is one integer sum a token.
#pragma once
#include <immintrin.h>

#include <cstring>

namespace octet {
namespace gemm {

// r[i] lane j <-> r[j] lane i (32-bit lanes).
inline void transpose8(__m256i (&r)[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
  }
}

// Group scales d x scale[g] and offsets -c x those (Q3_K's c 4, Q6_K's 32) of 16 int8 scales, as blocks.h's unpack.
inline void store_symmetric_scales(__m128i scales, float d, float c, Unpacked& u) {
  const __m256 low = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(scales)), _mm256_set1_ps(d));
  const __m256 high = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(scales, 8))), _mm256_set1_ps(d));
  _mm256_store_ps(u.scale, low);
  _mm256_store_ps(u.scale + 8, high);
  _mm256_store_ps(u.offset, _mm256_mul_ps(_mm256_set1_ps(-c), low));
  _mm256_store_ps(u.offset + 8, _mm256_mul_ps(_mm256_set1_ps(-c), high));
}

// Superblock s of a row into u, as blocks.h's unpack writes it: the K-quants' codes from fast_avx2.h's fused decoders
// in registers, their scales and offsets the same products (the same bits), where unpack's plain loops took 11% of a
// Q5_K_M prompt on this path; the 32-weight types through unpack.
template <int TYPE>
inline void decode(const uint8_t* row, int64_t s, int64_t nb, Unpacked& u) {
  const auto store_codes = [&](auto c, __m256i codes, __m256i) {
    _mm256_store_si256((__m256i*)(u.code + 32 * c), codes);
  };
  if constexpr (TYPE == Q6_K) {
    const uint8_t* b = row + s * avx2::Q6K::BYTES;
    const avx2::Q6K f(b);
    f.blocks(store_codes);
    store_symmetric_scales(_mm_loadu_si128((const __m128i*)(b + 192)), f.scale, 32.f, u);
  } else if constexpr (TYPE == Q3_K) {
    const uint8_t* b = row + s * avx2::Q3K::BYTES;
    const avx2::Q3K f(b);
    f.blocks(store_codes);
    store_symmetric_scales(avx2::Q3K::unpack_scales(b + 96), f.scale, 4.f, u);
  } else if constexpr (TYPE == Q4_K || TYPE == Q5_K) {
    using Format = avx2::Q45K<TYPE == Q5_K>;
    const Format f(row + s * Format::BYTES);
    f.blocks(store_codes);
    const __m256i scale_of_block = _mm256_and_si256(_mm256_load_si256((const __m256i*)f.scale_pairs),
                                                    _mm256_set1_epi32(0xFFFF));
    const __m256 scales = _mm256_mul_ps(_mm256_cvtepi32_ps(scale_of_block), f.d());
    const __m256 negative = _mm256_set1_ps(-0.f);
    _mm256_store_ps(u.scale, _mm256_permutevar8x32_ps(scales, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3)));
    _mm256_store_ps(u.scale + 8, _mm256_permutevar8x32_ps(scales, _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7)));
    _mm256_store_ps(u.offset, _mm256_xor_ps(f.mins.low, negative));
    _mm256_store_ps(u.offset + 8, _mm256_xor_ps(f.mins.high, negative));
  } else {
    unpack<TYPE>(row, s, nb, u);
  }
}

// Rows n0 .. n0 + 7 (those below N; the others are zeros) into `panel` (superblocks * 256 / G groups).
template <int TYPE>
void pack_panel(const uint8_t* w, int64_t n0, int64_t N, int64_t K, int64_t superblocks,
                PanelGroup<group_width<TYPE>()>* panel) {
  constexpr int G = group_width<TYPE>(), STEPS = G / 4;
  const int64_t nb = K / type_size(TYPE).weights, stride = row_bytes(TYPE, K);
  alignas(64) Unpacked u[PANEL];
  for (int64_t s = 0; s < superblocks; ++s) {
    for (int r = 0; r < PANEL; ++r) {
      if (n0 + r < N) decode<TYPE>(w + (n0 + r) * stride, s, nb, u[r]);
      else std::memset(&u[r], 0, sizeof u[r]);
    }
    PanelGroup<G>* p = panel + s * (QK_K / G);
    __m256i m[8];
    for (int v = 0; v < 8; ++v) {  // codes 32 v .. 32 v + 31 of the 8 rows: dword k is code[k % STEPS] of a group
      for (int r = 0; r < PANEL; ++r) m[r] = _mm256_load_si256((const __m256i*)(u[r].code + 32 * v));
      transpose8(m);
      for (int k = 0; k < 8; ++k)
        _mm256_store_si256((__m256i*)p[(8 * v + k) / STEPS].code[(8 * v + k) % STEPS], m[k]);
    }
    for (int g = 0; g < QK_K / G; ++g)  // a group of 32 takes its first group of 16's (the same) values
      for (int r = 0; r < PANEL; ++r) {
        p[g].scale[r] = u[r].scale[g * (G / GROUP)];
        p[g].offset[r] = u[r].offset[g * (G / GROUP)];
      }
  }
}

// dot[t] += a panel's codes 0 .. 4 steps - 1 (code[j]: dword r holds row r's codes 4 j .. 4 j + 3) . token t's
// activations a.q[t] at the same positions: two vpmaddubsw a step added in int16 (2 x 2 x 63 x 127, or Q2_K's
// folded 2 x 2 x 45 x 127, stays within it), then widened by vpmaddwd.
template <int T, class Codes, class Activations>
inline void add_pair_products(const Codes& code, const Activations& a, int steps, __m256i (&dot)[T]) {
  const __m256i ones = _mm256_set1_epi16(1);
  for (int j = 0; j < steps; j += 2) {
    const __m256i w0 = _mm256_load_si256((const __m256i*)code[j]);
    const __m256i w1 = _mm256_load_si256((const __m256i*)code[j + 1]);
    for (int t = 0; t < T; ++t) {
      const four_bytes* q = (const four_bytes*)a.q[t];
      const __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(w0, _mm256_set1_epi32(q[j])),
                                             _mm256_maddubs_epi16(w1, _mm256_set1_epi32(q[j + 1])));
      dot[t] = _mm256_add_epi32(dot[t], _mm256_madd_epi16(pairs, ones));
    }
  }
}

// The integer products of one group for T tokens: dot[t] = codes . the token's q (from -c * sum(q): SYMMETRIC).
// SIGNED codes (gemm.h: signed_codes): |code| (up to 128) times the token's activations given the code's sign
// (vpsignb), as llama.cpp's AVX2 Q8_0 dot product; a pair of such products (up to 2 x 128 x 127) fills an int16,
// so each is widened by vpmaddwd before the next is added.
template <int G, bool SYMMETRIC, bool SIGNED, int T>
inline void group_products(const PanelGroup<G>& p, const ActGroup<G>& a, __m256i (&dot)[T]) {
  const __m256i ones = _mm256_set1_epi16(1);
  for (int t = 0; t < T; ++t) dot[t] = SYMMETRIC ? _mm256_set1_epi32(a.bias[t]) : _mm256_setzero_si256();
  if constexpr (SIGNED) {
    for (int j = 0; j < G / 4; ++j) {
      const __m256i w = _mm256_load_si256((const __m256i*)p.code[j]);
      const __m256i magnitude = _mm256_abs_epi8(w);
      for (int t = 0; t < T; ++t) {
        const __m256i x = _mm256_sign_epi8(_mm256_set1_epi32(((const four_bytes*)a.q[t])[j]), w);
        dot[t] = _mm256_add_epi32(dot[t], _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, x), ones));
      }
    }
    return;
  }
  add_pair_products<T>(p.code, a, G / 4, dot);
}

// out[t * N + r] = acc[t] lane r for the panel's `valid` rows.
template <int T>
inline void store_rows(const __m256 (&acc)[T], float* out, int64_t N, int valid) {
  const __m256i rows = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int t = 0; t < T; ++t) _mm256_maskstore_ps(out + t * N, rows, acc[t]);
}

// out[t * N + r] = row n0 + r . token t, for T tokens and the panel's `valid` rows.
template <int G, bool SYMMETRIC, int T, bool SIGNED = false>
inline void panel_pass(const PanelGroup<G>* panel, const ActGroup<G>* act, int64_t groups, float* out, int64_t N,
                       int valid) {
  __m256 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t g = 0; g < groups; ++g) {
    const PanelGroup<G>& p = panel[g];
    const ActGroup<G>& a = act[g];
    __m256i dot[T];
    group_products<G, SYMMETRIC, SIGNED, T>(p, a, dot);
    const __m256 scale = _mm256_load_ps(p.scale);
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[t]), _mm256_mul_ps(scale, _mm256_set1_ps(a.d[t])), acc[t]);
      if (!SYMMETRIC) acc[t] = _mm256_fmadd_ps(_mm256_load_ps(p.offset), _mm256_set1_ps(a.dsum[t]), acc[t]);
    }
  }
  store_rows(acc, out, N, valid);
}

// panel_pass for activations quantized per superblock (gemm.h: superblock_activations): each group's integer
// products scaled by the weights' scale alone (plus offset x the token's sum of q), a superblock's sum by the
// token's d once, into accumulators kept in memory (16 registers hold the group's and the superblock's sums).
template <int G, bool SYMMETRIC, int T>
inline void superblock_panel_pass(const PanelGroup<G>* panel, const ActGroup<G>* act, int64_t groups, float* out,
                                  int64_t N, int valid) {
  alignas(32) float acc[T][PANEL] = {};
  for (int64_t g0 = 0; g0 < groups; g0 += QK_K / G) {
    __m256 superblock[T];
    for (int t = 0; t < T; ++t) superblock[t] = _mm256_setzero_ps();
    for (int64_t g = g0; g < g0 + QK_K / G; ++g) {
      __m256i dot[T];
      group_products<G, SYMMETRIC, false, T>(panel[g], act[g], dot);
      for (int t = 0; t < T; ++t) {
        superblock[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[t]), _mm256_load_ps(panel[g].scale), superblock[t]);
        if (!SYMMETRIC)
          superblock[t] = _mm256_fmadd_ps(_mm256_load_ps(panel[g].offset), _mm256_set1_ps(act[g].dsum[t]), superblock[t]);
      }
    }
    for (int t = 0; t < T; ++t)
      _mm256_store_ps(acc[t], _mm256_fmadd_ps(superblock[t], _mm256_set1_ps(act[g0].d[t]), _mm256_load_ps(acc[t])));
  }
  __m256 sums[T];
  for (int t = 0; t < T; ++t) sums[t] = _mm256_load_ps(acc[t]);
  store_rows(sums, out, N, valid);
}

// ---- Q2_K, its scales folded into its codes (gemm.h: folded) ----

// Superblock b of a Q2_K row, folded, in natural order: code[i] = c_i x sc_g (0 .. 45), d, -dmin, and the 16
// group mins as 8 int16 pairs (one row of FoldedPanel::mins). Q2_K: scales[16] (low nibble scale, high nibble
// min), qs[64] (weight 128 h + 32 j + l is bits 2 j of qs[32 h + l]), d, dmin.
inline void decode_folded_q2_k(const uint8_t* b, uint8_t* code, float* d, float* minus_dmin, __m256i* mins) {
  const __m128i packed = _mm_loadu_si128((const __m128i*)b);
  const __m256i scales = _mm256_broadcastsi128_si256(_mm_and_si128(packed, _mm_set1_epi8(15)));
  // vector v holds groups 2 v (low lane) and 2 v + 1 (high lane): each lane's scale in every int16
  const __m256i pick = _mm256_setr_epi8(0, -128, 0, -128, 0, -128, 0, -128, 0, -128, 0, -128, 0, -128, 0, -128,
                                        1, -128, 1, -128, 1, -128, 1, -128, 1, -128, 1, -128, 1, -128, 1, -128);
  for (int h = 0; h < 2; ++h) {
    const __m256i q = _mm256_loadu_si256((const __m256i*)(b + 16 + 32 * h));
    for (int j = 0; j < 4; ++j) {
      const int v = 4 * h + j;
      const __m256i c = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), _mm256_set1_epi8(3));
      const __m256i scale = _mm256_shuffle_epi8(scales, _mm256_add_epi8(pick, _mm256_set1_epi8((char)(2 * v))));
      // both bytes of an int16 belong to one group: c x sc (<= 45) stays in its byte
      _mm256_store_si256((__m256i*)(code + 32 * v), _mm256_mullo_epi16(c, scale));
    }
  }
  *d = load_half(b + 80);
  *minus_dmin = -load_half(b + 82);
  *mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(15)));
}

// Rows n0 .. n0 + 7 (those below N; the others zero) of a Q2_K matrix into `panel` (one entry a superblock).
template <int TYPE>
void pack_folded_panel(const uint8_t* w, int64_t n0, int64_t N, int64_t K, int64_t superblocks, FoldedPanel* panel) {
  static_assert(TYPE == Q2_K, "AVX2 folds Q2_K only: Q3_K's folded codes would saturate vpmaddubsw's int16 pairs");
  const int64_t stride = row_bytes(TYPE, K), bytes = type_size(TYPE).bytes;
  alignas(32) uint8_t code[PANEL][QK_K];
  __m256i m[8], mins[PANEL];
  for (int64_t s = 0; s < superblocks; ++s) {
    FoldedPanel& p = panel[s];
    for (int r = 0; r < PANEL; ++r) {
      if (n0 + r < N) {
        decode_folded_q2_k(w + (n0 + r) * stride + s * bytes, code[r], &p.d[r], &p.minus_dmin[r], &mins[r]);
      } else {
        std::memset(code[r], 0, QK_K);
        mins[r] = _mm256_setzero_si256();
        p.d[r] = p.minus_dmin[r] = 0.f;
      }
    }
    for (int v = 0; v < 8; ++v) {  // as pack_panel: dword k of vector v is codes 32 v + 4 k .. + 3 of each row
      for (int r = 0; r < PANEL; ++r) m[r] = _mm256_load_si256((const __m256i*)(code[r] + 32 * v));
      transpose8(m);
      for (int k = 0; k < 8; ++k) _mm256_store_si256((__m256i*)p.code[8 * v + k], m[k]);
    }
    transpose8(mins);
    for (int j = 0; j < GROUPS / 2; ++j) _mm256_store_si256((__m256i*)p.mins[j], mins[j]);
  }
}

// out[t * N + r] = row n0 + r . token t for T tokens and the panel's `valid` rows: per superblock 64 vpmaddubsw a
// token (pairs of them added: 2 x 2 x 45 x 127 stays within int16) widened by vpmaddwd, one conversion and one FMA
// by d (weights) x d (token); MINS: the mins . the token's group sums in 8 vpmaddwd, one more conversion and FMA.
template <bool MINS, int T>
inline void folded_panel_pass(const FoldedPanel* panel, const ActSuperblock* act, int64_t superblocks, float* out,
                              int64_t N, int valid) {
  __m256 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t s = 0; s < superblocks; ++s) {
    const FoldedPanel& p = panel[s];
    const ActSuperblock& a = act[s];
    __m256i dot[T];
    for (int t = 0; t < T; ++t) dot[t] = _mm256_set1_epi32(a.bias[t]);
    add_pair_products<T>(p.code, a, QK_K / 4, dot);
    const __m256 d = _mm256_load_ps(p.d);
    for (int t = 0; t < T; ++t)
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[t]), _mm256_mul_ps(d, _mm256_set1_ps(a.d[t])), acc[t]);
    if constexpr (MINS) {
      const __m256 minus_dmin = _mm256_load_ps(p.minus_dmin);
      for (int t = 0; t < T; ++t) {
        const four_bytes* sums = (const four_bytes*)a.sums[t];
        __m256i m = _mm256_setzero_si256();
        for (int j = 0; j < GROUPS / 2; ++j)
          m = _mm256_add_epi32(m, _mm256_madd_epi16(_mm256_load_si256((const __m256i*)p.mins[j]),
                                                    _mm256_set1_epi32(sums[j])));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(m), _mm256_mul_ps(minus_dmin, _mm256_set1_ps(a.d[t])), acc[t]);
      }
    }
  }
  store_rows(acc, out, N, valid);
}

}  // namespace gemm
}  // namespace octet
