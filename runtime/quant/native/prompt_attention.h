// Prompt attention: T query tokens at positions start .. start + T - 1 over one layer's KV cache (bf16, or int8
// with fp32 scales per position), causal, with an optional sliding window: each token sees the positions
// (its own - window, its own]. AVX-512 and AVX2 libraries (the others leave prompts to torch's flash kernel),
// one kernel over Lanes: 16 or 8 fp32 lanes and the few operations it needs.
//
// A work item is one KV head and ITEM_TOKENS query tokens; its rows are the G query heads of each token (row r:
// token r / G, head r % G). It reads the positions its tokens see CHUNK at a time, widened to fp32 once per chunk
// (keys transposed, a vector's worth of positions together; values as rows, times an int8 cache's scales), and
// keeps for each row a running max, sum and weighted values (online softmax, as flash attention), all in fp32.
// Rows go ROWS at a time: their scores two vectors of positions a step (2 ROWS FMAs per dimension, each key
// vector loaded once for the rows), then their weighted values two vectors of columns a step. A Mixtral layer's
// 512-token prompt: 76 GMAC/s on two Zen 4 cores (AVX-512), where torch's flash kernel ran at 30
// (docs/benchmarks.md).
#pragma once
#include "gemm.h"  // OCTET_GEMM; gemm::transpose16, gemm::transpose8

#if OCTET_GEMM
#include <algorithm>
#include <cmath>
#include <vector>

#include "attention.h"  // widen16, exp_nonpositive (AVX-512)

namespace octet {
namespace prompt {

#if OCTET_GEMM == 512
// 16 fp32 lanes (AVX-512).
struct Lanes {
  using F = __m512;
  static constexpr int N = 16;
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F x) { _mm512_storeu_ps(p, x); }
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float x) { return _mm512_set1_ps(x); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  template <typename T>
  static F widen(const T* p) { return widen16(p); }
  static __mmask16 inside(int p, int a, int e) {  // lanes p .. p + 15 within a .. e - 1
    const int from = std::clamp(a - p, 0, 16), to = std::clamp(e - p, 0, 16);
    return (__mmask16)(((1u << to) - 1) & ~((1u << from) - 1));
  }
  static F max_inside(F top, F x, int p, int a, int e) { return _mm512_mask_max_ps(top, inside(p, a, e), top, x); }
  static F exp_inside(F x, int p, int a, int e) { return _mm512_maskz_mov_ps(inside(p, a, e), exp_nonpositive(x)); }
  static float max_of(F x) { return _mm512_reduce_max_ps(x); }
  static float sum_of(F x) { return _mm512_reduce_add_ps(x); }
  static void transpose(F (&r)[N]) {
    __m512i m[N];
    for (int i = 0; i < N; ++i) m[i] = _mm512_castps_si512(r[i]);
    gemm::transpose16(m);
    for (int i = 0; i < N; ++i) r[i] = _mm512_castsi512_ps(m[i]);
  }
};
constexpr int ROWS = 8;  // rows whose scores and values are summed together: 16 accumulators of 32 registers
#else
// 8 fp32 lanes (AVX2 and FMA).
struct Lanes {
  using F = __m256;
  static constexpr int N = 8;
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F x) { _mm256_storeu_ps(p, x); }
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float x) { return _mm256_set1_ps(x); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F widen(const uint16_t* p) {  // 8 bf16 -> fp32: the bits shifted to the top half
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)p)), 16));
  }
  static F widen(const int8_t* p) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*)p))); }
  static F inside(int p, int a, int e) {  // all-ones lanes for p .. p + 7 within a .. e - 1
    const __m256i lane = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(p));
    const __m256i from = _mm256_cmpgt_epi32(_mm256_set1_epi32(a), lane);  // lane < a
    const __m256i below = _mm256_cmpgt_epi32(_mm256_set1_epi32(e), lane);  // lane < e
    return _mm256_castsi256_ps(_mm256_andnot_si256(from, below));
  }
  static F max_inside(F top, F x, int p, int a, int e) { return _mm256_blendv_ps(top, _mm256_max_ps(top, x), inside(p, a, e)); }
  static F exp_inside(F x, int p, int a, int e) {  // exp(x) for x <= 0 (as exp_nonpositive), zero outside
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.f));
    const F n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    F r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    F poly = _mm256_set1_ps(1.9875691500e-4f);
    for (float c : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f})
      poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(c));
    poly = _mm256_fmadd_ps(poly, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    const __m256i two_n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(_mm256_mul_ps(poly, _mm256_castsi256_ps(two_n)), inside(p, a, e));
  }
  static float max_of(F x) {
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_max_ss(h, _mm_shuffle_ps(h, h, 1)));
  }
  static float sum_of(F x) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps(h, h, 1)));
  }
  static void transpose(F (&r)[N]) {
    __m256i m[N];
    for (int i = 0; i < N; ++i) m[i] = _mm256_castps_si256(r[i]);
    gemm::transpose8(m);
    for (int i = 0; i < N; ++i) r[i] = _mm256_castsi256_ps(m[i]);
  }
};
constexpr int ROWS = 4;  // 8 accumulators of 16 registers
#endif
using F = Lanes::F;
constexpr int L = Lanes::N;

