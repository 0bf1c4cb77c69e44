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

}  // extern "C"
