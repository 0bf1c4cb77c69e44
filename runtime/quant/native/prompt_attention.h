// Prompt attention: T query tokens at positions start .. start + T - 1 over one layer's KV cache (bf16, or int8
// with fp32 scales per position), causal, with an optional sliding window: each token sees the positions
// (its own - window, its own]. AVX-512 libraries only; the others leave prompts to torch's flash kernel.
//
// A work item is one KV head and ITEM_TOKENS query tokens; its rows are the G query heads of each token (row r:
// token r / G, head r % G). It reads the positions its tokens see CHUNK at a time, widened to fp32 once per chunk
// (keys transposed, 16 positions a vector; values as rows, times an int8 cache's scales), and keeps for each row
// a running max, sum and weighted values (online softmax, as flash attention), all in fp32. Rows go ROWS at a
// time: their scores 32 positions a step (16 FMAs per dimension, each key vector loaded once for the 8 rows), then
// their weighted values 32 columns a step (16 FMAs per position). A Mixtral layer's 512-token prompt: 76 GMAC/s on
// two Zen 4 cores, where torch's flash kernel ran at 30 (docs/benchmarks.md).
#pragma once
#include "gemm.h"  // OCTET_GEMM; gemm::transpose16

#if OCTET_GEMM == 512
#include <algorithm>
#include <cmath>
#include <vector>

#include "attention.h"  // widen16, exp_nonpositive

namespace octet {
namespace prompt {

constexpr int CHUNK = 256;       // positions widened at a time: keys and values 256 KB at Hd 128, in L2
constexpr int ITEM_TOKENS = 64;  // query tokens per work item: each widens its chunks once for G x 64 rows
constexpr int ROWS = 8;          // rows whose scores and values are summed together

// Positions c0 .. c0 + n - 1 of one KV head in fp32: kt[(b Hd + d) 16 + j] = key 16 b + j, dimension d (zero
// past n); v[p Hd + d] = value p (rows n .. up to the next 16 zero).
template <typename T>
void widen_chunk(const T* keys, const T* values, const float* key_scales, const float* value_scales, int64_t c0,
                 int n, int Hd, float* kt, float* v) {
  const int blocks = (n + 15) / 16;
  __m512i m[16];
  for (int b = 0; b < blocks; ++b)
    for (int c = 0; c < Hd; c += 16) {
      for (int j = 0; j < 16; ++j) {
        const int p = 16 * b + j;
        __m512 x = _mm512_setzero_ps();
        if (p < n) {
          x = widen16(keys + (c0 + p) * Hd + c);
          if (key_scales) x = _mm512_mul_ps(x, _mm512_set1_ps(key_scales[c0 + p]));
        }
        m[j] = _mm512_castps_si512(x);
      }
      gemm::transpose16(m);
      for (int d = 0; d < 16; ++d) _mm512_storeu_ps(kt + ((int64_t)b * Hd + c + d) * 16, _mm512_castsi512_ps(m[d]));
    }
  for (int p = 0; p < 16 * blocks; ++p)
    for (int c = 0; c < Hd; c += 16) {
      __m512 x = _mm512_setzero_ps();
      if (p < n) {
        x = widen16(values + (c0 + p) * Hd + c);
        if (value_scales) x = _mm512_mul_ps(x, _mm512_set1_ps(value_scales[c0 + p]));
      }
      _mm512_storeu_ps(v + (int64_t)p * Hd + c, x);
    }
}

// s[r CHUNK + 16 b + j] = q row r . key 16 b + j of the chunk, for ROWS rows (q: [ROWS, Hd]) and blocks b0 .. b1 - 1.
template <int BLOCKS>
inline void block_scores(const float* q, const float* kt, int Hd, int b, float* s) {
  __m512 acc[ROWS][BLOCKS];
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < BLOCKS; ++i) acc[r][i] = _mm512_setzero_ps();
  const float* k = kt + (int64_t)b * Hd * 16;
  for (int d = 0; d < Hd; ++d) {
    __m512 x[BLOCKS];
    for (int i = 0; i < BLOCKS; ++i) x[i] = _mm512_loadu_ps(k + ((int64_t)i * Hd + d) * 16);
    for (int r = 0; r < ROWS; ++r) {
      const __m512 qd = _mm512_set1_ps(q[r * Hd + d]);
      for (int i = 0; i < BLOCKS; ++i) acc[r][i] = _mm512_fmadd_ps(x[i], qd, acc[r][i]);
    }
  }
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < BLOCKS; ++i) _mm512_storeu_ps(s + r * CHUNK + 16 * (b + i), acc[r][i]);
}

