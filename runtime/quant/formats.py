"""Weight-only quantized layers: a quantized weight knows how to multiply itself and to dequantize.

Formats: `Int8Weight` (per output channel), `Int4Weight` (groups, w = (q - 8)·scale + zero, torch's
packed kernels), `GGUFBlockWeight` (a GGUF tensor's blocks, any common type, used in place by our kernels).
`QuantizedLinear`, `QuantizedExperts` ([E, out, in] stacks) and `QuantizedEmbedding` wrap them as
modules; the loader puts them in the model's place (norms and the router stay float).
Shapes: M tokens, N outputs, K inputs, E experts.
"""
import contextlib
import threading

import torch
import torch.nn.functional as F
from torch import nn

from . import kernels

MATVEC_MAX_TOKENS = 4  # above this, GGUF blocks are dequantized to bf16 for one matrix product
INT4_GROUP = 32
# Weights dequantized at a time for a many-token product: 8 MB tiles (bf16) as fast as 32 MB ones (starter and
# Mixtral prompts on the AVX2 path, A/B), with a quarter of the scratch in the process's peak.
DEQUANTIZE_CHUNK = 1 << 22
# A prompt's products on rows at least this long take the integer kernel (int8 activations per block of 32,
# as llama.cpp does): 1.2-1.9x torch's bf16 on Mixtral's matrices. Shorter rows (small models: the starter's
# are 576 and 1536) keep bf16 activations: cheap there, and small models are the ones whose greedy answers
# int8 activations flip (the starter's "The capital of France is Paris." becomes "L'Étoile, ...").
INTEGER_MATMUL_MIN_K = 2048


class QuantizedWeight:
    """A weight [N, K] in some quantized format."""
    shape: tuple[int, int]

    def matmul(self, x: torch.Tensor) -> torch.Tensor:  # [M, K] -> [M, N]
        raise NotImplementedError

    def dequantize(self, dtype=torch.float32) -> torch.Tensor:  # [N, K]
        raise NotImplementedError

    def rows(self, index: torch.Tensor, dtype) -> torch.Tensor:
        """Dequantized rows [len(index), K] (embedding lookup)."""
        return self.dequantize(dtype)[index]

    @property
    def nbytes(self) -> int:
        raise NotImplementedError


class Int8Weight(QuantizedWeight):
    """w = q · scale, q int8 [N, K], one scale per output row."""

    def __init__(self, q: torch.Tensor, scales: torch.Tensor, compute_dtype=torch.bfloat16):
        self.q, self.scales = q, scales.to(compute_dtype)
        self.shape = tuple(q.shape)
        # _weight_int8pack_mm returns NaN for bf16 x when K % 16 != 0 (measured); CPU only (elsewhere
        # the dequantized weight runs through the device's own matrix product)
        self.use_kernel = q.shape[1] % 16 == 0 and q.device.type == "cpu"

    @classmethod
    def quantize(cls, weight: torch.Tensor, compute_dtype=torch.bfloat16) -> "Int8Weight":
        w = weight.float()
        scales = w.abs().amax(dim=1).clamp(min=1e-12) / 127
        q = torch.round(w / scales[:, None]).clamp(-127, 127).to(torch.int8)
        return cls(q, scales, compute_dtype)

    def matmul(self, x):
        if self.use_kernel:
            return kernels.int8_mm(x, self.q, self.scales)
        return F.linear(x, self.dequantize(x.dtype))

    def dequantize(self, dtype=torch.float32):
        return (self.q.to(torch.float32) * self.scales.float()[:, None]).to(dtype)

    def rows(self, index, dtype):
        return (self.q[index].float() * self.scales[index].float()[:, None]).to(dtype)

    @property
    def nbytes(self):
        return self.q.numel() + self.scales.numel() * self.scales.element_size()


