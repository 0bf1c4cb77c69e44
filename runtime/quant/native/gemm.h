// A prompt's matrix products on the file's blocks with integer arithmetic (the avx512 and avx2 libraries;
// the others leave prompts to torch's bf16 product on dequantized tiles):
//
//   out [M, N] = x [M, K] W^T,    x quantized to int8 per block of 32 as for decode (activations.h), or per
//                                 superblock of 256 for the K-quants (superblock_activations)
//
// The rows are taken PANEL at a time (16 for AVX-512, 8 for AVX2: one row per lane). A panel is decoded
// once into this thread's buffer (in L2: PANEL rows of K codes plus a scale and offset per row and group),
// laid out so that one vector holds 4 consecutive codes of each of its rows (transposes of the decoded
// superblocks). Then every TOKENS tokens pass over it: per group of G weights (32 where the type has one
// scale per 32, else 16), integer dot products of the rows' codes against the token's activations
// broadcast 4 at a time (vpdpbusd; AVX2: vpmaddubsw, vpmaddwd), scaled once by the weights' scales times
// the activations' d, plus the offsets times d * sum (symmetric types: the sum starts at -c * sum(q)).
// Each vector of codes serves TOKENS tokens; nothing is written back to memory but the results. The K-quants
// scale by the token's d once a superblock instead (superblock_panel_pass); on AVX-512, Q3_K and Q2_K fold their
// group scales into the codes (folded(), FoldedPanel).
// gemm_avx512.h and gemm_avx2.h hold each instruction set's panels: pack_panel and pass.
#pragma once
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "attention.h"  // exp_nonpositive
#include "blocks.h"
#include "dot.h"
#include "parallel.h"

#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define OCTET_GEMM 512
#elif defined(__AVX2__) && defined(__FMA__)
#define OCTET_GEMM 2
#else
#define OCTET_GEMM 0
#endif

