// One token through one decoder layer (Llama, Mistral and Mixtral shapes) in a single call: for a small model
// a decode step's time went mostly between kernels (SmolLM2-135M: about 20 torch ops and 4 kernel calls a
// layer, 45% of a token's time), not in them; for Mixtral about a tenth.
//
//   x += wo · attention(rope(wq · norm(x)), rope(wk · norm(x)), wv · norm(x))    (the new key and value stored)
//   x += w2 · (silu(w1 · norm(x)) * (w3 · norm(x)))      a dense layer, or for a mixture of experts:
//   x += sum over the A experts with the highest router logits of p_e · w2_e · (silu(w1_e · norm(x)) * (w3_e · norm(x)))
//        (p: the router's softmax over those A, as transformers' Mixtral; moe.h)
//
// The residual stream stays fp32 across the layer; the matrices are the few-token products of rows.h (x
// quantized per block of 32), attention is attention.h's over the layer's cache. RoPE is Hugging Face's
// rotate-half: q and k are first put in that order (q_order, k_order undo llama.cpp's row permutation).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "attention.h"
#include "moe.h"
#include "rows.h"

namespace octet {

// A layer's shape and weights (kernels.py's DecoderLayer structure has this layout).
struct DecoderLayer {
  int64_t D, F, H, K, Hd;  // hidden size, ffn size (an expert's), query heads, key/value heads, head dim
  float eps;               // RMSNorm's
  const float* attention_norm;  // fp32 [D]
  const float* ffn_norm;        // fp32 [D]
  const uint8_t* w[7];  // rows of blocks: wq [H Hd, D], wk and wv [K Hd, D], wo [D, H Hd], w1 and w3 [F, D], w2 [D, F]
  int32_t types[7];     // (of w1, w3 and w2: every expert's, w1 and w3 of one type)
  const int64_t* q_order;  // output j of wq is the file's row q_order[j]; null: the file's order
  const int64_t* k_order;
  int64_t E, A;  // a mixture of E experts, A a token; E = 0: dense (w[4..6])
  const float* router;  // fp32 [E, D]
  const uint8_t* const* experts[3];  // each expert's w1, w3 and w2 (E pointers each)
};

// Where the token's key and value go, and what it attends to (kernels.py's CacheSlot).
struct CacheSlot {
  void* keys;    // the layer's [K, stride, Hd]: bf16 bits, or int8
  void* values;
  float* key_scales;  // int8: [K, stride] fp32 (one scale per head and position); null for bf16
  float* value_scales;
  int64_t stride;    // positions the cache holds
  int64_t position;  // this token's
  int64_t first;     // the first position it sees (a sliding window's start, else 0)
  int32_t int8;
};

inline void rms_norm(const float* x, const float* weight, int64_t D, float eps, float* out) {
  float squares = 0.f;
  for (int64_t i = 0; i < D; ++i) squares += x[i] * x[i];
  const float scale = 1.f / std::sqrt(squares / (float)D + eps);
  for (int64_t i = 0; i < D; ++i) out[i] = weight[i] * (x[i] * scale);
}

// `heads` vectors of Hd at x rotated in place: (a, b) -> (a cos - b sin, b cos + a sin) for a = x[i] and
// b = x[i + Hd/2], with cos and sin [Hd] of the token's position (runtime/rope.py's tables).
inline void rotate_half(float* x, int64_t heads, int64_t Hd, const float* cos, const float* sin) {
  const int64_t half = Hd / 2;
  for (int64_t h = 0; h < heads; ++h) {
    float* v = x + h * Hd;
    for (int64_t i = 0; i < half; ++i) {
      const float a = v[i], b = v[i + half];
      v[i] = a * cos[i] - b * sin[i];
      v[i + half] = b * cos[i + half] + a * sin[i + half];
    }
  }
}

inline void reorder(const float* in, const int64_t* order, int64_t n, float* out) {
  for (int64_t j = 0; j < n; ++j) out[j] = order ? in[order[j]] : in[j];
}

// One position's K heads of Hd values into a cache tensor [K, stride, Hd]: bf16 (rounded to nearest), or int8
// with one scale per head, max|x| / 127, as runtime/kv_cache.py's quantize_int8.
inline void store_heads(const float* x, int64_t K, int64_t Hd, const CacheSlot& c, void* stored, float* scales) {
  for (int64_t k = 0; k < K; ++k) {
    const float* v = x + k * Hd;
    const int64_t at = (k * c.stride + c.position) * Hd;
    if (!c.int8) {
      for (int64_t i = 0; i < Hd; ++i) ((uint16_t*)stored)[at + i] = to_bf16(v[i]);
      continue;
    }
    float amax = 0.f;
    for (int64_t i = 0; i < Hd; ++i) amax = std::max(amax, std::fabs(v[i]));
    const float scale = amax / 127.f, safe = scale > 0.f ? scale : 1.f;
    for (int64_t i = 0; i < Hd; ++i)
      ((int8_t*)stored)[at + i] = (int8_t)std::clamp(std::nearbyint(v[i] / safe), -127.f, 127.f);
    scales[k * c.stride + c.position] = scale;
  }
}

// The A experts with the highest router logits (ties: the lower index) and their softmax weights over those A.
inline void route(const float* router, const float* x, int64_t E, int64_t D, int64_t A, int64_t* chosen, float* weights) {
  std::vector<float> logits(E);
  for (int64_t e = 0; e < E; ++e) {
    float sum = 0.f;
    for (int64_t i = 0; i < D; ++i) sum += router[e * D + i] * x[i];
    logits[e] = sum;
  }
  std::vector<int64_t> order(E);
  for (int64_t e = 0; e < E; ++e) order[e] = e;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return logits[a] > logits[b]; });
  float total = 0.f;
  for (int64_t a = 0; a < A; ++a) {
    chosen[a] = order[a];
    weights[a] = std::exp(logits[order[a]] - logits[order[0]]);
    total += weights[a];
  }
  for (int64_t a = 0; a < A; ++a) weights[a] /= total;
}

