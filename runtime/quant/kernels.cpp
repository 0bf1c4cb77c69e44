// GGUF block kernels for x86-64 with AVX-512 (F, BW, VL, VNNI, BF16) and F16C: a plain C ABI over raw
// pointers, compiled with g++ -fopenmp at first use by runtime/quant/kernels.py (a few seconds) and
// called through ctypes; OpenMP is torch's own libgomp (same soname). Each call names its thread count.
// They work on llama.cpp's Q4_0 and Q8_0 blocks regrouped, without any change of size, into
// superblocks of 16 blocks: [16 fp16 scales][16 blocks of quants], so that one instruction converts
// 16 scales and the quants are contiguous (the file's 18/34-byte blocks are not).
//
//   octet_repack(src, dst, N, nb, qtype): file blocks [N, nb] -> superblock layout (nb % 16 == 0)
//   octet_matvec(x fp32 [M, K], M, w, N, nb, qtype, out fp32 [M, N]): as llama.cpp does, each row of x
//     is quantized to int8 per block of 32 (scale amax/127), then int8 dot products (vpdpbusd) with
//     the weight quants, scaled by d_w * d_x per block, in fp32
//   octet_dequantize(w, N, nb, qtype, out [N, K], bf16): fp32 or bf16 weights
//   octet_decode_attention(q, keys, values, key_scales, value_scales, H, K, Hd, stride, first, end, int8, out):
//     one query token over cache positions [first, end) of one layer (bf16 or int8 + fp32 scales), see below
#include <immintrin.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr int QK = 32, SB = 16;    // weights per block, blocks per superblock
constexpr int Q4_0 = 2, Q8_0 = 8;  // ggml type ids
#ifndef PREFETCH_BYTES
#define PREFETCH_BYTES 1024  // software prefetch distance: one core alone reaches ~11 GB/s without it
#endif

inline int quant_bytes(int64_t qtype) { return qtype == Q4_0 ? 16 : 32; }  // per block, without d

// One row of x quantized per block of 32, laid out as the kernel reads it:
// Q4_0, per group of 4 blocks: 64 int8 matching the low nibbles (elements 0..15 of each block), 64 for
// the high nibbles (16..31), and 16 int32 lanes seeding vpdpbusd with -8 * sum(q) (q is stored + 8).
// Q8_0: natural order, and per pair of blocks 16 lanes seeding vpdpbusd with -128 * sum(q) (the
// weights enter vpdpbusd as unsigned q + 128). d: the 16 scales of each superblock, contiguous.
struct QuantizedRow {
  std::vector<int8_t> q;
  std::vector<int32_t> seed;
  std::vector<float> d;
};

void quantize_row(const float* x, int64_t nb, int64_t qtype, QuantizedRow& out) {
  out.q.assign(nb * QK, 0);
  out.seed.assign(nb * 8, 0);
  out.d.assign(nb, 0.f);
  for (int64_t b = 0; b < nb; ++b) {
    const float* xb = x + b * QK;
    float amax = 0.f;
    for (int i = 0; i < QK; ++i) amax = std::max(amax, std::fabs(xb[i]));
    const float d = amax / 127.f, inv = d ? 1.f / d : 0.f;
    out.d[b] = d;
    int8_t q[QK];
    int32_t sum = 0;
    for (int i = 0; i < QK; ++i) {
      q[i] = (int8_t)std::nearbyint(xb[i] * inv);
      sum += q[i];
    }
    if (qtype == Q4_0) {
      int8_t* group = out.q.data() + (b / 4) * 128;
      std::memcpy(group + (b % 4) * 16, q, 16);
      std::memcpy(group + 64 + (b % 4) * 16, q + 16, 16);
      out.seed[(b / 4) * 16 + (b % 4) * 4] = -8 * sum;
    } else {
      std::memcpy(out.q.data() + b * QK, q, QK);
      out.seed[(b / 2) * 16 + (b % 2) * 8] = -128 * sum;
    }
  }
}

