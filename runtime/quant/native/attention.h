// Decode attention for one query token over one layer's KV cache (bf16, or int8 with fp32 scales): the
// AVX-512 kernel where the library is built for it, a plain C++ one otherwise (same contract).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "blocks.h"
#include "parallel.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace octet {

// exp(x) for x <= 0 (Cephes' expf polynomial, relative error ~1e-7; below -87 it stays at e^-87, 1.6e-38), no
// library call.
inline float exp_nonpositive(float x) {
  x = std::max(x, -87.f);
  const float n = std::nearbyint(x * 1.44269504088896341f);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  for (float c : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f})
    p = p * r + c;
  p = p * (r * r) + (r + 1.f);
  const int32_t bits = ((int32_t)n + 127) << 23;  // 2^n
  float scale;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

#if defined(__AVX512F__)

#ifndef PREFETCH_BYTES
#define PREFETCH_BYTES 1024  // software prefetch distance: one core alone reaches ~11 GB/s without it
#endif


// Decode attention: one query token, H heads in K groups of G = H / K (group k reads KV head k), over
// positions [first, end) of one layer's cache [K, stride, Hd] (bf16 or int8, an int8 cache with fp32
// scales [K, stride] for K and V). Keys and values are widened to fp32 in registers, never copied; dot
// products, softmax and sums in fp32. Each KV head's positions are cut into spans (work items for the
// threads); a span is read SUB positions at a time: the scores of its G heads (a [G, SUB] buffer), their
// running max and sum (online softmax), then the weighted values. The spans are joined at the end by
// their max and sum (flash-decoding).
constexpr int SUB = 128;          // positions whose scores are held at once
constexpr int64_t MIN_SPAN = 512;  // fewest positions in a work item

inline __m512 widen16(const uint16_t* p) {  // 16 bf16 -> fp32: the bits shifted to the top half
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)p)), 16));
}
inline __m512 widen16(const int8_t* p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)p)));
}

// exp(x) for x <= 0 (Cephes' expf: relative error ~1e-7); below -87 it is 0 or denormal.
inline __m512 exp_nonpositive(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-100.f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  for (float c : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f})
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(c));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.f)));
  return _mm512_scalef_ps(p, n);
}

