// GGUF block kernels for x86-64 with AVX-512 (F, BW, VL, VNNI, BF16) and F16C, compiled at first use
// by runtime/quant_kernels.py. They work on llama.cpp's Q4_0 and Q8_0 blocks regrouped, without any
// change of size, into superblocks of 16 blocks: [16 fp16 scales][16 blocks of quants], so that one
// instruction converts 16 scales and the quants are contiguous (the file's 18/34-byte blocks are not).
//
//   repack(w uint8 [N, K/32*bytes], qtype) -> same shape, superblock layout (K % 512 == 0)
//   matvec(x [M, K] float/bf16, w repacked, qtype) -> [M, N] in x's dtype
//     as llama.cpp does: each row of x is quantized to int8 per block of 32 (scale amax/127), then
//     int8 dot products (vpdpbusd) with the weight quants, scaled by d_w * d_x per block, in fp32.
//   dequantize(w repacked, qtype, out_dtype) -> [N, K] float32 or bfloat16
#ifndef OCTET_KERNEL_BENCH  // (a standalone timing harness includes only the kernels)
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/library.h>
#endif
#include <immintrin.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr int QK = 32, SB = 16;    // weights per block, blocks per superblock
constexpr int Q4_0 = 2, Q8_0 = 8;  // ggml type ids

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

#ifndef OCTET_KERNEL_BENCH
namespace {

int64_t checked_blocks(const at::Tensor& w, int64_t qtype) {
  TORCH_CHECK(qtype == Q4_0 || qtype == Q8_0, "octet kernels: unsupported ggml type ", qtype);
  TORCH_CHECK(w.dim() == 2 && w.scalar_type() == at::kByte && w.is_contiguous(),
              "octet kernels: weights must be uint8 [N, row bytes], contiguous");
  const int bytes = 2 + quant_bytes(qtype);
  TORCH_CHECK(w.size(1) % (bytes * SB) == 0, "octet kernels: rows must hold a multiple of 16 blocks");
  return w.size(1) / bytes;
}

}  // namespace

at::Tensor repack(at::Tensor w, int64_t qtype) {
  const int64_t nb = checked_blocks(w, qtype), N = w.size(0), row = w.size(1);
  auto out = at::empty_like(w);
  const uint8_t* src = w.data_ptr<uint8_t>();
  uint8_t* dst = out.data_ptr<uint8_t>();
  at::parallel_for(0, N, 64, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) repack_row(src + n * row, dst + n * row, nb, qtype);
  });
  return out;
}

at::Tensor matvec(at::Tensor x, at::Tensor w, int64_t qtype) {
  const int64_t nb = checked_blocks(w, qtype), N = w.size(0), row = w.size(1);
  TORCH_CHECK(x.dim() == 2 && x.size(1) == nb * QK, "octet matvec: x must be [M, ", nb * QK, "]");
  const int64_t M = x.size(0);
  auto xf = x.to(at::kFloat).contiguous();
  std::vector<QuantizedRow> rows(M);
  for (int64_t m = 0; m < M; ++m) quantize_row(xf.data_ptr<float>() + m * nb * QK, nb, qtype, rows[m]);
  auto out = at::empty({M, N}, xf.options());
  float* o = out.data_ptr<float>();
  const uint8_t* wp = w.data_ptr<uint8_t>();
  at::parallel_for(0, N, 16, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n)
      for (int64_t m = 0; m < M; ++m)
        o[m * N + n] = qtype == Q4_0 ? dot_q4_0(wp + n * row, rows[m], nb / SB) : dot_q8_0(wp + n * row, rows[m], nb / SB);
  });
  return x.scalar_type() == at::kFloat ? out : out.to(x.scalar_type());
}

at::Tensor dequantize(at::Tensor w, int64_t qtype, at::ScalarType out_dtype) {
  const int64_t nb = checked_blocks(w, qtype), N = w.size(0), row = w.size(1), K = nb * QK;
  TORCH_CHECK(out_dtype == at::kFloat || out_dtype == at::kBFloat16, "octet dequantize: float or bfloat16");
  auto out = at::empty({N, K}, w.options().dtype(out_dtype));
  const uint8_t* wp = w.data_ptr<uint8_t>();
  const bool bf16 = out_dtype == at::kBFloat16;
  at::parallel_for(0, N, 16, [&](int64_t begin, int64_t end) {
    __m512 v0, v1;
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t b = 0; b < nb; ++b) {
        dequantize_block(wp + n * row, b, qtype, v0, v1);
        const int64_t at = n * K + b * QK;
        if (bf16) {
          auto* o = (at::BFloat16*)out.data_ptr() + at;
          _mm256_storeu_si256((__m256i*)o, (__m256i)_mm512_cvtneps_pbh(v0));
          _mm256_storeu_si256((__m256i*)(o + 16), (__m256i)_mm512_cvtneps_pbh(v1));
        } else {
          _mm512_storeu_ps(out.data_ptr<float>() + at, v0);
          _mm512_storeu_ps(out.data_ptr<float>() + at + 16, v1);
        }
      }
    }
  });
  return out;
}

TORCH_LIBRARY(octet, m) {
  m.def("gguf_repack(Tensor w, int qtype) -> Tensor", &repack);
  m.def("gguf_matvec(Tensor x, Tensor w, int qtype) -> Tensor", &matvec);
  m.def("gguf_dequantize(Tensor w, int qtype, ScalarType dtype) -> Tensor", &dequantize);
}
#endif