#if OCTET_GEMM
namespace octet {
namespace gemm {

#if OCTET_GEMM == 512
constexpr int PANEL = 16;                // rows per panel: one per lane of a float vector
constexpr int TOKENS = 8;                // tokens per pass over a packed panel
constexpr bool PLACE_VALUES = true;      // Q3_K's codes as the fused decoders leave them (see bias_of_group)
#else
constexpr int PANEL = 8;
constexpr int TOKENS = 4;                // 16 registers: 4 accumulators, 4 integer sums, 2 code vectors
constexpr bool PLACE_VALUES = false;     // blocks.h's plain codes
#endif

// The types this library's product reads: every quantized one.
inline bool supports(int type) { return type_size(type).weights >= 32; }

// Types whose panels keep signed codes: on AVX2, Q8_0, whose pass multiplies |code| by the activations given each
// code's sign (vpsignb), as llama.cpp's AVX2 dot products do (gemm_avx2.h: group_products): vpmaddubsw takes unsigned bytes
// on one side, and Q8_0's codes stored + 128 (up to 255, as AVX-512 keeps them) would saturate its int16 pairs.
template <int TYPE>
constexpr bool signed_codes() {
  return OCTET_GEMM == 2 && TYPE == Q8_0;
}

// The weights per scale: 32 for the types with one scale per block of 32 (both of its groups of 16 share it).
template <int TYPE>
constexpr int group_width() {
  return TYPE == Q2_K || TYPE == Q3_K || TYPE == Q6_K ? 16 : 32;
}

// One group of G weights of the panel's rows.
template <int G>
struct alignas(64) PanelGroup {
  uint8_t code[G / 4][4 * PANEL];  // code[j][4 r + i]: row r's code 4 j + i of the group, unsigned (signed_codes: int8)
  float scale[PANEL], offset[PANEL];
};

// c where a type's weights are scale (code - c), the codes as pack_panel stores them (Q8_0's + 128 on AVX-512,
// signed on AVX2: c = 0), for group g (of 16) of a superblock; 0 for the types with a real offset (a min: Q4_1,
// Q5_1, Q2_K, Q4_K, Q5_K). From the AVX-512 fused decoders, Q3_K's codes of groups 2 and 3 of every 4 keep their
// place value (x 4): c = 16 there.
template <int TYPE>
constexpr int bias_of_group(int g) {
  return TYPE == Q4_0 ? 8 : TYPE == Q5_0 ? 16 : TYPE == Q8_0 ? (signed_codes<Q8_0>() ? 0 : 128) : TYPE == Q6_K ? 32
       : TYPE == Q3_K ? (PLACE_VALUES && g % 4 >= 2 ? 16 : 4) : 0;
}

// Symmetric types start each group's integer dot product at -c * (sum of the token's q) instead of
// adding offset * d * sum in floating point: one FMA less per group and token (where the integer
// products, the multiplies and the FMAs share two pipes, as on Zen 4, that is 9-14% of a group's work).
template <int TYPE>
constexpr bool symmetric() {
  return bias_of_group<TYPE>(0) != 0 || signed_codes<TYPE>();  // signed codes: no offset, the sum starts at 0
}

// The K-quants' prompt products read activations quantized per superblock of 256 (one scale, as llama.cpp's Q8_K):
// on AVX-512 Q3_K and Q2_K fold their scales into their panels (AVX2: Q2_K; folded(), below); the others' passes scale each
// group's integer product by the weights' scale alone and a superblock's sum by the token's d once
// (superblock_panel_pass): one multiply less a group and token, of the three or four floating-point operations
// that share the vector pipes with the group's integer products (AVX-512, Q6_K's products 233-247 -> 269-274
// GMAC/s on two cores).
constexpr bool superblock_activations(int type) {
  return OCTET_GEMM != 0 && (type == Q2_K || type == Q3_K || type == Q4_K || type == Q5_K || type == Q6_K);
}
template <int TYPE>
constexpr bool superblock_activations() {
  return superblock_activations(TYPE);
}

// The activations of up to TOKENS tokens for one group, side by side: a pass over a panel then reads one
// stream, and each broadcast comes from memory (no pointer per token held in registers).
template <int G>
struct alignas(64) ActGroup {
  int8_t q[TOKENS][G];
  float d[TOKENS];       // the scale of the token's block of 32 (or superblock: superblock_activations)
  float dsum[TOKENS];    // d * (sum of q); for superblock_activations the sum of q alone
  int32_t bias[TOKENS];  // symmetric types: -c * (sum of q)
};

typedef int32_t __attribute__((may_alias)) four_bytes;

// `count` tokens (<= TOKENS) of quantized activations into `out` (groups entries of G weights of TYPE): per
// block of 32 (q, d, dsum), or for superblock_activations per superblock (q256, d256).
template <int TYPE, int G>
void interleave(const ActRow* rows, int64_t count, int64_t groups, ActGroup<G>* out) {
  constexpr bool SUPERBLOCK = superblock_activations<TYPE>();
  for (int64_t g = 0; g < groups; ++g) {
    ActGroup<G>& a = out[g];
    std::memset(&a, 0, sizeof a);
    const int c = bias_of_group<TYPE>((int)(g * (G / GROUP) % GROUPS));  // the same for both halves of a 32
    for (int64_t t = 0; t < count; ++t) {
      std::memcpy(a.q[t], (SUPERBLOCK ? rows[t].q256 : rows[t].q) + G * g, G);
      int32_t sum = 0;
      for (int i = 0; i < G; ++i) sum += a.q[t][i];
      if (SUPERBLOCK) {
        a.d[t] = rows[t].d256[g / (QK_K / G)];
        a.dsum[t] = (float)sum;
      } else {
        a.d[t] = rows[t].d[g * (G / GROUP)];  // one d per 32 activations
        for (int h = 0; h < G / GROUP; ++h) a.dsum[t] += rows[t].dsum[g * (G / GROUP) + h];
      }
      a.bias[t] = -c * sum;
    }
  }
}

// Types whose panels hold their group scales folded into the codes (AVX-512: Q3_K, whose 3-bit codes times its
// 6-bit scales fit a byte once offset by fold_bias, and Q2_K, 2-bit codes times 4-bit scales; AVX2: Q2_K, whose
// folded codes up to 45 keep vpmaddubsw's int16 pairs from saturating, where Q3_K's up to 255 would not): a superblock is
// then 64 integer products a token and one scaling, where groups of 16 take 4 products and one scaling (two
// with a min), with the activations quantized per superblock of 256 (one scale, as llama.cpp's Q8_K) instead
// of per 32. Q2_K's mins meet the activations' sums per group of 16 in 8 more integer products (int16 pairs).
template <int TYPE>
constexpr bool folded() {
  return (OCTET_GEMM == 512 && (TYPE == Q3_K || TYPE == Q2_K)) || (OCTET_GEMM == 2 && TYPE == Q2_K);
}
template <int TYPE>
constexpr int fold_bias() {  // added to every folded code (Q3_K's products are signed), taken off per token
  return TYPE == Q3_K ? 127 : 0;
}

// One superblock of a panel's rows, folded: code[j][4 r + i] = row r's folded code 4 j + i; per row d, and for
// Q2_K -dmin and the group mins as int16 pairs (mins[j] lane r: groups 2 j and 2 j + 1).
struct alignas(64) FoldedPanel {
  uint8_t code[QK_K / 4][4 * PANEL];
  float d[PANEL], minus_dmin[PANEL];
  int32_t mins[GROUPS / 2][PANEL];
};

// Up to TOKENS tokens' activations of one superblock (one scale each), side by side.
struct alignas(64) ActSuperblock {
  int8_t q[TOKENS][QK_K];
  int16_t sums[TOKENS][GROUPS];  // q summed per group of 16 (Q2_K's mins)
  float d[TOKENS];
  int32_t bias[TOKENS];  // -fold_bias * (sum of q): the folded codes' offset, taken off
};

// `count` tokens (<= TOKENS) of activations quantized per superblock (ActRow's q256 and d256) into `out`.
template <int TYPE>
void interleave_superblocks(const ActRow* rows, int64_t count, int64_t superblocks, ActSuperblock* out) {
  for (int64_t s = 0; s < superblocks; ++s) {
    ActSuperblock& a = out[s];
    std::memset(&a, 0, sizeof a);
    for (int64_t t = 0; t < count; ++t) {
      std::memcpy(a.q[t], rows[t].q256 + QK_K * s, QK_K);
      a.d[t] = rows[t].d256[s];
      int32_t sum = 0;
      for (int g = 0; g < GROUPS; ++g) {
        int32_t group = 0;
        for (int i = 0; i < GROUP; ++i) group += a.q[t][GROUP * g + i];
        a.sums[t][g] = (int16_t)group;  // |group| <= 16 x 127
        sum += group;
      }
      a.bias[t] = -fold_bias<TYPE>() * sum;
    }
  }
}

}  // namespace gemm
}  // namespace octet