constexpr int CHUNK = 256;       // positions widened at a time: keys and values 256 KB at Hd 128, in L2
constexpr int ITEM_TOKENS = 64;  // query tokens per work item: each widens its chunks once for G x 64 rows

// Positions c0 .. c0 + n - 1 of one KV head in fp32: kt[(b Hd + d) L + j] = key L b + j, dimension d (zero past
// n); v[p Hd + d] = value p (rows n .. up to the next L zero).
template <typename T>
void widen_chunk(const T* keys, const T* values, const float* key_scales, const float* value_scales, int64_t c0,
                 int n, int Hd, float* kt, float* v) {
  const int blocks = (n + L - 1) / L;
  F m[L];
  for (int b = 0; b < blocks; ++b)
    for (int c = 0; c < Hd; c += L) {
      for (int j = 0; j < L; ++j) {
        const int p = L * b + j;
        m[j] = Lanes::zero();
        if (p < n) {
          m[j] = Lanes::widen(keys + (c0 + p) * Hd + c);
          if (key_scales) m[j] = Lanes::mul(m[j], Lanes::set1(key_scales[c0 + p]));
        }
      }
      Lanes::transpose(m);
      for (int d = 0; d < L; ++d) Lanes::store(kt + ((int64_t)b * Hd + c + d) * L, m[d]);
    }
  for (int p = 0; p < L * blocks; ++p)
    for (int c = 0; c < Hd; c += L) {
      F x = Lanes::zero();
      if (p < n) {
        x = Lanes::widen(values + (c0 + p) * Hd + c);
        if (value_scales) x = Lanes::mul(x, Lanes::set1(value_scales[c0 + p]));
      }
      Lanes::store(v + (int64_t)p * Hd + c, x);
    }
}

// s[r CHUNK + L (b + i) + j] = q row r . key L (b + i) + j of the chunk, for ROWS rows (q: [ROWS, Hd]), i < BLOCKS.
template <int BLOCKS>
inline void block_scores(const float* q, const float* kt, int Hd, int b, float* s) {
  F acc[ROWS][BLOCKS];
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < BLOCKS; ++i) acc[r][i] = Lanes::zero();
  const float* k = kt + (int64_t)b * Hd * L;
  for (int d = 0; d < Hd; ++d) {
    F x[BLOCKS];
    for (int i = 0; i < BLOCKS; ++i) x[i] = Lanes::load(k + ((int64_t)i * Hd + d) * L);
    for (int r = 0; r < ROWS; ++r) {
      const F qd = Lanes::set1(q[r * Hd + d]);
      for (int i = 0; i < BLOCKS; ++i) acc[r][i] = Lanes::fma(x[i], qd, acc[r][i]);
    }
  }
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < BLOCKS; ++i) Lanes::store(s + r * CHUNK + L * (b + i), acc[r][i]);
}