// The lane sums of four vectors: [sum a, sum b, sum c, sum d].
inline __m128 sum4(__m512 a, __m512 b, __m512 c, __m512 d) {
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
  const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
  const __m512 s = _mm512_add_ps(_mm512_shuffle_ps(ab, cd, 0x44), _mm512_shuffle_ps(ab, cd, 0xEE));
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(s),
                                 _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

template <typename T>
inline void prefetch_row(const T* row, int Hd) {
  for (int c = 0; c < Hd * (int)sizeof(T); c += 64) _mm_prefetch((const char*)row + c + PREFETCH_BYTES, _MM_HINT_T0);
}

// The lane sums of NG accumulators: the scores of NG heads at position p, s[g * SUB + p].
template <int NG>
inline void store_scores(__m512 (&acc)[NG], float* s, int p) {
  if constexpr (NG == 4) {
    alignas(16) float sums[4];
    _mm_store_ps(sums, sum4(acc[0], acc[1], acc[2], acc[3]));
    for (int g = 0; g < 4; ++g) s[g * SUB + p] = sums[g];
  } else {
    for (int g = 0; g < NG; ++g) s[g * SUB + p] = _mm512_reduce_add_ps(acc[g]);
  }
}

// Scores of NG heads (q [NG, Hd]) with `count` keys from k: s[g * SUB + p]. Two keys at a time: each
// load of q serves both.
template <int NG, typename T>
void head_scores(const float* q, const T* k, int count, int Hd, float* s) {
  int p = 0;
  for (; p + 2 <= count; p += 2) {
    const T* row = k + (int64_t)p * Hd;
    prefetch_row(row, 2 * Hd);
    __m512 a[NG], b[NG];
    for (int g = 0; g < NG; ++g) a[g] = b[g] = _mm512_setzero_ps();
    for (int c = 0; c < Hd; c += 16) {
      const __m512 ka = widen16(row + c), kb = widen16(row + Hd + c);
      for (int g = 0; g < NG; ++g) {
        const __m512 qg = _mm512_loadu_ps(q + g * Hd + c);
        a[g] = _mm512_fmadd_ps(ka, qg, a[g]);
        b[g] = _mm512_fmadd_ps(kb, qg, b[g]);
      }
    }
    store_scores<NG>(a, s, p);
    store_scores<NG>(b, s, p + 1);
  }
  for (; p < count; ++p) {
    const T* row = k + (int64_t)p * Hd;
    __m512 acc[NG];
    for (int g = 0; g < NG; ++g) acc[g] = _mm512_setzero_ps();
    for (int c = 0; c < Hd; c += 16) {
      const __m512 kv = widen16(row + c);
      for (int g = 0; g < NG; ++g) acc[g] = _mm512_fmadd_ps(kv, _mm512_loadu_ps(q + g * Hd + c), acc[g]);
    }
    store_scores<NG>(acc, s, p);
  }
}

// o[g, c0 .. c0 + 16 NV) += sum over p of w[g * SUB + p] * v[p, same columns], NG heads.
template <int NG, int NV, typename T>
void add_values(const float* w, const T* v, int count, int Hd, int c0, float* o) {
  __m512 acc[NG][NV];
  for (int g = 0; g < NG; ++g)
    for (int j = 0; j < NV; ++j) acc[g][j] = _mm512_loadu_ps(o + g * Hd + c0 + 16 * j);
  for (int p = 0; p < count; ++p) {
    const T* row = v + (int64_t)p * Hd;
    if (c0 == 0) prefetch_row(row, Hd);
    __m512 x[NV];
    for (int j = 0; j < NV; ++j) x[j] = widen16(row + c0 + 16 * j);
    for (int g = 0; g < NG; ++g) {
      const __m512 weight = _mm512_set1_ps(w[g * SUB + p]);
      for (int j = 0; j < NV; ++j) acc[g][j] = _mm512_fmadd_ps(x[j], weight, acc[g][j]);
    }
  }
  for (int g = 0; g < NG; ++g)
    for (int j = 0; j < NV; ++j) _mm512_storeu_ps(o + g * Hd + c0 + 16 * j, acc[g][j]);
}

template <int NV, typename T>
void add_values_of(int ng, const float* w, const T* v, int count, int Hd, int c0, float* o) {
  switch (ng) {
    case 1: return add_values<1, NV>(w, v, count, Hd, c0, o);
    case 2: return add_values<2, NV>(w, v, count, Hd, c0, o);
    case 3: return add_values<3, NV>(w, v, count, Hd, c0, o);
    default: return add_values<4, NV>(w, v, count, Hd, c0, o);
  }
}

// What one span leaves for the join: per head its max score m, sum of exp(score - m) l, and
// o = sum of exp(score - m) * value, [G, Hd].
struct Partial {
  std::vector<float> m, l, o;
};

template <typename T>
void attend_span(const float* q, const T* k, const T* v, const float* ks, const float* vs, int G, int Hd,
                 int64_t begin, int64_t end, Partial& out) {
  std::vector<float> s(G * SUB);
  out.m.assign(G, 0.f);
  out.l.assign(G, 0.f);
  out.o.assign(G * Hd, 0.f);
  for (int64_t start = begin; start < end; start += SUB) {
    const int count = (int)std::min<int64_t>(SUB, end - start);
    const T* keys = k + start * Hd;
    int g = 0;
    for (; g + 4 <= G; g += 4) head_scores<4>(q + g * Hd, keys, count, Hd, s.data() + g * SUB);
    for (; g < G; ++g) head_scores<1>(q + g * Hd, keys, count, Hd, s.data() + g * SUB);
    for (g = 0; g < G; ++g) {  // scores -> weights, per head: the new max rescales what came before
      float* row = s.data() + g * SUB;
      __m512 top = _mm512_set1_ps(-INFINITY);
      for (int p = 0; p < count; p += 16) {
        const __mmask16 live = count - p >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - p)) - 1);
        __m512 x = _mm512_maskz_loadu_ps(live, row + p);
        if (ks) x = _mm512_mul_ps(x, _mm512_maskz_loadu_ps(live, ks + start + p));
        _mm512_mask_storeu_ps(row + p, live, x);
        top = _mm512_mask_max_ps(top, live, top, x);
      }
      const float block_max = _mm512_reduce_max_ps(top);
      const float m = start == begin ? block_max : std::max(out.m[g], block_max);
      if (start != begin && m > out.m[g]) {
        const float rescale = std::exp(out.m[g] - m);
        out.l[g] *= rescale;
        for (int c = 0; c < Hd; ++c) out.o[g * Hd + c] *= rescale;
      }
      out.m[g] = m;
      __m512 total = _mm512_setzero_ps();
      for (int p = 0; p < count; p += 16) {
        const __mmask16 live = count - p >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - p)) - 1);
        __m512 w = _mm512_maskz_mov_ps(live, exp_nonpositive(_mm512_sub_ps(_mm512_loadu_ps(row + p), _mm512_set1_ps(m))));
        total = _mm512_add_ps(total, w);
        if (vs) w = _mm512_mul_ps(w, _mm512_maskz_loadu_ps(live, vs + start + p));  // the values' scales
        _mm512_mask_storeu_ps(row + p, live, w);
      }
      out.l[g] += _mm512_reduce_add_ps(total);
    }
    const T* values = v + start * Hd;
    for (g = 0; g < G; g += 4) {
      const int ng = std::min(4, G - g);
      int c = 0;
      for (; c + 64 <= Hd; c += 64) add_values_of<4>(ng, s.data() + g * SUB, values, count, Hd, c, out.o.data() + g * Hd);
      for (; c < Hd; c += 16) add_values_of<1>(ng, s.data() + g * SUB, values, count, Hd, c, out.o.data() + g * Hd);
    }
  }
}