#if OCTET_GEMM == 512
#include "gemm_avx512.h"
#else
#include "gemm_avx2.h"
#endif

namespace octet {
namespace gemm {

// panel_pass<G, SYMMETRIC, tokens> (or superblock_panel_pass: SUPERBLOCK; signed codes: SIGNED) for tokens =
// 1 .. T (gemm_avx512.h, gemm_avx2.h).
template <int G, bool SYMMETRIC, bool SUPERBLOCK, bool SIGNED, int T = TOKENS>
void pass(int tokens, const PanelGroup<G>* panel, const ActGroup<G>* act, int64_t groups, float* out, int64_t N,
          int valid) {
  if constexpr (T > 1)
    if (tokens < T) return pass<G, SYMMETRIC, SUPERBLOCK, SIGNED, T - 1>(tokens, panel, act, groups, out, N, valid);
  if constexpr (SUPERBLOCK) return superblock_panel_pass<G, SYMMETRIC, T>(panel, act, groups, out, N, valid);
#if OCTET_GEMM == 2
  if constexpr (SIGNED) return panel_pass<G, true, T, true>(panel, act, groups, out, N, valid);
#endif
  panel_pass<G, SYMMETRIC, T>(panel, act, groups, out, N, valid);
}

// folded_panel_pass<MINS, tokens> for tokens = 1 .. T.
template <bool MINS, int T = TOKENS>
void folded_pass(int tokens, const FoldedPanel* panel, const ActSuperblock* act, int64_t superblocks, float* out,
                 int64_t N, int valid) {
  if constexpr (T > 1)
    if (tokens < T) return folded_pass<MINS, T - 1>(tokens, panel, act, superblocks, out, N, valid);
  folded_panel_pass<MINS, T>(panel, act, superblocks, out, N, valid);
}

// This thread's panel buffer, grown when needed.
template <typename Panel>
Panel* panel_buffer(int64_t entries) {
  thread_local std::vector<Panel> buffer;
  if ((int64_t)buffer.size() < entries) buffer.resize(entries);
  return buffer.data();
}

// A prompt's products with matrices of TYPE on M tokens: the activations interleaved once (`rows` quantized per
// superblock for superblock_activations types, else per block of 32), then any matrix's panels on them. Folded
// types take FoldedPanel and ActSuperblock entries (one a superblock), the others PanelGroup and ActGroup ones
// (one a group of G weights).
template <int TYPE>
struct PanelProducts {
  static constexpr bool FOLDED = folded<TYPE>();
  static constexpr int G = group_width<TYPE>();
  using Panel = std::conditional_t<FOLDED, FoldedPanel, PanelGroup<G>>;
  using Act = std::conditional_t<FOLDED, ActSuperblock, ActGroup<G>>;
  const int64_t M, N, K, superblocks, entries, blocks;  // entries: a panel's (and a token block's)
  std::vector<Act> act;

