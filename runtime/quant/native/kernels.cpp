// Octet's CPU kernels: a plain C ABI over raw pointers, called through ctypes (runtime/quant/kernels.py).
// Built once per instruction set when Octet is installed (runtime/quant/native.py: avx512, avx2 and
// portable on x86-64; neon and portable on ARM64); the runtime loads the one this CPU runs.
//
// Weights are GGUF tensors as the file stores them (rows of blocks, read in the memory-mapped file):
// F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K. Each call names its threads.
//
//   octet_isa() -> "avx512" | "avx2" | "neon" | "portable"
//   octet_supports(type) -> 1 if the type is read here
//   octet_matvec(x fp32 [M, K], M, w, N, K, type, out fp32 [M, N]): out = x W^T. As llama.cpp does for a
//     few tokens, x is quantized to int8 per block of 32 (scale amax / 127; per superblock of 256 for the
//     K-quants where octet_superblock_scales() says so) and multiplied with the weights' integer codes;
//     float weights multiply fp32 x directly
//   octet_dequantize(w, N, K, type, out [N, K], bf16): the weights in fp32 (or bf16, rounded to nearest)
//   octet_moe(x, D, F, A, w1, w3, w2, up_type, down_type, gate, out): one token through A experts, fused
//   octet_matvec_many(x, M, K, count, w, N, types, out): several matrices on the same few tokens, fused
//   octet_decode_attention(...): one query token over a layer's KV cache (attention.h)
//   octet_gated_matmul(x, M, w1, w3, N, K, type, out): a prompt's silu(x W1^T) * (x W3^T), x quantized once
//   octet_prompt_attention(...): a prompt's tokens over a layer's KV cache (prompt_attention.h; avx512 and avx2)
//   octet_decoder_layer(x, layer, cache, cos, sin): one token through a decoder layer (layer.h)
//   octet_gguf_strings(data, size, count, joined, longest): a GGUF header's string array (gguf_strings.h)
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "attention.h"
#include "layer.h"
#include "moe.h"
#include "rows.h"
#include "gguf_strings.h"
#include "gemm.h"  // defines OCTET_GEMM: 512 (avx512), 2 (avx2) or 0
#include "prompt_attention.h"

namespace octet {

template <int TYPE>
void matvec_blocks(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t K, float* out, int threads) {
  const int64_t nb = K / type_size(TYPE).weights, superblocks = (K + QK_K - 1) / QK_K, stride = row_bytes(TYPE, K);
  QuantizedActivations xq;
  quantize_activations(x, M, K, superblocks, xq, 1, FEW_TOKEN_SCALES);
  for (int64_t m0 = 0; m0 < M; m0 += MAX_TOKENS) {
    const int64_t rows = std::min<int64_t>(MAX_TOKENS, M - m0);
    parallel_rows(N, rows_per_grab(stride), threads_for(N * K, threads), [&](int64_t begin, int64_t end) {
      Unpacked* buffer = row_buffer(superblocks);
      ActRow act[MAX_TOKENS];
      float values[MAX_TOKENS];
      for (int64_t m = 0; m < rows; ++m) act[m] = xq.row(m0 + m, superblocks);
      for (int64_t n = begin; n < end; ++n) {
        dot_row<TYPE>(w + n * stride, act, rows, nb, superblocks, buffer, values);
        for (int64_t m = 0; m < rows; ++m) out[(m0 + m) * N + n] = values[m];
      }
    });
  }
}

template <int TYPE>
void dequantize_blocks(const uint8_t* w, int64_t N, int64_t K, void* out, bool bf16, int threads) {
  constexpr bool SIGNED = TYPE == Q8_0;
  const int64_t nb = K / type_size(TYPE).weights, superblocks = (K + QK_K - 1) / QK_K, stride = row_bytes(TYPE, K);
  parallel_rows(N, 16, threads_for(N * K, threads), [&](int64_t begin, int64_t end) {
    Unpacked u;
    alignas(64) float values[QK_K];
    alignas(64) uint16_t halves[QK_K];
    for (int64_t n = begin; n < end; ++n)
      for (int64_t s = 0; s < superblocks; ++s) {
        unpack<TYPE>(w + n * stride, s, nb, u);
        for (int g = 0; g < GROUPS; ++g)  // group by group: each inner loop is one vector
          for (int i = 0; i < GROUP; ++i) {
            const uint8_t code = u.code[g * GROUP + i];
            values[g * GROUP + i] = u.scale[g] * (SIGNED ? (float)(int8_t)code : (float)code) + u.offset[g];
          }
        const int64_t count = std::min<int64_t>(QK_K, K - s * QK_K), at = n * K + s * QK_K;
        if (bf16) {
          for (int i = 0; i < QK_K; ++i) halves[i] = to_bf16(values[i]);
          std::memcpy((uint16_t*)out + at, halves, count * sizeof(uint16_t));
        } else {
          std::memcpy((float*)out + at, values, count * sizeof(float));
        }
      }
  });
}

// ---- float weights ----

#if defined(__aarch64__)
inline float widen_f16(uint16_t bits) {
  __fp16 h;
  std::memcpy(&h, &bits, 2);
  return (float)h;
}
#elif defined(__FLT16_MAX__)
inline float widen_f16(uint16_t bits) {
  _Float16 h;
  std::memcpy(&h, &bits, 2);
  return (float)h;
}
#else
inline float widen_f16(uint16_t bits) { return half_to_float(bits); }
#endif

template <int TYPE>
inline float float_weight(const uint8_t* row, int64_t i) {
  if constexpr (TYPE == F32) {
    float v;
    std::memcpy(&v, row + 4 * i, 4);
    return v;
  } else {
    uint16_t bits;
    std::memcpy(&bits, row + 2 * i, 2);
    return TYPE == F16 ? widen_f16(bits) : bf16_to_float(bits);
  }
}

template <int TYPE>
void matvec_float(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t K, float* out, int threads) {
  const int64_t stride = row_bytes(TYPE, K);
  parallel_rows(N, 16, threads_for(N * K, threads), [&](int64_t begin, int64_t end) {
    std::vector<float> row(K);
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t i = 0; i < K; ++i) row[i] = float_weight<TYPE>(w + n * stride, i);
      for (int64_t m = 0; m < M; ++m) {
        float partial[16] = {0.f};
        const float* xm = x + m * K;
        int64_t i = 0;
        for (; i + 16 <= K; i += 16)
          for (int j = 0; j < 16; ++j) partial[j] += row[i + j] * xm[i + j];
        float sum = 0.f;
        for (; i < K; ++i) sum += row[i] * xm[i];
        for (int j = 0; j < 16; ++j) sum += partial[j];
        out[m * N + n] = sum;
      }
    }
  });
}

