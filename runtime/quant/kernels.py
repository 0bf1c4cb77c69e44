"""The matrix kernels quantized layers run on: our own native kernels on GGUF blocks where they lie
(native/kernels.cpp, one library per instruction set built at install by native.py; `gguf_kernels()`
loads the one this CPU runs, or gives None and the callers use torch's ops), and torch's packed int8/int4
ops for everything else.

Signatures of torch 2.13's ops, found by experiment (CPU unless said):
- `_weight_int8pack_mm(x [M, K], w int8 [N, K], scales [N])` -> [M, N]; scales in x's dtype. With
  fp32 x it is ~8× slower than with bf16 x (27.6 ms vs 3.5 ms for 14336×4096 at M=1, 2 threads).
- `_convert_weight_to_int4pack_for_cpu(q int32 [N, K] in 0..15, inner_k_tiles)` -> packed uint8
  [N, K/2]; needs N % 16 == 0 and K % (inner_k_tiles * 16) == 0 (inner_k_tiles 2, 4 or 8).
- `_weight_int4pack_mm_for_cpu(x [M, K], packed, group_size, scale_and_zero [K/gs, N, 2])` computes
  w = (q - 8) * scale + zero; scale_and_zero in x's dtype (bf16: fp32 x is ~30× slower); group size
  32, 64, 128 or 256.
- CUDA (tinygemm): `_convert_weight_to_int4pack(q uint8 [N, K/2] as (q[2i] << 4) | q[2i+1],
  inner_k_tiles)` and `_weight_int4pack_mm(x bf16, packed, group_size, scale_and_zero bf16)`; same math.
"""
import contextlib
import ctypes
import functools
import os
import warnings

import torch

from . import native

# ggml type id -> weights and bytes per block, for the types the native kernels read (native/blocks.h)
GGML_BLOCKS = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
               10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210)}
GGML_BLOCK_WEIGHTS = {t: w for t, (w, _) in GGML_BLOCKS.items()}
GGML_BLOCK_BYTES = {t: b for t, (_, b) in GGML_BLOCKS.items()}
INT4_INNER_K_TILES = 2