// Scales of 16 blocks (fp16 weights × fp32 activations), for lane l of group g: block g*4 + l/4
// (Q4_0: 4 blocks of 4 lanes per vector) or g*2 + l/8 (Q8_0: 2 blocks of 8 lanes).
inline __m512 superblock_scales(const uint8_t* sb, const float* dx) {
  return _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)sb)), _mm512_loadu_ps(dx));
}

inline __m512i lane_index(int first, int per_block) {
  return _mm512_add_epi32(_mm512_set1_epi32(first),
                          _mm512_srli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            per_block == 4 ? 2 : 3));
}

float dot_q4_0(const uint8_t* w, const QuantizedRow& xq, int64_t nsb) {
  const __m512i mask = _mm512_set1_epi8(0x0F);
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  const int sb_bytes = 32 + SB * 16;
  const __m512i index[4] = {lane_index(0, 4), lane_index(4, 4), lane_index(8, 4), lane_index(12, 4)};
  for (int64_t s = 0; s < nsb; ++s) {
    const uint8_t* sb = w + s * sb_bytes;
    const __m512 scales = superblock_scales(sb, xq.d.data() + s * SB);
    for (int g = 0; g < 4; ++g) {
      const int64_t group = s * 4 + g;
      _mm_prefetch((const char*)sb + PREFETCH_BYTES + g * 64, _MM_HINT_T0);
      __m512i v = _mm512_loadu_si512(sb + 32 + g * 64);
      __m512i lo = _mm512_and_si512(v, mask), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), mask);
      const int8_t* xg = xq.q.data() + group * 128;
      __m512i dot = _mm512_loadu_si512(xq.seed.data() + group * 16);
      dot = _mm512_dpbusd_epi32(dot, lo, _mm512_loadu_si512(xg));
      dot = _mm512_dpbusd_epi32(dot, hi, _mm512_loadu_si512(xg + 64));
      acc[g] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_permutexvar_ps(index[g], scales), acc[g]);
    }
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
}

float dot_q8_0(const uint8_t* w, const QuantizedRow& xq, int64_t nsb) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  __m512i index[8];
  for (int p = 0; p < 8; ++p) index[p] = lane_index(2 * p, 8);
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  const int sb_bytes = 32 + SB * 32;
  for (int64_t s = 0; s < nsb; ++s) {
    const uint8_t* sb = w + s * sb_bytes;
    const __m512 scales = superblock_scales(sb, xq.d.data() + s * SB);
    for (int p = 0; p < 8; ++p) {  // pairs of blocks
      _mm_prefetch((const char*)sb + PREFETCH_BYTES + p * 64, _MM_HINT_T0);
      __m512i q = _mm512_loadu_si512(sb + 32 + p * 64);
      __m512i xv = _mm512_loadu_si512(xq.q.data() + (s * SB + p * 2) * QK);
      __m512i seed = _mm512_loadu_si512(xq.seed.data() + (s * SB / 2 + p) * 16);
      __m512i dot = _mm512_dpbusd_epi32(seed, _mm512_xor_si512(q, flip), xv);
      acc[p & 3] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_permutexvar_ps(index[p], scales), acc[p & 3]);
    }
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
}

// File blocks [d, quants] × 16 -> [16 d][16 quants], one row of nb blocks.
void repack_row(const uint8_t* src, uint8_t* dst, int64_t nb, int64_t qtype) {
  const int qb = quant_bytes(qtype), bytes = 2 + qb;
  for (int64_t s = 0; s < nb / SB; ++s) {
    const uint8_t* in = src + s * SB * bytes;
    uint8_t* out = dst + s * SB * bytes;
    for (int b = 0; b < SB; ++b) {
      std::memcpy(out + 2 * b, in + b * bytes, 2);
      std::memcpy(out + 2 * SB + b * qb, in + b * bytes + 2, qb);
    }
  }
}

