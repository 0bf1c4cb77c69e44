// A few tokens' products with quantized rows, what every decode kernel shares: activations quantized to
// int8 per block of 32 (as llama.cpp does for a few tokens), one row's dot products (the fused kernel of
// fast.h where there is one, else blocks.h unpack + dot.h), and several matrices on the same activations in
// one parallel pass (a layer's q, k and v projections).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "blocks.h"
#include "dot.h"
#include "fast.h"
#include "parallel.h"

namespace octet {

inline uint16_t to_bf16(float value) {  // round to nearest even; a NaN stays a (quiet) NaN
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) return (uint16_t)((bits >> 16) | 0x40);
  return (uint16_t)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

// ---- activations ----

struct QuantizedActivations {
  std::vector<int8_t> q, q256;
  std::vector<float> d, dsum, d256, dsum256, d32, dsum32;
  ActRow row(int64_t m, int64_t superblocks) {
    ActRow row{q.data() + m * superblocks * QK_K, d.data() + m * superblocks * GROUPS,
               dsum.data() + m * superblocks * GROUPS};
    if (!q256.empty()) {
      row.q256 = q256.data() + m * superblocks * QK_K;
      row.d256 = d256.data() + m * superblocks;
      row.dsum256 = dsum256.data() + m * superblocks * GROUPS;
      row.d32 = d32.data() + m * superblocks * (QK_K / 32);
      row.dsum32 = dsum32.data() + m * superblocks * (QK_K / 32);
    }
    return row;
  }
};

// Row m of x (K values) with one scale per superblock (amax / 127) into out's q256, d256 and dsum256.
inline void quantize_per_superblock(const float* x, int64_t m, int64_t K, int64_t superblocks, QuantizedActivations& out) {
  for (int64_t s = 0; s < superblocks; ++s) {
    const int64_t count = std::min<int64_t>(QK_K, K - s * QK_K);
    const float* xs = x + m * K + s * QK_K;
    float amax = 0.f;
    for (int64_t i = 0; i < count; ++i) amax = std::max(amax, std::fabs(xs[i]));
    const float d = amax / 127.f, inverse = d > 0.f ? 1.f / d : 0.f;
    int8_t* q = out.q256.data() + (m * superblocks + s) * QK_K;
    int32_t sums[GROUPS] = {0};
    for (int64_t i = 0; i < count; ++i) {
      q[i] = (int8_t)std::nearbyint(xs[i] * inverse);
      sums[i / GROUP] += q[i];
    }
    out.d256[m * superblocks + s] = d;
    for (int g = 0; g < GROUPS; ++g) out.dsum256[(m * superblocks + s) * GROUPS + g] = d * (float)sums[g];
  }
}

// M rows of x [M, K] -> int8 per block of 32, zero-padded to whole superblocks.
// `per_superblock` (the few-token kernels of a SUPERBLOCK_SCALES library): also with one scale per superblock,
// and the scales and sums once per block of 32 (d32, dsum32).
inline void quantize_activations(const float* x, int64_t M, int64_t K, int64_t superblocks, QuantizedActivations& out,
                                 int threads = 1, bool per_superblock = false) {
  const int64_t padded = superblocks * QK_K;
  out.q.assign(M * padded, 0);
  out.d.assign(M * superblocks * GROUPS, 0.f);
  out.dsum.assign(M * superblocks * GROUPS, 0.f);
  if (per_superblock) {
    out.q256.assign(M * padded, 0);
    out.d256.assign(M * superblocks, 0.f);
    out.dsum256.assign(M * superblocks * GROUPS, 0.f);
    out.d32.assign(M * superblocks * (QK_K / 32), 0.f);
    out.dsum32.assign(M * superblocks * (QK_K / 32), 0.f);
  }
  parallel_rows(M, 8, threads_for(M * K, threads), [&](int64_t begin, int64_t end) {
  for (int64_t m = begin; m < end; ++m)
    for (int64_t b = 0; b * 32 < K; ++b) {
      const float* xb = x + m * K + b * 32;
      float amax = 0.f;
      for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(xb[i]));
      const float d = amax / 127.f, inverse = d > 0.f ? 1.f / d : 0.f;
      int8_t* q = out.q.data() + m * padded + b * 32;
      int32_t sums[2] = {0, 0};
      for (int i = 0; i < 32; ++i) {
        q[i] = (int8_t)std::nearbyint(xb[i] * inverse);
        sums[i / 16] += q[i];
      }
      for (int h = 0; h < 2; ++h) {
        out.d[m * superblocks * GROUPS + 2 * b + h] = d;
        out.dsum[m * superblocks * GROUPS + 2 * b + h] = d * (float)sums[h];
      }
      if (per_superblock) {
        out.d32[m * superblocks * (QK_K / 32) + b] = d;
        out.dsum32[m * superblocks * (QK_K / 32) + b] = d * (float)(sums[0] + sums[1]);
      }
    }
    if (per_superblock)
      for (int64_t m = begin; m < end; ++m) quantize_per_superblock(x, m, K, superblocks, out);
  });
}

