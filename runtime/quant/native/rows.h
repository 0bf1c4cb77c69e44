// A few tokens' products with quantized rows, what every decode kernel shares: activations quantized to
// int8 per block of 32 (activations.h, as llama.cpp does for a few tokens), one row's dot products (the fused kernel of
// fast.h where there is one, else blocks.h unpack + dot.h), and several matrices on the same activations in
// one parallel pass (a layer's q, k and v projections).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "activations.h"
#include "blocks.h"
#include "dot.h"
#include "fast.h"
#include "parallel.h"

namespace octet {

// The scales the few-token kernels read (the AVX2 library's K-quant rows sum whole superblocks: dot.h).
constexpr Scales FEW_TOKEN_SCALES = SUPERBLOCK_SCALES ? Scales::per_block_and_superblock : Scales::per_block;

inline uint16_t to_bf16(float value) {  // round to nearest even; a NaN stays a (quiet) NaN
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) return (uint16_t)((bits >> 16) | 0x40);
  return (uint16_t)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
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
  quantize_activations(x, M, K, superblocks, xq, 1, FEW_TOKEN_SCALES);
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