template <int TYPE>
void dequantize_float(const uint8_t* w, int64_t N, int64_t K, void* out, bool bf16, int threads) {
  const int64_t stride = row_bytes(TYPE, K);
  parallel_rows(N, 16, threads_for(N * K, threads), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n)
      for (int64_t i = 0; i < K; ++i) {
        const float v = float_weight<TYPE>(w + n * stride, i);
        if (bf16) ((uint16_t*)out)[n * K + i] = to_bf16(v);  // exact for BF16 weights
        else ((float*)out)[n * K + i] = v;
      }
  });
}

// ---- dispatch by type ----

template <template <int> class Op, typename... Args>
bool by_type(int type, Args... args) {
  switch (type) {
    case F32: Op<F32>::run(args...); return true;
    case F16: Op<F16>::run(args...); return true;
    case BF16: Op<BF16>::run(args...); return true;
    case Q4_0: Op<Q4_0>::run(args...); return true;
    case Q4_1: Op<Q4_1>::run(args...); return true;
    case Q5_0: Op<Q5_0>::run(args...); return true;
    case Q5_1: Op<Q5_1>::run(args...); return true;
    case Q8_0: Op<Q8_0>::run(args...); return true;
    case Q2_K: Op<Q2_K>::run(args...); return true;
    case Q3_K: Op<Q3_K>::run(args...); return true;
    case Q4_K: Op<Q4_K>::run(args...); return true;
    case Q5_K: Op<Q5_K>::run(args...); return true;
    case Q6_K: Op<Q6_K>::run(args...); return true;
    default: return false;
  }
}

constexpr bool is_float(int type) { return type == F32 || type == F16 || type == BF16; }

template <int TYPE>
struct Matvec {
  static void run(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t K, float* out, int threads) {
    if constexpr (is_float(TYPE)) matvec_float<TYPE>(x, M, w, N, K, out, threads);
    else matvec_blocks<TYPE>(x, M, w, N, K, out, threads);
  }
};

template <int TYPE>
struct Dequantize {
  static void run(const uint8_t* w, int64_t N, int64_t K, void* out, bool bf16, int threads) {
    if constexpr (is_float(TYPE)) dequantize_float<TYPE>(w, N, K, out, bf16, threads);
    else dequantize_blocks<TYPE>(w, N, K, out, bf16, threads);
  }
};