  PanelProducts(const ActRow* rows, int64_t M_, int64_t N_, int64_t K_, int threads)
      : M(M_), N(N_), K(K_), superblocks((K_ + QK_K - 1) / QK_K), entries(FOLDED ? superblocks : superblocks * (QK_K / G)),
        blocks((M_ + TOKENS - 1) / TOKENS), act(blocks * entries) {
    parallel_rows(blocks, 1, threads_for(M * K, threads), [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        const int64_t count = std::min<int64_t>(TOKENS, M - b * TOKENS);
        if constexpr (FOLDED) interleave_superblocks<TYPE>(rows + b * TOKENS, count, entries, act.data() + b * entries);
        else interleave<TYPE, G>(rows + b * TOKENS, count, entries, act.data() + b * entries);
      }
    });
  }

  int64_t panels() const { return (N + PANEL - 1) / PANEL; }
  int valid(int64_t p) const { return (int)std::min<int64_t>(PANEL, N - p * PANEL); }

  // Rows p PANEL .. of w (N rows of K weights) . every token: out[t * stride + r], r < valid(p).
  void panel(const uint8_t* w, int64_t p, float* out, int64_t stride) const {
    Panel* buffer = panel_buffer<Panel>(entries);
    if constexpr (FOLDED) pack_folded_panel<TYPE>(w, p * PANEL, N, K, superblocks, buffer);
    else pack_panel<TYPE>(w, p * PANEL, N, K, superblocks, buffer);
    for (int64_t b = 0; b < blocks; ++b) {
      const int tokens = (int)std::min<int64_t>(TOKENS, M - b * TOKENS);
      const Act* a = act.data() + b * entries;
      if constexpr (FOLDED) folded_pass<TYPE == Q2_K>(tokens, buffer, a, entries, out + b * TOKENS * stride, stride, valid(p));
      else pass<G, symmetric<TYPE>(), superblock_activations<TYPE>(), signed_codes<TYPE>()>(
          tokens, buffer, a, entries, out + b * TOKENS * stride, stride, valid(p));
    }
  }
};

// out fp32 [M, N] = the M tokens' quantized activations `rows` . W^T (for superblock_activations types, `rows`
// quantized per superblock).
template <int TYPE>
void matmul(const ActRow* rows, int64_t M, const uint8_t* w, int64_t N, int64_t K, float* out, int threads) {
  const PanelProducts<TYPE> products(rows, M, N, K, threads);
  parallel_rows(products.panels(), 1, threads_for(N * K * M, threads), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) products.panel(w, p, out + p * PANEL, N);
  });
}

// gate[i] := silu(gate[i]) x up[i] for `count` <= PANEL values (gate's in place); the sigmoid from exp(-|g|), which
// cannot overflow: 1 / (1 + e) for g >= 0, e / (1 + e) below.
inline void silu_times(float* gate, const float* up, int count) {
#if OCTET_GEMM == 512
  const __mmask16 live = (__mmask16)((1u << count) - 1);
  const __m512 g = _mm512_maskz_loadu_ps(live, gate), one = _mm512_set1_ps(1.f);
  const __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(g)));
  const __m512 sigmoid = _mm512_div_ps(_mm512_mask_blend_ps(_mm512_cmp_ps_mask(g, _mm512_setzero_ps(), _CMP_LT_OQ), one, e),
                                       _mm512_add_ps(one, e));
  _mm512_mask_storeu_ps(gate, live, _mm512_mul_ps(_mm512_mul_ps(g, sigmoid), _mm512_maskz_loadu_ps(live, up)));
#else
  for (int i = 0; i < count; ++i) {
    const float g = gate[i], e = exp_nonpositive(-std::fabs(g));
    gate[i] = g * (g >= 0.f ? 1.f : e) / (1.f + e) * up[i];
  }
#endif
}

// A SwiGLU's two products in one: out fp32 [M, N] = silu(x W1^T) * (x W3^T), W1 and W3 of TYPE (a Mixtral expert's
// gate and up matrices): the activations interleaved once; each panel of W1 into out, the same rows of W3 into
// this thread's [M, PANEL] scratch, then joined in place.
template <int TYPE>
void gated_matmul(const ActRow* rows, int64_t M, const uint8_t* w1, const uint8_t* w3, int64_t N, int64_t K,
                  float* out, int threads) {
  const PanelProducts<TYPE> products(rows, M, N, K, threads);
  parallel_rows(products.panels(), 1, threads_for(2 * N * K * M, threads), [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> up;
    up.resize(M * PANEL);
    for (int64_t p = begin; p < end; ++p) {
      products.panel(w1, p, out + p * PANEL, N);
      products.panel(w3, p, up.data(), PANEL);
      for (int64_t t = 0; t < M; ++t) silu_times(out + t * N + p * PANEL, up.data() + t * PANEL, products.valid(p));
    }
  });
}

}  // namespace gemm
}  // namespace octet
#endif  // OCTET_GEMM