inline void scores(const float* q, const float* kt, int Hd, int b0, int b1, float* s) {
  int b = b0;
  for (; b + 2 <= b1; b += 2) block_scores<2>(q, kt, Hd, b, s);
  if (b < b1) block_scores<1>(q, kt, Hd, b, s);
}

// One row's scores at positions lo .. hi - 1 of the chunk (multiples of 16) -> weights exp(score - max), the
// positions it may not see (outside a .. e - 1) zero; its max m, sum l and weighted values o [Hd] rescaled to
// the new max.
inline void softmax_update(float* s, int lo, int hi, int a, int e, float& m, float& l, float* o, int Hd) {
  auto visible = [&](int p) {  // lanes p .. p + 15 inside a .. e - 1
    const int from = std::clamp(a - p, 0, 16), to = std::clamp(e - p, 0, 16);
    return (__mmask16)(((1u << to) - 1) & ~((1u << from) - 1));
  };
  __m512 top = _mm512_set1_ps(-INFINITY);
  for (int p = lo; p < hi; p += 16) top = _mm512_mask_max_ps(top, visible(p), top, _mm512_loadu_ps(s + p));
  const float new_max = std::max(m, _mm512_reduce_max_ps(top));
  if (new_max > m) {
    const float rescale = l > 0.f ? std::exp(m - new_max) : 0.f;
    l *= rescale;
    for (int c = 0; c < Hd; c += 16) _mm512_storeu_ps(o + c, _mm512_mul_ps(_mm512_loadu_ps(o + c), _mm512_set1_ps(rescale)));
    m = new_max;
  }
  __m512 total = _mm512_setzero_ps();
  for (int p = lo; p < hi; p += 16) {
    const __m512 w = _mm512_maskz_mov_ps(visible(p), exp_nonpositive(_mm512_sub_ps(_mm512_loadu_ps(s + p), _mm512_set1_ps(m))));
    total = _mm512_add_ps(total, w);
    _mm512_storeu_ps(s + p, w);
  }
  l += _mm512_reduce_add_ps(total);
}

// o[r, c .. c + 16 NV) += sum over positions p in lo .. hi - 1 of w[r CHUNK + p] v[p, same columns], ROWS rows.
template <int NV>
inline void add_values(const float* w, const float* v, int Hd, int lo, int hi, int c, float* o) {
  __m512 acc[ROWS][NV];
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < NV; ++i) acc[r][i] = _mm512_loadu_ps(o + r * Hd + c + 16 * i);
  for (int p = lo; p < hi; ++p) {
    __m512 x[NV];
    for (int i = 0; i < NV; ++i) x[i] = _mm512_loadu_ps(v + (int64_t)p * Hd + c + 16 * i);
    for (int r = 0; r < ROWS; ++r) {
      const __m512 weight = _mm512_set1_ps(w[r * CHUNK + p]);
      for (int i = 0; i < NV; ++i) acc[r][i] = _mm512_fmadd_ps(x[i], weight, acc[r][i]);
    }
  }
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < NV; ++i) _mm512_storeu_ps(o + r * Hd + c + 16 * i, acc[r][i]);
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
      const int b0 = lo / 16, b1 = (hi + 15) / 16;
      float* o = x.o.data() + r0 * Hd;
      scores(x.q.data() + r0 * Hd, x.kt.data(), (int)Hd, b0, b1, x.s.data());
      for (int r = 0; r < ROWS; ++r)
        softmax_update(x.s.data() + r * CHUNK, 16 * b0, 16 * b1, a[r], e[r], x.m[r0 + r], x.l[r0 + r], o + r * Hd,
                       (int)Hd);
      int c = 0;
      for (; c + 32 <= Hd; c += 32) add_values<2>(x.s.data(), x.v.data(), (int)Hd, 16 * b0, 16 * b1, c, o);
      for (; c < Hd; c += 16) add_values<1>(x.s.data(), x.v.data(), (int)Hd, 16 * b0, 16 * b1, c, o);
    }
  }
  for (int64_t r = 0; r < R; ++r) {
    const int64_t t = t0 + r / G, h = k * G + r % G;
    const __m512 inverse = _mm512_set1_ps(1.f / x.l[r]);
    for (int64_t c = 0; c < Hd; c += 16)
      _mm512_storeu_ps(out + (h * T_ + t) * Hd + c, _mm512_mul_ps(_mm512_loadu_ps(x.o.data() + r * Hd + c), inverse));
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
#endif  // OCTET_GEMM == 512
