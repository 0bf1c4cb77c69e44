// Fused row kernels: for some types and instruction sets, a row's dot products read the file's blocks
// straight into registers (no unpacked copy of the codes), as llama.cpp's vec_dot functions do. Where a
// FastRow<TYPE> specialization exists for the ISA being built, matvec uses it; every other (type, ISA)
// takes the generic path (blocks.h unpack + dot.h accumulate), which is also the reference the tests
// hold the fast ones to.
#pragma once
#include <cstdint>

#include "blocks.h"
#include "dot.h"

namespace octet {

// dot(row, act, rows, nb, superblocks, out): out[m] = the row's weights . activations act[m], m < rows
// (rows <= 8), for a row of `nb` blocks of TYPE, activations padded to `superblocks` of 256.
template <int TYPE>
struct FastRow {
  static constexpr bool available = false;
  static void dot(const uint8_t*, const ActRow*, int64_t, int64_t, int64_t, float*) {}
};

}  // namespace octet

#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include "fast_avx512.h"
#elif defined(__AVX2__) && defined(__FMA__)
#include "fast_avx2.h"
#endif