class Int4Weight(QuantizedWeight):
    """w = (q - 8) · scale + zero per group of `group_size` inputs, q in 0..15, on torch's int4
    kernels (where the shape allows: N % 16 == 0), else nibble-packed codes and a dequantize path."""

    def __init__(self, codes: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor, group_size: int,
                 compute_dtype=torch.bfloat16):
        self.shape, self.group_size = tuple(codes.shape), group_size
        self.scale_and_zero = torch.stack([scales.T, zeros.T], dim=-1).to(compute_dtype).contiguous()
        self.packed = kernels.int4_packable(self.shape, group_size)  # [K/g, N, 2] ^
        self.data = kernels.int4_pack(codes) if self.packed else _nibbles(codes.to(torch.uint8))

    @classmethod
    def quantize(cls, weight: torch.Tensor, group_size=INT4_GROUP, compute_dtype=torch.bfloat16) -> "Int4Weight":
        """Asymmetric min/max quantization per group."""
        N, K = weight.shape
        w = weight.float().reshape(N, K // group_size, group_size)
        low, high = w.amin(-1), w.amax(-1)
        scales = ((high - low) / 15).clamp(min=1e-12)
        codes = torch.round((w - low[..., None]) / scales[..., None]).clamp(0, 15)
        zeros = low + 8 * scales  # so that (q - 8) * scale + zero = low + q * scale
        return cls(codes.reshape(N, K).to(torch.uint8), scales, zeros, group_size, compute_dtype)

    def matmul(self, x):
        if self.packed:
            return kernels.int4_mm(x, self.data, self.group_size, self.scale_and_zero)
        return F.linear(x, self.dequantize(x.dtype))

    def dequantize(self, dtype=torch.float32):
        N, K = self.shape
        if self.packed:  # the packed layout is the kernel's own: read it back through the kernel
            eye = torch.eye(K, dtype=self.scale_and_zero.dtype, device=self.data.device)
            return kernels.int4_mm(eye, self.data, self.group_size, self.scale_and_zero).T.to(dtype)
        codes = _unnibble(self.data).float().reshape(N, K // self.group_size, self.group_size)
        scale, zero = self.scale_and_zero.float().permute(2, 1, 0)  # [N, K/g] each
        return ((codes - 8) * scale[..., None] + zero[..., None]).reshape(N, K).to(dtype)

    @property
    def nbytes(self):
        return self.data.numel() + self.scale_and_zero.numel() * self.scale_and_zero.element_size()


class GGUFBlockWeight(QuantizedWeight):
    """A GGUF matrix [N, K] as the file stores it (rows of blocks, any type our kernels read), used where
    it lies in the mapped file: our kernels' matrix-vector product for a few tokens; for a prompt, their
    integer matrix product (AVX-512 library) or else tiles dequantized to bf16 for torch's. `row_order`: the output rows' order when it differs from the
    file's (llama.cpp permutes Q and K rows for its RoPE; out = (W x)[row_order], nothing is copied)."""

    def __init__(self, blocks: torch.Tensor, qtype: int, in_features: int, row_order: torch.Tensor | None = None):
        self.blocks, self.qtype, self.row_order = blocks, int(qtype), row_order
        self.shape = (blocks.shape[0], in_features)

    def matmul(self, x):
        ops = kernels.gguf_kernels()
        if x.shape[0] <= MATVEC_MAX_TOKENS and not reading_prompt():
            out = ops.matvec(x, self.blocks, self.qtype, self.shape[1])
        else:  # a prompt: integer products on the blocks where the library has them (not for float weights)
            out = ops.matmul(x, self.blocks, self.qtype, self.shape[1]) if self.integer_prompts() else None
            if out is None:
                out = self._tiles(ops, x)
        return out if self.row_order is None else out[:, self.row_order]

    def integer_prompts(self) -> bool:
        """Whether a prompt's products on these blocks are the library's integer ones, which read and write
        fp32 (any other dtype is converted on the way in and out)."""
        ops = kernels.gguf_kernels()
        return (ops is not None and ops.integer_matmul and self.shape[1] >= INTEGER_MATMUL_MIN_K
                and kernels.GGML_BLOCK_WEIGHTS[self.qtype] >= 32)  # block-quantized: not F16, BF16, F32

    def _tiles(self, ops, x):
        """Rows dequantized a tile at a time for torch's product: in x's dtype, but fp32 for bf16 x where
        torch's bf16 products have no bf16 instructions (kernels.bf16_products_fast: 3x slower there)."""
        dtype = torch.float32 if x.dtype == torch.bfloat16 and not kernels.bf16_products_fast() else x.dtype
        xt = x.to(dtype)
        out = torch.empty(x.shape[0], self.shape[0], dtype=x.dtype)
        # a bounded transient (8 MB, less for a smaller matrix), not the matrix
        step = min(self.shape[0], max(16, DEQUANTIZE_CHUNK * 2 // dtype.itemsize // self.shape[1]))
        scratch = _scratch(step * self.shape[1], dtype)
        for start in range(0, self.shape[0], step):
            rows = self.blocks[start:start + step]
            tile = scratch[:rows.shape[0] * self.shape[1]].view(rows.shape[0], self.shape[1])
            out[:, start:start + rows.shape[0]] = F.linear(xt, ops.dequantize(rows, self.qtype, self.shape[1],
                                                                               dtype, out=tile))
        return out

    def dequantize(self, dtype=torch.float32):
        weight = kernels.gguf_kernels().dequantize(self.blocks, self.qtype, self.shape[1], dtype)
        return weight if self.row_order is None else weight[self.row_order]

    def rows(self, index, dtype):
        flat = index.reshape(-1) if self.row_order is None else self.row_order[index.reshape(-1)]
        rows = kernels.gguf_kernels().dequantize(self.blocks[flat].contiguous(), self.qtype, self.shape[1], dtype)
        return rows.reshape(*index.shape, self.shape[1])

    @property
    def nbytes(self):
        return self.blocks.numel()


_SCRATCH = threading.local()
_PROMPT = threading.local()


@contextlib.contextmanager
def prompt_path():
    """While a prompt is read (generate.prefill), GGUF weights take the prompt's path (bf16 tiles) however
    few its tokens: a prompt's last tokens then give the same logits whether the chat's earlier tokens came
    from a saved cache or not (the int8 activations of the few-token path differ by ~1%: enough to flip a
    close greedy choice). Decode steps keep the few-token kernels."""
    with _reading_prompt(True):
        yield


@contextlib.contextmanager
def head_path():
    """The output head takes the few-token kernels in a prompt too: it reads the prompt's last row only, as in
    every decode step, so its logits do not depend on the path the earlier rows took, and a whole vocabulary
    is not dequantized into tiles for one row (the starter: 28M weights, 8 MB of scratch, each chunk)."""
    with _reading_prompt(False):
        yield


@contextlib.contextmanager
def _reading_prompt(on: bool):
    before = getattr(_PROMPT, "on", False)
    _PROMPT.on = on
    try:
        yield
    finally:
        _PROMPT.on = before


def reading_prompt() -> bool:
    return getattr(_PROMPT, "on", False)


def _scratch(numel: int, dtype: torch.dtype) -> torch.Tensor:
    """A buffer of at least `numel` values, reused by this thread's dequantized tiles: a fresh 8 MB tensor
    per tile costs more in page faults (the kernel zeroing new pages) than dequantizing it."""
    buffer = getattr(_SCRATCH, "buffer", None)
    if buffer is None or buffer.dtype != dtype or buffer.numel() < numel:
        buffer = _SCRATCH.buffer = torch.empty(numel, dtype=dtype)
    return buffer


class QuantizedLinear(nn.Module):
    def __init__(self, weight: QuantizedWeight):
        super().__init__()
        self.weight_q = weight
        self.out_features, self.in_features = weight.shape

    def forward(self, x):
        return self.weight_q.matmul(x.reshape(-1, self.in_features)).reshape(*x.shape[:-1], self.out_features)

    def dequantize(self, dtype=torch.float32) -> torch.Tensor:
        return self.weight_q.dequantize(dtype)

    def extra_repr(self):
        return f"{self.in_features} -> {self.out_features}, {type(self.weight_q).__name__}"


class QuantizedExperts(nn.Module):
    """E quantized weights [out, in] (often views of one stacked buffer); `linear(e, x)` runs one.
    `dtype` is the compute dtype the loader chose: the activations' (and so the products') dtype."""

    def __init__(self, experts: list[QuantizedWeight], dtype: torch.dtype):
        super().__init__()
        self.experts = experts
        self.dtype = dtype
        self.shape = (len(experts), *experts[0].shape)

    def linear(self, e: int, x: torch.Tensor) -> torch.Tensor:
        return self.experts[e].matmul(x)

    def gated(self, up: "QuantizedExperts", e: int, x: torch.Tensor) -> torch.Tensor | None:
        """gated_product of expert e, these experts being the gate matrices and `up` the up ones."""
        return gated_product(self.experts[e], up.experts[e], x)

    def fp32_prompts(self) -> bool:
        """Whether a prompt's products on these experts read and write fp32 (integer products on GGUF blocks):
        activations kept in fp32 between them then skip a conversion on each side."""
        first = self.experts[0]
        return isinstance(first, GGUFBlockWeight) and first.integer_prompts()

    def dequantize(self, dtype=torch.float32) -> torch.Tensor:
        return torch.stack([w.dequantize(dtype) for w in self.experts])

    def extra_repr(self):
        return f"{list(self.shape)}, {type(self.experts[0]).__name__}"


def gated_product(gate, up, x: torch.Tensor) -> torch.Tensor | None:
    """A prompt's silu(x W1^T) * (x W3^T) in one native call (kernels.GGUFKernels.gated_matmul: x quantized once, no
    [T, F] product between the two) -> fp32, for a SwiGLU's gate and up weights; None where that does not apply
    (not GGUF blocks of one type on the integer products, or not a prompt)."""
    if not (isinstance(gate, GGUFBlockWeight) and isinstance(up, GGUFBlockWeight) and gate.qtype == up.qtype
            and gate.shape == up.shape and gate.row_order is None and up.row_order is None and gate.integer_prompts()
            and (reading_prompt() or x.shape[0] > MATVEC_MAX_TOKENS)):
        return None
    return kernels.gguf_kernels().gated_matmul(x, gate.blocks, up.blocks, gate.qtype, gate.shape[1])


def fused_projections(x: torch.Tensor, *linears) -> list[torch.Tensor] | None:
    """Several QuantizedLinear on the same few tokens x [M, K] in one native call (a layer's q, k and v), or
    None where that does not apply (a prompt, float or converted weights, no kernels)."""
    if reading_prompt() or x.shape[0] > MATVEC_MAX_TOKENS or x.device.type != "cpu":
        return None
    weights = [getattr(linear, "weight_q", None) for linear in linears]
    if not all(isinstance(w, GGUFBlockWeight) for w in weights):
        return None
    outs = kernels.gguf_kernels().matvec_many(x, [(w.blocks, w.qtype) for w in weights])
    if outs is None:
        return None
    return [out if w.row_order is None else out[:, w.row_order] for out, w in zip(outs, weights)]


def fused_moe(w1, w3, w2, x: torch.Tensor, experts: list[int], weights: torch.Tensor) -> torch.Tensor | None:
    """One token x [1, D] through its chosen experts in one native call (kernels.GGUFKernels.moe), or None
    where that does not apply (float or converted weights, no kernels): the caller then runs them one by one."""
    stacks = (w1, w3, w2)
    if reading_prompt() or not all(isinstance(s, QuantizedExperts) and isinstance(s.experts[0], GGUFBlockWeight) for s in stacks):
        return None
    gate, up, down = ([s.experts[e] for e in experts] for s in stacks)
    if any(w.row_order is not None for w in gate + up + down) or gate[0].qtype != up[0].qtype:
        return None
    return kernels.gguf_kernels().moe(x, [w.blocks for w in gate], [w.blocks for w in up], [w.blocks for w in down],
                                      gate[0].qtype, down[0].qtype, weights)


class QuantizedEmbedding(nn.Module):
    def __init__(self, weight: QuantizedWeight, dtype=torch.bfloat16):
        super().__init__()
        self.weight_q, self.dtype = weight, dtype

    def forward(self, tokens):
        return self.weight_q.rows(tokens, self.dtype)


def quantize_weight(weight: torch.Tensor, mode: str, compute_dtype=torch.bfloat16) -> QuantizedWeight:
    """A float weight [N, K] as "int8" or "int4" (groups of 32, or int8 when K is not a multiple)."""
    if mode == "int4" and weight.shape[1] % INT4_GROUP == 0:
        return Int4Weight.quantize(weight, INT4_GROUP, compute_dtype)
    return Int8Weight.quantize(weight, compute_dtype)


def _nibbles(codes: torch.Tensor) -> torch.Tensor:
    """uint8 codes [N, K] in 0..15 -> [N, K/2], even index in the low nibble."""
    return codes[:, 0::2] | (codes[:, 1::2] << 4)


def _unnibble(data: torch.Tensor) -> torch.Tensor:
    return torch.stack([data & 15, data >> 4], dim=-1).reshape(data.shape[0], -1)