// ---- quantized weights ----

constexpr int MAX_TOKENS = 8;  // rows of x per pass over the weights

// out[m] = row . act[m] for m < rows: the fused kernel where there is one (fast.h), else the row unpacked
// whole into `buffer` (superblocks entries) before its dot products: loading codes just stored in narrower
// pieces stalls (store forwarding fails); stores long done do not.
template <int TYPE>
void dot_row(const uint8_t* row, const ActRow* act, int64_t rows, int64_t nb, int64_t superblocks,
             Unpacked* buffer, float* out) {
  if constexpr (FastRow<TYPE>::available) {
    FastRow<TYPE>::dot(row, act, rows, nb, superblocks, out);
  } else {
    Acc acc[MAX_TOKENS];
    for (int64_t s = 0; s < superblocks; ++s) unpack<TYPE>(row, s, nb, buffer[s]);
    for (int64_t s = 0; s < superblocks; ++s)
      for (int64_t m = 0; m < rows; ++m) accumulate<TYPE == Q8_0>(acc[m], buffer[s], act[m], s);
    for (int64_t m = 0; m < rows; ++m) out[m] = total(acc[m]);
  }
}

// This thread's room for a row's unpacked superblocks (generic path), grown when needed, never cleared:
// a fresh zeroed vector per grab of 16 rows cost 5-8% of a matvec.
inline Unpacked* row_buffer(int64_t superblocks) {
  thread_local std::vector<Unpacked> buffer;
  if ((int64_t)buffer.size() < superblocks) buffer.resize(superblocks);
  return buffer.data();
}

using RowDot = void (*)(const uint8_t*, const ActRow*, int64_t, int64_t, int64_t, Unpacked*, float*);

inline bool row_dot_for(int type, RowDot& f) {
  switch (type) {
    case Q4_0: f = dot_row<Q4_0>; return true;
    case Q4_1: f = dot_row<Q4_1>; return true;
    case Q5_0: f = dot_row<Q5_0>; return true;
    case Q5_1: f = dot_row<Q5_1>; return true;
    case Q8_0: f = dot_row<Q8_0>; return true;
    case Q2_K: f = dot_row<Q2_K>; return true;
    case Q3_K: f = dot_row<Q3_K>; return true;
    case Q4_K: f = dot_row<Q4_K>; return true;
    case Q5_K: f = dot_row<Q5_K>; return true;
    case Q6_K: f = dot_row<Q6_K>; return true;
    default: return false;
  }
}

// Several matrices on the same activations: x fp32 [M, K] (M <= MAX_TOKENS) quantized once, then the rows of
// all `count` matrices w[i] (N[i] rows of K weights of types[i]) in one parallel pass; out[i] fp32 [M, N[i]].
// False for a float or unknown type, or too many tokens (nothing is computed).
inline bool matvec_many(const float* x, int64_t M, int64_t K, int64_t count, const uint8_t* const* w, const int64_t* N,
                        const int* types, float* const* out, int threads) {
  std::vector<RowDot> dots(count);
  std::vector<int64_t> first(count + 1, 0);
  for (int64_t i = 0; i < count; ++i) {
    if (!row_dot_for(types[i], dots[i]) || M > MAX_TOKENS) return false;
    first[i + 1] = first[i] + N[i];
  }
  const int64_t superblocks = (K + QK_K - 1) / QK_K;
  QuantizedActivations xq;
  quantize_activations(x, M, K, superblocks, xq, 1, SUPERBLOCK_SCALES);
  parallel_rows(first[count], rows_per_grab(row_bytes(types[0], K)), threads_for(first[count] * K, threads), [&](int64_t begin, int64_t end) {
    Unpacked* buffer = row_buffer(superblocks);
    ActRow act[MAX_TOKENS];
    float values[MAX_TOKENS];
    for (int64_t m = 0; m < M; ++m) act[m] = xq.row(m, superblocks);
    for (int64_t r = begin; r < end; ++r) {
      int64_t i = 0;
      while (r >= first[i + 1]) ++i;
      const int64_t n = r - first[i];
      dots[i](w[i] + n * row_bytes(types[i], K), act, M, K / type_size(types[i]).weights, superblocks,
              buffer, values);
      for (int64_t m = 0; m < M; ++m) out[i][m * N[i] + n] = values[m];
    }
  });
  return true;
}

}  // namespace octet