#if OCTET_GEMM
// x [M, K] quantized as a prompt's products on TYPE read it (gemm::superblock_activations: per superblock).
template <int TYPE>
struct PromptActivations {
  QuantizedActivations xq;
  std::vector<ActRow> rows;
  PromptActivations(const float* x, int64_t M, int64_t K, int threads) : rows(M) {
    const int64_t superblocks = (K + QK_K - 1) / QK_K;
    quantize_activations(x, M, K, superblocks, xq, threads,
                         gemm::superblock_activations<TYPE>() ? Scales::per_superblock : Scales::per_block);
    for (int64_t m = 0; m < M; ++m) rows[m] = xq.row(m, superblocks);
  }
};

template <int TYPE>
struct Matmul {
  static void run(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t K, float* out, int threads) {
    if constexpr (!is_float(TYPE)) {  // octet_matmul refuses float types before this
      const PromptActivations<TYPE> activations(x, M, K, threads);
      gemm::matmul<TYPE>(activations.rows.data(), M, w, N, K, out, threads);
    }
  }
};

template <int TYPE>
struct GatedMatmul {
  static void run(const float* x, int64_t M, const uint8_t* w1, const uint8_t* w3, int64_t N, int64_t K, float* out,
                  int threads) {
    if constexpr (!is_float(TYPE)) {
      const PromptActivations<TYPE> activations(x, M, K, threads);
      gemm::gated_matmul<TYPE>(activations.rows.data(), M, w1, w3, N, K, out, threads);
    }
  }
};
#endif

}  // namespace octet

// Only these are exported (the build hides everything else: -fvisibility=hidden), so that two variants
// loaded in one process can never call each other's internals.
#define OCTET_API __attribute__((visibility("default")))

