// A mixture-of-experts step for one token (Mixtral's feed-forward), fused: both chosen experts' w1 and w3
// rows in one parallel pass, SiLU, then their w2 rows and the weighted sum in another.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "rows.h"

namespace octet {

// out [D] = sum over a < A of gate[a] * w2[a] (silu(w1[a] x) * (w3[a] x)), x [D]; w1, w3: [F, D] and w2:
// [D, F] rows of quantized blocks (w1 and w3 of one type, w2 of another). Two parallel passes: the A
// experts' w1 and w3 rows together, then the rows of out, each summing its A experts' w2 rows (expert by
// expert within a thread's rows: one expert's activations, 21 KiB at F = 14336, stay in L1; both do not).
inline void moe(const float* x, int64_t D, int64_t F, int64_t A, const uint8_t* const* w1, const uint8_t* const* w3,
                const uint8_t* const* w2, RowDot up_dot, int up_type, RowDot down_dot, int down_type, const float* gate,
                float* out, int threads) {
  const int64_t sb_in = (D + QK_K - 1) / QK_K, sb_hidden = (F + QK_K - 1) / QK_K;
  const int64_t nb_in = D / type_size(up_type).weights, nb_hidden = F / type_size(down_type).weights;
  const int64_t up_stride = row_bytes(up_type, D), down_stride = row_bytes(down_type, F);
  QuantizedActivations xq, hq;
  quantize_activations(x, 1, D, sb_in, xq, 1, FEW_TOKEN_SCALES);
  std::vector<float> up(2 * A * F);  // [A][w1 | w3][F]
  parallel_rows(2 * A * F, rows_per_grab(up_stride), threads_for(2 * A * F * D, threads), [&](int64_t begin, int64_t end) {
    Unpacked* buffer = row_buffer(sb_in);
    const ActRow act = xq.row(0, sb_in);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t a = i / (2 * F), which = (i / F) % 2, r = i % F;
      const uint8_t* row = (which ? w3[a] : w1[a]) + r * up_stride;
      up_dot(row, &act, 1, nb_in, sb_in, buffer, &up[i]);
    }
  });
  std::vector<float> hidden(A * F);
  for (int64_t a = 0; a < A; ++a)
    for (int64_t r = 0; r < F; ++r) {
      const float g = up[(2 * a) * F + r], u = up[(2 * a + 1) * F + r];
      hidden[a * F + r] = g / (1.f + std::exp(-g)) * u;
    }
  quantize_activations(hidden.data(), A, F, sb_hidden, hq, 1, FEW_TOKEN_SCALES);
  parallel_rows(D, rows_per_grab(down_stride), threads_for(A * D * F, threads), [&](int64_t begin, int64_t end) {
    Unpacked* buffer = row_buffer(sb_hidden);
    for (int64_t n = begin; n < end; ++n) out[n] = 0.f;
    for (int64_t a = 0; a < A; ++a) {
      const ActRow act = hq.row(a, sb_hidden);
      for (int64_t n = begin; n < end; ++n) {
        float value;
        down_dot(w2[a] + n * down_stride, &act, 1, nb_hidden, sb_hidden, buffer, &value);
        out[n] += gate[a] * value;
      }
    }
  });
}

}  // namespace octet