template <typename T>
void decode_attention(const float* q, const T* keys, const T* values, const float* key_scales,
                      const float* value_scales, int64_t H, int64_t K, int64_t Hd, int64_t stride, int64_t first,
                      int64_t end, float* out, int threads) {
  const int64_t G = H / K, S = end - first;
  if (S <= 0) {
    std::fill(out, out + H * Hd, 0.f);
    return;
  }
  // enough work items for every thread to take several, none shorter than MIN_SPAN
  const int64_t wanted = std::max<int64_t>(1, (4 * threads + K - 1) / K);
  const int64_t spans = std::max<int64_t>(1, std::min(wanted, S / MIN_SPAN));
  const int64_t span = (S + spans - 1) / spans;
  std::vector<Partial> parts(K * spans);
  parallel_rows(K * spans, 1, threads, [&](int64_t begin, int64_t stop) {
    for (int64_t item = begin; item < stop; ++item) {
      const int64_t k = item / spans, from = first + (item % spans) * span, to = std::min(end, from + span);
      if (from >= to) {
        parts[item].m.assign(G, -INFINITY);
        parts[item].l.assign(G, 0.f);
        parts[item].o.assign(G * Hd, 0.f);
        continue;
      }
      attend_span(q + k * G * Hd, keys + k * stride * Hd, values + k * stride * Hd,
                  key_scales ? key_scales + k * stride : nullptr, value_scales ? value_scales + k * stride : nullptr,
                  (int)G, (int)Hd, from, to, parts[item]);
    }
  });
  for (int64_t k = 0; k < K; ++k)  // join the spans of each head by their max and sum
    for (int64_t g = 0; g < G; ++g) {
      float m = -INFINITY, l = 0.f;
      for (int64_t j = 0; j < spans; ++j) m = std::max(m, parts[k * spans + j].m[g]);
      float* o = out + (k * G + g) * Hd;
      std::fill(o, o + Hd, 0.f);
      for (int64_t j = 0; j < spans; ++j) {
        const Partial& part = parts[k * spans + j];
        if (part.l[g] == 0.f) continue;
        const float weight = std::exp(part.m[g] - m);
        l += part.l[g] * weight;
        for (int64_t c = 0; c < Hd; ++c) o[c] += part.o[g * Hd + c] * weight;
      }
      for (int64_t c = 0; c < Hd; ++c) o[c] /= l;
    }
}

#else

// Plain C++ (the avx2, neon and portable libraries), written so that the compiler vectorizes it: per query
// head, the scores of every position (16 independent partial sums per dot product: a float sum in one
// chain cannot be vectorized without reordering it), their softmax (exp as a polynomial, no call), and the
// weighted values. With one scalar sum and std::exp per score, the starter's 512-position decode step
// spent a third of its time here on the AVX2 library.
inline float widen(uint16_t bits) { return bf16_to_float(bits); }
inline float widen(int8_t value) { return (float)value; }

template <typename T>
inline float dot_row(const float* q, const T* key, int64_t Hd) {  // Hd % 16 == 0
  float partial[16] = {0.f};
  for (int64_t c = 0; c < Hd; c += 16)
    for (int j = 0; j < 16; ++j) partial[j] += q[c + j] * widen(key[c + j]);
  float sum = 0.f;
  for (int j = 0; j < 16; ++j) sum += partial[j];
  return sum;
}

template <typename T>
void decode_attention(const float* q, const T* keys, const T* values, const float* key_scales,
                      const float* value_scales, int64_t H, int64_t K, int64_t Hd, int64_t stride, int64_t first,
                      int64_t end, float* out, int threads) {
  const int64_t G = H / K, S = end - first;
  parallel_rows(H, 1, threads, [&](int64_t begin, int64_t stop) {
    std::vector<float> scores(S > 0 ? S : 1);
    for (int64_t h = begin; h < stop; ++h) {
      const int64_t k = h / G;
      const T* key_rows = keys + (k * stride + first) * Hd;
      const T* value_rows = values + (k * stride + first) * Hd;
      const float* ks = key_scales ? key_scales + k * stride + first : nullptr;
      const float* vs = value_scales ? value_scales + k * stride + first : nullptr;
      float* o = out + h * Hd;
      std::fill(o, o + Hd, 0.f);
      if (S <= 0) continue;
      float top = -INFINITY;
      for (int64_t p = 0; p < S; ++p) {
        const float dot = dot_row(q + h * Hd, key_rows + p * Hd, Hd);
        scores[p] = ks ? dot * ks[p] : dot;
        top = std::max(top, scores[p]);
      }
      float sum = 0.f;
      for (int64_t p = 0; p < S; ++p) {
        scores[p] = exp_nonpositive(scores[p] - top);
        sum += scores[p];
      }
      for (int64_t p = 0; p < S; ++p) {
        const float weight = vs ? scores[p] * vs[p] : scores[p];
        const T* value = value_rows + p * Hd;
        for (int64_t c = 0; c < Hd; ++c) o[c] += weight * widen(value[c]);
      }
      for (int64_t c = 0; c < Hd; ++c) o[c] /= sum;
    }
  });
}

#endif

}  // namespace octet