extern "C" {

OCTET_API const char* octet_isa() { return OCTET_ISA; }

OCTET_API int octet_supports(int type) { return octet::type_size(type).weights > 0; }

// Returns 0, or -1 for a type it does not read. K: a whole number of the type's blocks.
OCTET_API int octet_matvec(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t K, int type, float* out,
                 int threads) {
  return octet::by_type<octet::Matvec>(type, x, M, w, N, K, out, threads) ? 0 : -1;
}

OCTET_API int octet_dequantize(const uint8_t* w, int64_t N, int64_t K, int type, void* out, int bf16, int threads) {
  return octet::by_type<octet::Dequantize>(type, w, N, K, out, (bool)bf16, threads) ? 0 : -1;
}

// 1 where the few-token kernels read K-quant rows against activations with one scale per superblock of 256
// (the avx2 library: octet::SUPERBLOCK_SCALES), else 0 (one scale per block of 32, every type).
OCTET_API int octet_superblock_scales() { return octet::SUPERBLOCK_SCALES ? 1 : 0; }

// 1 where octet_matmul quantizes x per superblock of 256 for rows of `type` (the K-quants on avx512:
// gemm::superblock_activations), else 0 (per block of 32).
OCTET_API int octet_matmul_superblock_scales(int type) {
#if OCTET_GEMM
  return octet::gemm::superblock_activations(type) ? 1 : 0;
#else
  (void)type;
  return 0;
#endif
}

// 1 where octet_matmul runs (the avx512 and avx2 libraries), else 0.
OCTET_API int octet_has_matmul() { return OCTET_GEMM != 0; }

// A prompt's product out fp32 [M, N] = x fp32 [M, K] W^T with integer arithmetic (gemm.h): x quantized per
// block of 32 as in octet_matvec, any M. Returns 0, or -1 for a float or unknown type, or where this
// library has no such product (octet_has_matmul).
OCTET_API int octet_matmul(const float* x, int64_t M, const uint8_t* w, int64_t N, int64_t K, int type, float* out,
                           int threads) {
#if OCTET_GEMM
  if (!octet::gemm::supports(type)) return -1;
  return octet::by_type<octet::Matmul>(type, x, M, w, N, K, out, threads) ? 0 : -1;
#else
  (void)x, (void)M, (void)w, (void)N, (void)K, (void)type, (void)out, (void)threads;
  return -1;
#endif
}

// A SwiGLU's gate and up products of a prompt in one (gemm::gated_matmul): out fp32 [M, N] = silu(x W1^T) * (x W3^T),
// W1 and W3 both of `type`, x fp32 [M, K] quantized once as for octet_matmul. Returns 0, or -1 where octet_matmul would.
OCTET_API int octet_gated_matmul(const float* x, int64_t M, const uint8_t* w1, const uint8_t* w3, int64_t N, int64_t K,
                                 int type, float* out, int threads) {
#if OCTET_GEMM
  if (!octet::gemm::supports(type)) return -1;
  return octet::by_type<octet::GatedMatmul>(type, x, M, w1, w3, N, K, out, threads) ? 0 : -1;
#else
  (void)x, (void)M, (void)w1, (void)w3, (void)N, (void)K, (void)type, (void)out, (void)threads;
  return -1;
#endif
}

// One token through A experts of a mixture-of-experts layer (see octet::moe): x fp32 [D], w1/w3/w2 arrays of
// A pointers to each expert's matrix, gate fp32 [A], out fp32 [D]. Returns -1 for a float or unknown type.
OCTET_API int octet_moe(const float* x, int64_t D, int64_t F, int64_t A, const uint8_t* const* w1, const uint8_t* const* w3,
              const uint8_t* const* w2, int up_type, int down_type, const float* gate, float* out, int threads) {
  octet::RowDot up, down;
  if (!octet::row_dot_for(up_type, up) || !octet::row_dot_for(down_type, down)) return -1;
  octet::moe(x, D, F, A, w1, w3, w2, up, up_type, down, down_type, gate, out, threads);
  return 0;
}

// Several matrices on the same activations (a layer's q, k and v projections): x fp32 [M, K] (M <= 8)
// quantized once, then the rows of all `count` matrices w[i] (N[i] rows of K weights of types[i]) in one
// parallel pass; out[i] fp32 [M, N[i]]. Returns -1 for a float or unknown type (nothing is computed).
OCTET_API int octet_matvec_many(const float* x, int64_t M, int64_t K, int64_t count, const uint8_t* const* w, const int64_t* N,
                      const int* types, float* const* out, int threads) {
  return octet::matvec_many(x, M, K, count, w, N, types, out, threads) ? 0 : -1;
}

// q: fp32 [H, Hd], already multiplied by Hd^-0.5; keys, values: one layer [K, stride, Hd] (bf16 bits, or
// int8 with key_scales and value_scales [K, stride]; null for bf16); out: fp32 [H, Hd]. Hd % 16 == 0.
OCTET_API void octet_decode_attention(const float* q, const void* keys, const void* values, const float* key_scales,
                            const float* value_scales, int64_t H, int64_t K, int64_t Hd, int64_t stride,
                            int64_t first, int64_t end, int int8, float* out, int threads) {
  if (int8)
    octet::decode_attention(q, (const int8_t*)keys, (const int8_t*)values, key_scales, value_scales, H, K, Hd, stride,
                            first, end, out, threads);
  else
    octet::decode_attention(q, (const uint16_t*)keys, (const uint16_t*)values, nullptr, nullptr, H, K, Hd, stride,
                            first, end, out, threads);
}

// 1 where octet_prompt_attention runs (the avx512 and avx2 libraries).
OCTET_API int octet_has_prompt_attention() { return OCTET_GEMM != 0; }

// q: fp32 [H, T, Hd], already multiplied by Hd^-0.5, at positions start .. start + T - 1 (their keys and values
// stored); keys, values: one layer [K, stride, Hd] as for octet_decode_attention; window: 0 for none; out: fp32
// [H, T, Hd]. Returns -1 (out untouched) where the library has no prompt attention.
OCTET_API int octet_prompt_attention(const float* q, const void* keys, const void* values, const float* key_scales,
                                     const float* value_scales, int64_t H, int64_t K, int64_t Hd, int64_t stride,
                                     int64_t T, int64_t start, int64_t window, int int8, float* out, int threads) {
#if OCTET_GEMM
  if (int8)
    octet::prompt::prompt_attention(q, (const int8_t*)keys, (const int8_t*)values, key_scales, value_scales, H, K, Hd,
                                    stride, T, start, window, out, threads);
  else
    octet::prompt::prompt_attention(q, (const uint16_t*)keys, (const uint16_t*)values, nullptr, nullptr, H, K, Hd,
                                    stride, T, start, window, out, threads);
  return 0;
#else
  return -1;
#endif
}

// One token through a decoder layer (octet::decode_layer): x fp32 [D], changed in place; cos and sin fp32 [Hd]
// of the token's position. Returns -1 (x untouched) for a weight type without a few-token kernel.
OCTET_API int octet_decoder_layer(float* x, const octet::DecoderLayer* layer, const octet::CacheSlot* cache,
                                  const float* cos, const float* sin, int threads) {
  return octet::decode_layer(x, *layer, *cache, cos, sin, threads) ? 0 : -1;
}

// A GGUF header's array of `count` strings at data[0, size) (octet::gguf_strings): its size in bytes, or -1
// where a length runs past `size`; with `joined` not null, the strings joined by NULs written there.
OCTET_API int64_t octet_gguf_strings(const uint8_t* data, int64_t size, int64_t count, uint8_t* joined,
                                     int64_t* longest) {
  return octet::gguf_strings(data, size, count, joined, longest);
}

}  // extern "C"