inline void scores(const float* q, const float* kt, int Hd, int b0, int b1, float* s) {
  int b = b0;
  for (; b + 2 <= b1; b += 2) block_scores<2>(q, kt, Hd, b, s);
  if (b < b1) block_scores<1>(q, kt, Hd, b, s);
}

// One row's scores at positions lo .. hi - 1 of the chunk (multiples of L) -> weights exp(score - max), the
// positions it may not see (outside a .. e - 1) zero; its max m, sum l and weighted values o [Hd] rescaled to
// the new max.
inline void softmax_update(float* s, int lo, int hi, int a, int e, float& m, float& l, float* o, int Hd) {
  F top = Lanes::set1(-INFINITY);
  for (int p = lo; p < hi; p += L) top = Lanes::max_inside(top, Lanes::load(s + p), p, a, e);
  const float new_max = std::max(m, Lanes::max_of(top));
  if (new_max > m) {
    const float rescale = l > 0.f ? std::exp(m - new_max) : 0.f;
    l *= rescale;
    for (int c = 0; c < Hd; c += L) Lanes::store(o + c, Lanes::mul(Lanes::load(o + c), Lanes::set1(rescale)));
    m = new_max;
  }
  F total = Lanes::zero();
  for (int p = lo; p < hi; p += L) {
    const F w = Lanes::exp_inside(Lanes::add(Lanes::load(s + p), Lanes::set1(-m)), p, a, e);
    total = Lanes::add(total, w);
    Lanes::store(s + p, w);
  }
  l += Lanes::sum_of(total);
}

// o[r, c .. c + L NV) += sum over positions p in lo .. hi - 1 of w[r CHUNK + p] v[p, same columns], ROWS rows.
template <int NV>
inline void add_values(const float* w, const float* v, int Hd, int lo, int hi, int c, float* o) {
  F acc[ROWS][NV];
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < NV; ++i) acc[r][i] = Lanes::load(o + r * Hd + c + L * i);
  for (int p = lo; p < hi; ++p) {
    F x[NV];
    for (int i = 0; i < NV; ++i) x[i] = Lanes::load(v + (int64_t)p * Hd + c + L * i);
    for (int r = 0; r < ROWS; ++r) {
      const F weight = Lanes::set1(w[r * CHUNK + p]);
      for (int i = 0; i < NV; ++i) acc[r][i] = Lanes::fma(x[i], weight, acc[r][i]);
    }
  }
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < NV; ++i) Lanes::store(o + r * Hd + c + L * i, acc[r][i]);
}

// One work item's buffers (per thread, reused).
struct Scratch {
  std::vector<float> kt, v, q, o, s, m, l;
  std::vector<int64_t> first, last;  // per row: the first position it sees and its own
};

