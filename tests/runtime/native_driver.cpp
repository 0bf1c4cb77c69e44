// Runs a kernel library (runtime/quant/native/kernels.cpp, built for any ISA) on cases read from a file, for
// tests/runtime/test_kernels_arm64.py, which cross-builds it for ARM64 and runs it under qemu-user:
//
//   native_driver LIBRARY CASES OUTPUTS       prints the library's octet_isa()
//
// CASES: little-endian int64 fields, case after case, ending with a 0:
//   1 type N K M threads bytes, then the weights [bytes], then x fp32 [M, K]
//       -> outputs: octet_dequantize fp32 [N, K], the same in bf16 [N, K], octet_matvec fp32 [M, N]
//   2 int8 H KV Hd stride first end threads, then q fp32 [H, Hd], keys, values [KV, stride, Hd] (bf16 bits or
//     int8), and for int8 key and value scales fp32 [KV, stride]  -> outputs: octet_decode_attention fp32 [H, Hd]
// Outputs are written one after the other. Any failure: a message and exit status 1.
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

using Isa = const char* (*)();
using Matvec = int (*)(const float*, int64_t, const uint8_t*, int64_t, int64_t, int, float*, int);
using Dequantize = int (*)(const uint8_t*, int64_t, int64_t, int, void*, int, int);
using Attention = void (*)(const float*, const void*, const void*, const float*, const float*, int64_t, int64_t,
                           int64_t, int64_t, int64_t, int64_t, int, float*, int);

static FILE* cases;
static FILE* outputs;

static void fail(const char* what) {
  std::fprintf(stderr, "native_driver: %s\n", what);
  std::exit(1);
}

static int64_t field() {
  int64_t value;
  if (std::fread(&value, 8, 1, cases) != 1) fail("cases end early");
  return value;
}

template <typename T>
static std::vector<T> array(int64_t count) {
  std::vector<T> values(count);
  if ((int64_t)std::fread(values.data(), sizeof(T), count, cases) != count) fail("cases end early");
  return values;
}

template <typename T>
static void write(const std::vector<T>& values) {
  if (std::fwrite(values.data(), sizeof(T), values.size(), outputs) != values.size()) fail("cannot write outputs");
}

static void* symbol(void* library, const char* name) {
  void* found = dlsym(library, name);
  if (!found) fail(dlerror());
  return found;
}

int main(int argc, char** argv) {
  if (argc != 4) fail("usage: native_driver LIBRARY CASES OUTPUTS");
  void* library = dlopen(argv[1], RTLD_NOW);
  if (!library) fail(dlerror());
  auto matvec = (Matvec)symbol(library, "octet_matvec");
  auto dequantize = (Dequantize)symbol(library, "octet_dequantize");
  auto attention = (Attention)symbol(library, "octet_decode_attention");
  cases = std::fopen(argv[2], "rb");
  outputs = std::fopen(argv[3], "wb");
  if (!cases || !outputs) fail("cannot open the cases or the outputs");
  for (int64_t kind = field(); kind != 0; kind = field()) {
    if (kind == 1) {
      const int64_t type = field(), N = field(), K = field(), M = field(), threads = field(), bytes = field();
      const std::vector<uint8_t> w = array<uint8_t>(bytes);
      const std::vector<float> x = array<float>(M * K);
      std::vector<float> dense(N * K), out(M * N);
      std::vector<uint16_t> dense_bf16(N * K);
      if (dequantize(w.data(), N, K, (int)type, dense.data(), 0, (int)threads) != 0 ||
          dequantize(w.data(), N, K, (int)type, dense_bf16.data(), 1, (int)threads) != 0 ||
          matvec(x.data(), M, w.data(), N, K, (int)type, out.data(), (int)threads) != 0)
        fail("the library refused a type");
      write(dense);
      write(dense_bf16);
      write(out);
    } else if (kind == 2) {
      const int64_t int8 = field(), H = field(), KV = field(), Hd = field(), stride = field(), first = field(),
                    end = field(), threads = field();
      const std::vector<float> q = array<float>(H * Hd);
      const int64_t cells = KV * stride * Hd, width = int8 ? 1 : 2;
      const std::vector<uint8_t> keys = array<uint8_t>(cells * width), values = array<uint8_t>(cells * width);
      std::vector<float> key_scales, value_scales, out(H * Hd);
      if (int8) {
        key_scales = array<float>(KV * stride);
        value_scales = array<float>(KV * stride);
      }
      attention(q.data(), keys.data(), values.data(), int8 ? key_scales.data() : nullptr,
                int8 ? value_scales.data() : nullptr, H, KV, Hd, stride, first, end, (int)int8, out.data(),
                (int)threads);
      write(out);
    } else {
      fail("unknown case kind");
    }
  }
  std::fclose(outputs);
  std::printf("%s\n", ((Isa)symbol(library, "octet_isa"))());
  return 0;
}