// 32 weights of block b of a repacked row as fp32 (two vectors: elements 0..15, 16..31).
inline void dequantize_block(const uint8_t* row, int64_t b, int64_t qtype, __m512& v0, __m512& v1) {
  const int qb = quant_bytes(qtype), sb_bytes = SB * (2 + qb);
  const uint8_t* sb = row + (b / SB) * sb_bytes;
  uint16_t h;
  std::memcpy(&h, sb + 2 * (b % SB), 2);
  const __m512 d = _mm512_set1_ps(_cvtsh_ss(h));
  const uint8_t* q = sb + 2 * SB + (b % SB) * qb;
  __m128i a, c;
  if (qtype == Q4_0) {
    __m128i raw = _mm_loadu_si128((const __m128i*)q), m = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
    a = _mm_sub_epi8(_mm_and_si128(raw, m), eight);
    c = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(raw, 4), m), eight);
  } else {
    a = _mm_loadu_si128((const __m128i*)q);
    c = _mm_loadu_si128((const __m128i*)(q + 16));
  }
  v0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(a)), d);
  v1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(c)), d);
}

}  // namespace

namespace {

// Rows handed out in chunks from a shared counter rather than split evenly up front: on a machine
// shared with other work, a thread that is descheduled for a while no longer holds up the rest.
template <typename F>
void parallel_rows(int64_t rows, int64_t chunk, int threads, const F& body) {
  std::atomic<int64_t> next{0};
#pragma omp parallel num_threads(threads)
  for (int64_t begin = next.fetch_add(chunk); begin < rows; begin = next.fetch_add(chunk))
    body(begin, std::min(rows, begin + chunk));
}

inline void store_bf16(uint16_t* out, __m512 v) { _mm256_storeu_si256((__m256i*)out, (__m256i)_mm512_cvtneps_pbh(v)); }

}  // namespace

namespace {

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

}  // namespace

extern "C" {

void octet_repack(const uint8_t* src, uint8_t* dst, int64_t N, int64_t nb, int64_t qtype, int threads) {
  const int64_t row = nb * (2 + quant_bytes(qtype));
  parallel_rows(N, 64, threads, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) repack_row(src + n * row, dst + n * row, nb, qtype);
  });
}

void octet_matvec(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t nb, int64_t qtype, float* out,
                  int threads) {
  std::vector<QuantizedRow> rows(M);
  for (int64_t m = 0; m < M; ++m) quantize_row(x + m * nb * QK, nb, qtype, rows[m]);
  const int64_t row = nb * (2 + quant_bytes(qtype));
  parallel_rows(N, 32, threads, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n)
      for (int64_t m = 0; m < M; ++m)
        out[m * N + n] = qtype == Q4_0 ? dot_q4_0(w + n * row, rows[m], nb / SB) : dot_q8_0(w + n * row, rows[m], nb / SB);
  });
}

void octet_dequantize(const uint8_t* w, int64_t N, int64_t nb, int64_t qtype, void* out, int bf16, int threads) {
  const int64_t row = nb * (2 + quant_bytes(qtype)), K = nb * QK;
  parallel_rows(N, 16, threads, [&](int64_t begin, int64_t end) {
    __m512 v0, v1;
    for (int64_t n = begin; n < end; ++n)
      for (int64_t b = 0; b < nb; ++b) {
        dequantize_block(w + n * row, b, qtype, v0, v1);
        const int64_t at = n * K + b * QK;
        if (bf16) {
          store_bf16((uint16_t*)out + at, v0);
          store_bf16((uint16_t*)out + at + 16, v1);
        } else {
          _mm512_storeu_ps((float*)out + at, v0);
          _mm512_storeu_ps((float*)out + at + 16, v1);
        }
      }
  });
}

// q: fp32 [H, Hd], already multiplied by Hd^-0.5; keys, values: one layer [K, stride, Hd] (bf16 bits, or
// int8 with key_scales and value_scales [K, stride]; null for bf16); out: fp32 [H, Hd]. Hd % 16 == 0.
void octet_decode_attention(const float* q, const void* keys, const void* values, const float* key_scales,
                            const float* value_scales, int64_t H, int64_t K, int64_t Hd, int64_t stride,
                            int64_t first, int64_t end, int int8, float* out, int threads) {
  if (int8)
    decode_attention(q, (const int8_t*)keys, (const int8_t*)values, key_scales, value_scales, H, K, Hd, stride, first,
                     end, out, threads);
  else
    decode_attention(q, (const uint16_t*)keys, (const uint16_t*)values, nullptr, nullptr, H, K, Hd, stride, first,
                     end, out, threads);
}

}  // extern "C"