// Tokens t0 .. t1 - 1 (of T) with KV head k: q [H, T, Hd] (already times Hd^-0.5), keys and values this head's
// [stride, Hd], out [H, T, Hd].
template <typename T>
void attend_item(const float* q, const T* keys, const T* values, const float* key_scales, const float* value_scales,
                 int64_t k, int64_t G, int64_t Hd, int64_t T_, int64_t t0, int64_t t1, int64_t start, int64_t window,
                 float* out, Scratch& x) {
  const int64_t R = (t1 - t0) * G, padded = (R + ROWS - 1) / ROWS * ROWS;
  x.q.assign(padded * Hd, 0.f);
  x.o.assign(padded * Hd, 0.f);
  x.m.assign(padded, -INFINITY);
  x.l.assign(padded, 0.f);
  x.first.assign(padded, 0);
  x.last.assign(padded, -1);  // padding rows see nothing
  for (int64_t r = 0; r < R; ++r) {
    const int64_t t = t0 + r / G, h = k * G + r % G;
    std::copy(q + (h * T_ + t) * Hd, q + (h * T_ + t + 1) * Hd, x.q.begin() + r * Hd);
    x.last[r] = start + t;
    x.first[r] = window > 0 ? std::max<int64_t>(0, start + t - window + 1) : 0;
  }
  x.kt.resize(CHUNK * Hd);
  x.v.resize(CHUNK * Hd);
  x.s.resize(ROWS * CHUNK);
  const int64_t from = x.first[0], to = start + t1;  // the positions any row sees
  for (int64_t c0 = from; c0 < to; c0 += CHUNK) {
    const int n = (int)std::min<int64_t>(CHUNK, to - c0);
    widen_chunk(keys, values, key_scales, value_scales, c0, n, (int)Hd, x.kt.data(), x.v.data());
    for (int64_t r0 = 0; r0 < padded; r0 += ROWS) {
      int a[ROWS], e[ROWS], lo = n, hi = 0;
      for (int r = 0; r < ROWS; ++r) {
        a[r] = (int)std::clamp<int64_t>(x.first[r0 + r] - c0, 0, n);
        e[r] = (int)std::clamp<int64_t>(x.last[r0 + r] + 1 - c0, 0, n);
        if (a[r] < e[r]) lo = std::min(lo, a[r]), hi = std::max(hi, e[r]);
      }
      if (lo >= hi) continue;
      const int b0 = lo / L, b1 = (hi + L - 1) / L;
      float* o = x.o.data() + r0 * Hd;
      scores(x.q.data() + r0 * Hd, x.kt.data(), (int)Hd, b0, b1, x.s.data());
      for (int r = 0; r < ROWS; ++r)
        softmax_update(x.s.data() + r * CHUNK, L * b0, L * b1, a[r], e[r], x.m[r0 + r], x.l[r0 + r], o + r * Hd,
                       (int)Hd);
      int c = 0;
      for (; c + 2 * L <= Hd; c += 2 * L) add_values<2>(x.s.data(), x.v.data(), (int)Hd, L * b0, L * b1, c, o);
      for (; c < Hd; c += L) add_values<1>(x.s.data(), x.v.data(), (int)Hd, L * b0, L * b1, c, o);
    }
  }
  for (int64_t r = 0; r < R; ++r) {
    const int64_t t = t0 + r / G, h = k * G + r % G;
    const F inverse = Lanes::set1(1.f / x.l[r]);
    for (int64_t c = 0; c < Hd; c += L) Lanes::store(out + (h * T_ + t) * Hd + c, Lanes::mul(Lanes::load(x.o.data() + r * Hd + c), inverse));
  }
}

// q [H, T, Hd] fp32 (times Hd^-0.5) at positions start .. start + T - 1, whose keys and values the cache holds
// already; keys, values [K, stride, Hd]; window 0: none. out [H, T, Hd] fp32. Hd % 16 == 0. The items with the
// latest tokens (the most positions) go first.
template <typename T>
void prompt_attention(const float* q, const T* keys, const T* values, const float* key_scales,
                      const float* value_scales, int64_t H, int64_t K, int64_t Hd, int64_t stride, int64_t T_,
                      int64_t start, int64_t window, float* out, int threads) {
  const int64_t G = H / K, blocks = (T_ + ITEM_TOKENS - 1) / ITEM_TOKENS;
  const int64_t macs = H * T_ * (start + T_) * Hd;
  parallel_rows(K * blocks, 1, threads_for(macs, threads), [&](int64_t begin, int64_t end) {
    thread_local Scratch scratch;
    for (int64_t item = begin; item < end; ++item) {
      const int64_t k = item % K, block = blocks - 1 - item / K;
      const int64_t t0 = block * ITEM_TOKENS, t1 = std::min(T_, t0 + ITEM_TOKENS);
      attend_item(q, keys + k * stride * Hd, values + k * stride * Hd, key_scales ? key_scales + k * stride : nullptr,
                  value_scales ? value_scales + k * stride : nullptr, k, G, Hd, T_, t0, t1, start, window, out,
                  scratch);
    }
  });
}

}  // namespace prompt
}  // namespace octet
#endif  // OCTET_GEMM