// out [D] = the layer's feed-forward of x [D]: a dense SwiGLU, or its A routed experts (moe.h).
inline void feed_forward(const float* x, const DecoderLayer& L, float* out, int threads) {
  const int64_t D = L.D, F = L.F;
  if (L.E > 0) {
    std::vector<int64_t> chosen(L.A);
    std::vector<float> weights(L.A);
    route(L.router, x, L.E, D, L.A, chosen.data(), weights.data());
    std::vector<const uint8_t*> w1(L.A), w3(L.A), w2(L.A);
    for (int64_t a = 0; a < L.A; ++a) {
      w1[a] = L.experts[0][chosen[a]];
      w3[a] = L.experts[1][chosen[a]];
      w2[a] = L.experts[2][chosen[a]];
    }
    RowDot up, down;
    row_dot_for(L.types[4], up);
    row_dot_for(L.types[6], down);
    moe(x, D, F, L.A, w1.data(), w3.data(), w2.data(), up, L.types[4], down, L.types[6], weights.data(), out, threads);
    return;
  }
  std::vector<float> gate(F), up(F);
  const int64_t up_rows[2] = {F, F};
  float* gate_up[2] = {gate.data(), up.data()};
  matvec_many(x, 1, D, 2, &L.w[4], up_rows, &L.types[4], gate_up, threads);
  for (int64_t i = 0; i < F; ++i) gate[i] = gate[i] / (1.f + std::exp(-gate[i])) * up[i];
  float* outs[1] = {out};
  matvec_many(gate.data(), 1, F, 1, &L.w[6], &D, &L.types[6], outs, threads);
}

// out [D] = wo · the attention of normed [D]'s query over the cache, the token's rotated key and its value
// stored first.
inline void self_attention(const float* normed, const DecoderLayer& L, const CacheSlot& c, const float* cos,
                           const float* sin, float* out, int threads) {
  const int64_t D = L.D, Hd = L.Hd, QD = L.H * Hd, KD = L.K * Hd;
  std::vector<float> q(QD), k(KD), v(KD), q_file(QD), k_file(KD), attended(QD);
  const int64_t qkv_rows[3] = {QD, KD, KD};
  float* qkv[3] = {q_file.data(), k_file.data(), v.data()};
  matvec_many(normed, 1, D, 3, L.w, qkv_rows, L.types, qkv, threads);
  reorder(q_file.data(), L.q_order, QD, q.data());
  reorder(k_file.data(), L.k_order, KD, k.data());
  rotate_half(q.data(), L.H, Hd, cos, sin);
  rotate_half(k.data(), L.K, Hd, cos, sin);
  store_heads(k.data(), L.K, Hd, c, c.keys, c.key_scales);
  store_heads(v.data(), L.K, Hd, c, c.values, c.value_scales);
  const float scale = (float)(1.0 / std::sqrt((double)Hd));
  for (float& value : q) value *= scale;
  if (c.int8)
    decode_attention(q.data(), (const int8_t*)c.keys, (const int8_t*)c.values, c.key_scales, c.value_scales, L.H, L.K,
                     Hd, c.stride, c.first, c.position + 1, attended.data(), threads);
  else
    decode_attention(q.data(), (const uint16_t*)c.keys, (const uint16_t*)c.values, nullptr, nullptr, L.H, L.K, Hd,
                     c.stride, c.first, c.position + 1, attended.data(), threads);
  float* outs[1] = {out};
  matvec_many(attended.data(), 1, QD, 1, &L.w[3], &D, &L.types[3], outs, threads);
}

// x fp32 [D] through the layer, in place. False (x untouched) when a weight's type has no few-token kernel.
inline bool decode_layer(float* x, const DecoderLayer& L, const CacheSlot& c, const float* cos, const float* sin,
                         int threads) {
  RowDot unused;
  for (int32_t type : L.types)
    if (!row_dot_for(type, unused)) return false;
  std::vector<float> normed(L.D), o(L.D);
  rms_norm(x, L.attention_norm, L.D, L.eps, normed.data());
  self_attention(normed.data(), L, c, cos, sin, o.data(), threads);
  for (int64_t i = 0; i < L.D; ++i) x[i] += o[i];
  rms_norm(x, L.ffn_norm, L.D, L.eps, normed.data());
  feed_forward(normed.data(), L, o.data(), threads);
  for (int64_t i = 0; i < L.D; ++i) x[i] += o[i];
  return true;
}

}  // namespace octet