def int8_mm(x: torch.Tensor, weight: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """x [M, K] @ (weight int8 [N, K] * scales [N]).T -> [M, N] in x's dtype."""
    return torch.ops.aten._weight_int8pack_mm(x, weight, scales.to(x.dtype))


def int4_pack(q: torch.Tensor) -> torch.Tensor:
    """Codes q [N, K] in 0..15 into the int4 kernel's packed layout on q's device."""
    if q.is_cuda:
        pairs = q.to(torch.uint8).view(q.shape[0], -1, 2)
        return torch.ops.aten._convert_weight_to_int4pack((pairs[..., 0] << 4) | pairs[..., 1], INT4_INNER_K_TILES)
    return torch.ops.aten._convert_weight_to_int4pack_for_cpu(q.to(torch.int32), INT4_INNER_K_TILES)


def int4_mm(x: torch.Tensor, packed: torch.Tensor, group_size: int, scale_and_zero: torch.Tensor) -> torch.Tensor:
    """x [M, K] @ dequantized packed weights [N, K].T, w = (q - 8) * scale + zero per group."""
    scale_and_zero = scale_and_zero.to(x.dtype)
    if x.is_cuda:
        return torch.ops.aten._weight_int4pack_mm(x, packed, group_size, scale_and_zero)
    return torch.ops.aten._weight_int4pack_mm_for_cpu(x, packed, group_size, scale_and_zero)


def int4_packable(shape: tuple[int, int], group_size: int) -> bool:
    """Whether the int4 kernels take a weight [N, K] with this group size."""
    n, k = shape
    return n % 16 == 0 and k % max(group_size, INT4_INNER_K_TILES * 16) == 0 and group_size in (32, 64, 128, 256)


class DecoderLayer(ctypes.Structure):
    """native/layer.h's DecoderLayer: one decoder layer's shape and weights, as pointers."""
    _fields_ = [("D", ctypes.c_int64), ("F", ctypes.c_int64), ("H", ctypes.c_int64), ("K", ctypes.c_int64),
                ("Hd", ctypes.c_int64), ("eps", ctypes.c_float), ("attention_norm", ctypes.c_void_p),
                ("ffn_norm", ctypes.c_void_p), ("w", ctypes.c_void_p * 7), ("types", ctypes.c_int32 * 7),
                ("q_order", ctypes.c_void_p), ("k_order", ctypes.c_void_p), ("E", ctypes.c_int64),
                ("A", ctypes.c_int64), ("router", ctypes.c_void_p), ("experts", ctypes.c_void_p * 3)]


class CacheSlot(ctypes.Structure):
    """native/layer.h's CacheSlot: one layer's KV cache, the token's position and the first it sees."""
    _fields_ = [("keys", ctypes.c_void_p), ("values", ctypes.c_void_p), ("key_scales", ctypes.c_void_p),
                ("value_scales", ctypes.c_void_p), ("stride", ctypes.c_int64), ("position", ctypes.c_int64),
                ("first", ctypes.c_int64), ("int8", ctypes.c_int32)]


class GGUFKernels:
    """Our kernels (native/kernels.cpp, the library for this CPU's instruction set) on torch tensors:
    checks shapes, passes pointers. Weights are GGUF rows of blocks as the file stores them."""

    def __init__(self, library: ctypes.CDLL, isa: str):
        self.lib, self.isa = library, isa
        i64, ptr, i32 = ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
        library.octet_isa.restype = ctypes.c_char_p
        library.octet_supports.argtypes = [i32]
        library.octet_matvec.argtypes = [ptr, i64, ptr, i64, i64, i32, ptr, i32]
        library.octet_dequantize.argtypes = [ptr, i64, i64, i32, ptr, i32, i32]
        library.octet_decode_attention.argtypes = [ptr, ptr, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64,
                                                   i32, ptr, i32]
        library.octet_gated_matmul.argtypes = [ptr, i64, ptr, ptr, i64, i64, i32, ptr, i32]
        library.octet_prompt_attention.argtypes = [ptr, ptr, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i32,
                                                   ptr, i32]
        self.prompt_attention_here = bool(library.octet_has_prompt_attention())  # avx512 and avx2
        library.octet_moe.argtypes = [ptr, i64, i64, i64, ptr, ptr, ptr, i32, i32, ptr, ptr, i32]
        library.octet_matvec_many.argtypes = [ptr, i64, i64, i64, ptr, ptr, ptr, ptr, i32]
        library.octet_matmul.argtypes = [ptr, i64, ptr, i64, i64, i32, ptr, i32]
        library.octet_decoder_layer.argtypes = [ptr, ctypes.POINTER(DecoderLayer), ctypes.POINTER(CacheSlot), ptr, ptr,
                                                i32]
        self.integer_matmul = bool(library.octet_has_matmul())  # the prompt's product (avx512 and avx2)
        # the few-token kernels quantize x per superblock of 256 for K-quant rows (avx2), else per block of 32
        self.superblock_activations = bool(library.octet_superblock_scales())
        # the prompt's product quantizes x per superblock of 256 for these types' rows (their panels fold the
        # group scales into the codes: Q3_K on avx512), else per block of 32
        library.octet_matmul_superblock_scales.argtypes = [i32]
        self.matmul_superblock_types = frozenset(t for t in GGML_BLOCK_WEIGHTS
                                                 if library.octet_matmul_superblock_scales(int(t)))
        if library.octet_isa().decode() != isa:
            raise OSError(f"{isa} library reports {library.octet_isa().decode()}")
        self.threads = torch.get_num_threads()  # set by the engine; torch may be held at 1 while decoding
        self.attention_threads = None  # decode attention's threads where not `threads` (benchmarks/long_context.py)

    def supports(self, qtype: int, in_features: int) -> bool:
        """Whether rows of `in_features` weights of this GGUF type run here."""
        block = GGML_BLOCK_WEIGHTS.get(int(qtype))
        return block is not None and in_features % block == 0 and bool(self.lib.octet_supports(int(qtype)))

    @staticmethod
    def _check_rows(w: torch.Tensor, qtype: int, in_features: int) -> None:
        row = in_features // GGML_BLOCK_WEIGHTS[int(qtype)] * GGML_BLOCK_BYTES[int(qtype)]
        if w.dtype != torch.uint8 or w.dim() != 2 or not w.is_contiguous() or w.shape[1] != row:
            raise ValueError(f"expected contiguous uint8 [N, {row}] (rows of {in_features} weights), "
                             f"got {w.dtype} {tuple(w.shape)}")

    def matvec(self, x: torch.Tensor, w: torch.Tensor, qtype: int, in_features: int) -> torch.Tensor:
        """x [M, K] @ W.T -> [M, N] in x's dtype (for quantized W, x is quantized to int8 per block of 32, or per
        superblock of 256 for K-quant W where `superblock_activations`)."""
        self._check_rows(w, qtype, in_features)
        xf = x.to(torch.float32).contiguous()
        if xf.dim() != 2 or xf.shape[1] != in_features:
            raise ValueError(f"expected x [M, {in_features}], got {tuple(x.shape)}")
        out = torch.empty(xf.shape[0], w.shape[0], dtype=torch.float32)
        self.lib.octet_matvec(xf.data_ptr(), xf.shape[0], w.data_ptr(), w.shape[0], in_features, int(qtype),
                              out.data_ptr(), self.threads)
        return out.to(x.dtype)

    def matmul(self, x: torch.Tensor, w: torch.Tensor, qtype: int, in_features: int) -> torch.Tensor | None:
        """A prompt's x [M, K] @ W.T -> [M, N] in x's dtype with integer products on the blocks (x quantized
        per block of 32, as matvec does, or per superblock of 256 for `matmul_superblock_types`), any M. None where this library has none (integer_matmul) or for
        float W."""
        self._check_rows(w, qtype, in_features)
        xf = x.to(torch.float32).contiguous()
        if xf.dim() != 2 or xf.shape[1] != in_features:
            raise ValueError(f"expected x [M, {in_features}], got {tuple(x.shape)}")
        out = torch.empty(xf.shape[0], w.shape[0], dtype=torch.float32)
        status = self.lib.octet_matmul(xf.data_ptr(), xf.shape[0], w.data_ptr(), w.shape[0], in_features,
                                       int(qtype), out.data_ptr(), self.threads)
        return None if status else out.to(x.dtype)

    def gated_matmul(self, x: torch.Tensor, w1: torch.Tensor, w3: torch.Tensor, qtype: int,
                     in_features: int) -> torch.Tensor | None:
        """A prompt's silu(x W1^T) * (x W3^T) -> fp32 [M, N] in one call (a SwiGLU's gate and up matrices, both
        of `qtype`): x quantized once, as `matmul` does. None where `matmul` would be."""
        self._check_rows(w1, qtype, in_features)
        self._check_rows(w3, qtype, in_features)
        if w1.shape != w3.shape:
            raise ValueError(f"gate and up matrices differ: {tuple(w1.shape)} and {tuple(w3.shape)}")
        xf = x.to(torch.float32).contiguous()
        if xf.dim() != 2 or xf.shape[1] != in_features:
            raise ValueError(f"expected x [M, {in_features}], got {tuple(x.shape)}")
        out = torch.empty(xf.shape[0], w1.shape[0], dtype=torch.float32)
        status = self.lib.octet_gated_matmul(xf.data_ptr(), xf.shape[0], w1.data_ptr(), w3.data_ptr(), w1.shape[0],
                                             in_features, int(qtype), out.data_ptr(), self.threads)
        return None if status else out

    def dequantize(self, w: torch.Tensor, qtype: int, in_features: int, dtype=torch.float32,
                   out: torch.Tensor | None = None) -> torch.Tensor:
        """[N, K] in fp32 or bf16 (other dtypes via fp32); into `out` (contiguous, that dtype) when given."""
        self._check_rows(w, qtype, in_features)
        native = dtype if dtype in (torch.float32, torch.bfloat16) else torch.float32
        if out is None or out.dtype != native or out.shape != (w.shape[0], in_features) or not out.is_contiguous():
            out = torch.empty(w.shape[0], in_features, dtype=native)
        self.lib.octet_dequantize(w.data_ptr(), w.shape[0], in_features, int(qtype), out.data_ptr(),
                                  int(native == torch.bfloat16), self.threads)
        return out.to(dtype)

    def matvec_many(self, x: torch.Tensor, weights: list[tuple[torch.Tensor, int]]) -> list[torch.Tensor] | None:
        """x [M, K] (M <= 8) @ W.T for several quantized W (uint8 rows, type) at once: x quantized once, one
        parallel pass over all their rows. [M, N] each in x's dtype; None when a type has no kernel here."""
        K = x.shape[-1]
        for w, qtype in weights:
            self._check_rows(w, qtype, K)
        xf = x.to(torch.float32).contiguous()
        outs = [torch.empty(xf.shape[0], w.shape[0], dtype=torch.float32) for w, _ in weights]
        count = len(weights)
        status = self.lib.octet_matvec_many(
            xf.data_ptr(), xf.shape[0], K, count, (ctypes.c_void_p * count)(*(w.data_ptr() for w, _ in weights)),
            (ctypes.c_int64 * count)(*(w.shape[0] for w, _ in weights)), (ctypes.c_int * count)(*(int(t) for _, t in weights)),
            (ctypes.c_void_p * count)(*(o.data_ptr() for o in outs)), self.threads)
        return None if status else [o.to(x.dtype) for o in outs]

    def moe(self, x: torch.Tensor, w1: list, w3: list, w2: list, up_type: int, down_type: int,
            weights: torch.Tensor) -> torch.Tensor | None:
        """One token x [1, D] through A experts, fused: sum over a of weights[a] * w2[a] (silu(w1[a] x) *
        (w3[a] x)); w1, w3 [F, D] (type `up_type`) and w2 [D, F] (`down_type`) are uint8 rows of quantized
        blocks. None when a type has no fused kernel (float weights)."""
        D, A = x.shape[-1], len(w1)
        F = w1[0].shape[0]
        for w in w1 + w3:
            self._check_rows(w, up_type, D)
        for w in w2:
            self._check_rows(w, down_type, F)
        if w2[0].shape[0] != D:
            raise ValueError(f"expected down projections [{D}, {F}], got {tuple(w2[0].shape)}")
        pointers = [(ctypes.c_void_p * A)(*(w.data_ptr() for w in ws)) for ws in (w1, w3, w2)]
        xf = x.reshape(-1).to(torch.float32).contiguous()
        gate = weights.to(torch.float32).contiguous()
        out = torch.empty(D, dtype=torch.float32)
        status = self.lib.octet_moe(xf.data_ptr(), D, F, A, *pointers, int(up_type), int(down_type), gate.data_ptr(),
                                    out.data_ptr(), self.threads)
        return None if status else out.reshape(1, D).to(x.dtype)

    def decoder_layer(self, x: torch.Tensor, layer: DecoderLayer, slot: CacheSlot, cos: torch.Tensor,
                      sin: torch.Tensor) -> bool:
        """One token x fp32 [D] (contiguous, changed in place) through a decoder layer (native/layer.h),
        its key and value stored in `slot`; cos and sin fp32 [Hd] of its position. The caller checks shapes
        and pointers once (runtime/native_decode.py); False where a weight's type has no few-token kernel."""
        if x.dtype != torch.float32 or x.shape != (layer.D,) or not x.is_contiguous():
            raise ValueError(f"expected contiguous fp32 x [{layer.D}], got {x.dtype} {tuple(x.shape)}")
        if any(t.dtype != torch.float32 or t.shape != (layer.Hd,) or not t.is_contiguous() for t in (cos, sin)):
            raise ValueError(f"expected contiguous fp32 cos and sin [{layer.Hd}]")
        if not 0 <= slot.first <= slot.position < slot.stride:
            raise ValueError(f"position {slot.position} outside a cache of {slot.stride} (first {slot.first})")
        return self.lib.octet_decoder_layer(x.data_ptr(), ctypes.byref(layer), ctypes.byref(slot), cos.data_ptr(),
                                            sin.data_ptr(), self.threads) == 0

    @staticmethod
    def attends(keys: torch.Tensor, heads: int) -> bool:
        """Whether `decode_attention` takes this layer's cache [K, S, Hd] with `heads` query heads."""
        return (keys.dtype in (torch.bfloat16, torch.int8) and keys.device.type == "cpu" and keys.is_contiguous()
                and keys.shape[-1] % 16 == 0 and heads % keys.shape[0] == 0)

    def decode_attention(self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, scales, first: int,
                         end: int, threads: int | None = None) -> torch.Tensor:
        """One token q [H, Hd] over positions first..end-1 of one layer's cache, keys and values [K, S, Hd]
        (bf16, or int8 with `scales` = (key scales, value scales) [K, S] fp32; None for bf16):
        softmax(q k^T / sqrt(Hd)) v -> fp32 [H, Hd], query head h reading KV head h // (H / K)."""
        K, S, Hd = keys.shape
        H = q.shape[0]
        if not self.attends(keys, H) or values.shape != keys.shape or values.dtype != keys.dtype \
                or not values.is_contiguous() or q.shape != (H, Hd) or not 0 <= first <= end <= S:
            raise ValueError(f"decode attention: q {tuple(q.shape)}, keys {keys.dtype} {tuple(keys.shape)}, "
                             f"values {values.dtype} {tuple(values.shape)}, positions {first}..{end}")
        rows = (q.float() * Hd ** -0.5).contiguous()
        out = torch.empty(H, Hd, dtype=torch.float32)
        key_scales, value_scales = self._cache_scales(keys, scales)
        self.lib.octet_decode_attention(rows.data_ptr(), keys.data_ptr(), values.data_ptr(), key_scales, value_scales,
                                        H, K, Hd, S, first, end, int(key_scales is not None), out.data_ptr(),
                                        threads or self.attention_threads or self.threads)
        return out

    def attends_prompts(self, keys: torch.Tensor, heads: int) -> bool:
        """Whether `prompt_attention` takes this layer's cache (the avx512 and avx2 libraries; as `attends`)."""
        return self.prompt_attention_here and self.attends(keys, heads)

    def prompt_attention(self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, scales, start: int,
                         window: int | None, threads: int | None = None) -> torch.Tensor:
        """q [H, T, Hd] of the tokens at positions start..start+T-1, whose keys and values the layer's cache
        [K, S, Hd] holds already (bf16, or int8 with `scales` as for `decode_attention`): causal attention, each
        token seeing the last `window` positions up to its own (None: all) -> fp32 [H, T, Hd]."""
        K, S, Hd = keys.shape
        H, T = q.shape[:2]
        if not self.attends_prompts(keys, H) or values.shape != keys.shape or values.dtype != keys.dtype \
                or not values.is_contiguous() or q.shape != (H, T, Hd) or not 0 <= start < start + T <= S \
                or (window is not None and window < 1):
            raise ValueError(f"prompt attention: q {tuple(q.shape)}, keys {keys.dtype} {tuple(keys.shape)}, "
                             f"values {values.dtype} {tuple(values.shape)}, positions {start}..{start + T}, "
                             f"window {window}")
        key_scales, value_scales = self._cache_scales(keys, scales)
        rows = (q.float() * Hd ** -0.5).contiguous()
        out = torch.empty(H, T, Hd, dtype=torch.float32)
        self.lib.octet_prompt_attention(rows.data_ptr(), keys.data_ptr(), values.data_ptr(), key_scales, value_scales,
                                        H, K, Hd, S, T, start, window or 0, int(key_scales is not None),
                                        out.data_ptr(), threads or self.threads)
        return out

    @staticmethod
    def _cache_scales(keys: torch.Tensor, scales) -> tuple[int | None, int | None]:
        """An int8 cache's key and value scales [K, S] fp32 as pointers; (None, None) for bf16."""
        if keys.dtype != torch.int8:
            return None, None
        if scales is None or any(x.shape != keys.shape[:2] or x.dtype != torch.float32 or not x.is_contiguous()
                                 for x in scales):
            raise ValueError("an int8 cache needs contiguous fp32 key and value scales [K, S]")
        return scales[0].data_ptr(), scales[1].data_ptr()


@functools.cache
def gguf_kernels() -> GGUFKernels | None:
    """Our kernels for this CPU (built when Octet was installed), or None where there are none: another
    architecture, libraries not built, or OCTET_NO_KERNELS=1 (torch's ops then). OCTET_KERNEL_ISA=avx2
    (or portable, ...) forces a variant this CPU runs."""
    if os.environ.get("OCTET_NO_KERNELS") == "1":
        return None
    for isa in native.usable_isas():
        path = native.library_path(isa)
        if path.exists():
            try:
                return GGUFKernels(ctypes.CDLL(str(path)), isa)
            except OSError as error:
                warnings.warn(f"Octet's {isa} kernels could not be loaded ({error})")
    if native.usable_isas():
        warnings.warn("Octet's native kernels are not built: run `make setup` (or `python -m runtime.quant.native`);"
                      " using torch's slower kernels")
    return None


def kernel_path() -> str:
    """Which kernels run the GGUF weights: "avx512", "avx2", "neon", "portable", or "torch"."""
    kernels = gguf_kernels()
    return kernels.isa if kernels else "torch"


# oneDNN's ISA limits (ONEDNN_MAX_CPU_ISA) that still allow its bf16 instructions
BF16_ISA_LIMITS = ("ALL", "DEFAULT", "AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX10", "AMX")


@functools.cache
def bf16_products_fast() -> bool:
    """Whether torch's bf16 matrix products have bf16 instructions to run on: AVX-512 BF16 or AMX (x86), BF16
    (ARM), not held back by ONEDNN_MAX_CPU_ISA. Without them oneDNN converts as it goes: 20 GMAC/s for a
    128-token bf16 product on this machine held to AVX2, against 63 in fp32 (164 with AVX-512 BF16)."""
    if not native.cpu_flags() & {"avx512_bf16", "amx_bf16", "bf16"}:
        return False
    limit = os.environ.get("ONEDNN_MAX_CPU_ISA", "ALL").upper()
    return limit.startswith(BF16_ISA_LIMITS)


def set_threads(threads: int) -> None:
    """Threads for CPU work: torch's, and our kernels' (which keep the count while torch is held at
    one thread during decoding, see `serial_torch`)."""
    torch.set_num_threads(threads)
    if gguf_kernels():
        gguf_kernels().threads = threads


@contextlib.contextmanager
def serial_torch():
    """torch on one thread for a decode step. Its ops there are tiny (one token); a second thread
    only adds a fork/join per op, and on a shared machine a join can wait a scheduler tick (measured:
    bmm of one token 0.45 ms on one thread, 10 ms on two under load). Our kernels keep their threads."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
