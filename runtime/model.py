"""The transformer for Llama, Mistral and Mixtral shapes: one code path, the config decides.

Batch size 1 throughout (a desktop chat). Shapes: T new tokens, S cached positions, D hidden size,
H query heads, K key/value heads, Hd head dim, E experts, A experts used per token, F ffn size.
Weights follow Hugging Face's RoPE layout (rotate-half); GGUF loaders undo llama.cpp's permutation.
"""
from contextlib import nullcontext

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig
from .kv_cache import KVCache
from .native_decode import NativeDecoder
from .quant.formats import (GGUFBlockWeight, QuantizedExperts, fused_moe, fused_projections, gated_product,
                            head_path)
from .quant.kernels import gguf_kernels, serial_torch
from .rope import apply_rope

# torch's CPU flash-attention kernel, which also returns each row's log-sum-exp (the public
# scaled_dot_product_attention does not), so that blocks of keys can be joined
FLASH = getattr(torch.ops.aten, "_scaled_dot_product_flash_attention_for_cpu", None)

ATTENTION_BLOCK = 1024  # most cache positions attention reads (as fp32) at a time: 4 MB for 8 KV heads
MIN_BLOCK = 64
PREFILL_BLOCK = 4096  # cached positions one call of the CPU flash kernel reads during a prefill
SCORE_ELEMENTS = 1 << 22  # most fp32 scores of one block (16 MB): a prefill chunk's blocks are shorter
NEGATIVE = -torch.finfo(torch.float32).max  # the running max before any key (exp(NEGATIVE - x) is 0, never NaN)


class Linear(nn.Linear):
    """A matrix without bias and without nn.Linear's random start: every weight is loaded (on the meta device
    that start is Python work only: 7-10 ms of the starter's load, 211 matrices)."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__(in_features, out_features, bias=False)

    def reset_parameters(self) -> None:
        pass


class Transformer(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        # no random init (weights are always loaded): Embedding's normal_ on the meta device imports
        # torch._dynamo, 0.9 s of the first load (measured)
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.hidden_size,
                                           _weight=torch.empty(config.vocab_size, config.hidden_size))
        self.layers = nn.ModuleList(Block(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.output = Linear(config.hidden_size, config.vocab_size)
        self.serial_decode = False  # set by the loader: torch on one thread for a decode step (quant.kernels)
        self.native_decode = True  # one token through native/layer.h where the model qualifies (native_decode)
        self._native_decoder: NativeDecoder | None | bool = False  # False: not looked at yet

    def forward(self, tokens: torch.Tensor, cache: KVCache, *, all_logits: bool = True) -> torch.Tensor:
        """Logits [T, V] for `tokens` [T] placed after the cache's `length` positions (or [1, V])."""
        window = self.config.sliding_window
        x = self.tok_embeddings(tokens)  # [T, D]
        native = self._native_step(cache) if tokens.shape[0] == 1 else None
        if native is not None:  # RoPE's angles come from the cache's tables in the native step
            x = native(x, cache, window).to(x.dtype)
        else:
            start = cache.length
            rope = cache.rope(torch.arange(start, start + tokens.shape[0], device=tokens.device))
            with serial_torch() if self.serial_decode and tokens.shape[0] == 1 else nullcontext():
                for index, layer in enumerate(self.layers):
                    x = layer(x, rope, window, cache.layer(index))
        cache.advance(tokens.shape[0])
        if not all_logits:
            x = x[-1:]
        h = self.norm(x)
        with head_path():
            return self.output(h.float() if head_reads_fp32(self.output) else h).float()  # [T, V]


    def _native_step(self, cache: KVCache) -> NativeDecoder | None:
        """The native decode step for this model and cache, or None (the torch path)."""
        if not self.native_decode:
            return None
        if self._native_decoder is False:  # looked at once, after the loader filled the weights
            self._native_decoder = NativeDecoder.for_model(self)
        decoder = self._native_decoder
        return decoder if decoder is not None and decoder.takes(cache) else None


def head_reads_fp32(head) -> bool:
    """Whether the output head takes fp32 at no cost: GGUF blocks, whose kernels read and write fp32. The logits
    then keep fp32's precision, where bf16 logits step by 1/8 near 25: the starter's two best first words for
    "What is the capital of France?" (25.64 and 25.54 in fp32) came out tied or not as rounding fell."""
    return isinstance(getattr(head, "weight_q", None), GGUFBlockWeight)


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.attention_norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.attention = Attention(config)
        self.ffn_norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.feed_forward = MoEFeedForward(config) if config.is_moe else FeedForward(config)

    def forward(self, x, rope, window, layer_cache):
        h = x + self.attention(self.attention_norm(x), rope, window, layer_cache)
        return h + self.feed_forward(self.ffn_norm(h))


class Attention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = (
            config.num_attention_heads, config.num_key_value_heads, config.head_dim)
        self.wq = Linear(config.hidden_size, self.n_heads * self.head_dim)
        self.wk = Linear(config.hidden_size, self.n_kv_heads * self.head_dim)
        self.wv = Linear(config.hidden_size, self.n_kv_heads * self.head_dim)
        self.wo = Linear(self.n_heads * self.head_dim, config.hidden_size)

    def forward(self, x, rope, window: int | None, layer_cache):
        T = x.shape[0]
        q, k, v = fused_projections(x, self.wq, self.wk, self.wv) or (self.wq(x), self.wk(x), self.wv(x))
        q = q.view(T, self.n_heads, self.head_dim).transpose(0, 1)  # [H, T, Hd]
        k = k.view(T, self.n_kv_heads, self.head_dim).transpose(0, 1)  # [K, T, Hd]
        v = v.view(T, self.n_kv_heads, self.head_dim).transpose(0, 1)
        q, k = apply_rope(q, rope), apply_rope(k, rope)
        layer_cache.store(k, v)
        if T == 1:
            out = decode_attention(q, layer_cache, window)
        elif q.device.type == "cpu" and (native_prompts(q, layer_cache) or FLASH is not None):
            out = prefill_attention(q, layer_cache, window)
        else:
            out = attend(q, layer_cache, window)
        return self.wo(out.transpose(0, 1).reshape(T, -1))  # [T, D]


# Attention over the KV cache. The new tokens' keys and values are stored first; then q [H, T, Hd] at
# positions start..start+T-1 attends to the positions each may see: causal, and only the last `window`
# when the model has a sliding window. Nothing the size of the context is built: no [T, S] mask, no
# copy of the cache; the cache is read in blocks, in its own dtype (int8 dequantized per block).
# Heads are grouped per KV head: row r of [K, H/K*T, Hd] is query head r // T, token r % T.

def decode_attention(q, layer_cache, window: int | None):
    """One token q [H, 1, Hd] -> [H, 1, Hd]: our native kernel (quant/native/attention.h: the cache widened in
    registers, fp32 sums, online softmax, threads over KV heads and spans of positions) where the library
    is there and the cache is bf16 or int8 with Hd % 16 == 0; otherwise `blocked_decode_attention`."""
    cache, kernels = layer_cache.cache, gguf_kernels()
    if kernels is None or q.device.type != "cpu" or not kernels.attends(cache.keys[layer_cache.index], q.shape[0]):
        return blocked_decode_attention(q, layer_cache, window)
    end = layer_cache.start + 1
    first = max(0, end - window) if window else 0
    out = kernels.decode_attention(q[:, 0], cache.keys[layer_cache.index], cache.values[layer_cache.index],
                                   layer_cache.scales(), first, end)
    return out[:, None].to(q.dtype)


def blocked_decode_attention(q, layer_cache, window: int | None):
    """One token q [H, 1, Hd] in torch ops: fp32 scores [K, H/K, S] over the S positions it sees (4 MB at 32K for 32
    heads), one softmax, then the weighted values. Both passes read the cache ATTENTION_BLOCK positions at
    a time into one reused fp32 buffer (4 MB for 8 KV heads; a new tensor per block was 2-3x slower,
    measured); an int8 cache's scales multiply the scores and the weights, not each block (2.6x faster).
    The CPU flash kernel is 2-5x slower at T = 1 (measured)."""
    H, _, Hd = q.shape
    K = layer_cache.cache.keys.shape[1]
    end = layer_cache.start + 1
    first = max(0, end - window) if window else 0
    grouped = q.float().reshape(K, H // K, Hd) * Hd ** -0.5  # [K, H/K, Hd]
    blocks = [(start, min(end, start + ATTENTION_BLOCK)) for start in range(first, end, ATTENTION_BLOCK)]
    buffer = torch.empty(K, min(ATTENTION_BLOCK, end - first), Hd, device=q.device)
    scales = layer_cache.scales()  # ([K, S], [K, S]) for an int8 cache
    scores = torch.empty(K, H // K, end - first, device=q.device)  # [K, H/K, S]
    for start, stop in blocks:
        keys = layer_cache.read_keys(start, stop, scaled=False, out=buffer)  # [K, B, Hd]
        torch.bmm(grouped, keys.transpose(1, 2), out=scores[:, :, start - first:stop - first])
    if scales is not None:
        scores.mul_(scales[0][:, None, first:end])
    weights = scores.softmax(-1)
    if scales is not None:
        weights.mul_(scales[1][:, None, first:end])
    out = torch.zeros(K, H // K, Hd, device=q.device)
    for start, stop in blocks:
        out.baddbmm_(weights[:, :, start - first:stop - first],
                     layer_cache.read_values(start, stop, scaled=False, out=buffer))
    return out.reshape(H, 1, Hd).to(q.dtype)  # [H, 1, Hd]


def native_prompts(q, layer_cache) -> bool:
    """Whether our prompt attention (quant/native/prompt_attention.h: the avx512 and avx2 libraries) takes this layer's cache."""
    kernels = gguf_kernels()
    return kernels is not None and kernels.attends_prompts(layer_cache.cache.keys[layer_cache.index], q.shape[0])


def prefill_attention(q, layer_cache, window: int | None):
    """T > 1 tokens on the CPU: our kernel where `native_prompts` (fp32 sums over the cache widened per chunk of
    positions, online softmax: 2.3x torch's flash kernel on a Mixtral layer's 512-token prompt), else torch's
    fused flash-attention kernel (fp32 accumulation) in the cache's dtype (bf16 for an int8 cache, dequantized
    per block): over the positions before the chunk, PREFILL_BLOCK at a time, then over the chunk itself with
    is_causal (the GQA heads repeated for its T positions only); the parts are joined by their log-sum-exp. A
    mask only where the window's edge crosses a block ([H/K*T, B] at most)."""
    if native_prompts(q, layer_cache):
        cache, index = layer_cache.cache, layer_cache.index
        out = gguf_kernels().prompt_attention(q, cache.keys[index], cache.values[index], layer_cache.scales(),
                                              layer_cache.start, window)
        return out.to(q.dtype)
    H, T, Hd = q.shape
    cache = layer_cache.cache
    K, groups = cache.keys.shape[1], H // cache.keys.shape[1]
    start, end = layer_cache.start, layer_cache.start + T
    dtype = cache.kv_dtype if cache.kv_dtype.is_floating_point else torch.bfloat16
    rows = q.to(dtype).reshape(1, K, groups * T, Hd)
    out = torch.zeros(1, K, groups * T, Hd)
    total = torch.full((1, K, groups * T), NEGATIVE)  # log-sum-exp of the scores so far, per row
    first = max(0, start - window + 1) if window else 0
    for block_start in range(first, start, PREFILL_BLOCK):
        block_end = min(start, block_start + PREFILL_BLOCK)
        part = _flash_block(rows, *layer_cache.read(block_start, block_end, dtype),
                            block_mask(start, T, groups, block_start, block_end, window, q.device))
        out, total = _merge(out, total, *part)
    keys, values = layer_cache.read(start, end, dtype)
    if window and window < T:
        part = _flash_block(rows, keys, values, block_mask(start, T, groups, start, end, window, q.device))
    else:
        expanded = [x.repeat_interleave(groups, 0)[None] for x in (keys, values)]  # [1, H, T, Hd]
        chunk, lse = FLASH(q.to(dtype)[None], *expanded, 0.0, True, scale=Hd ** -0.5)
        part = chunk.reshape(1, K, groups * T, Hd), lse.reshape(1, K, groups * T)
    out, total = _merge(out, total, *part)
    return out.reshape(H, T, Hd).to(q.dtype)


def _flash_block(rows, keys, values, allowed):
    """Rows [1, K, R, Hd] over one block of keys and values [K, B, Hd]: (out [1, K, R, Hd], lse [1, K, R]);
    `allowed` [R, B] or None. A row with no allowed key gets lse NEGATIVE (the kernel says 0)."""
    bias = None
    if allowed is not None:
        bias = torch.zeros(allowed.shape, dtype=rows.dtype).masked_fill_(~allowed, float("-inf"))
    out, lse = FLASH(rows, keys[None], values[None], 0.0, False, attn_mask=bias, scale=rows.shape[-1] ** -0.5)
    if allowed is not None:
        lse = lse.masked_fill(~allowed.any(-1), NEGATIVE)
    return out, lse


def _merge(out, total, part, lse):
    """Join two softmax-weighted sums by their log-sum-exp: out [1, K, R, Hd], total [1, K, R]."""
    lse = lse.float()
    new_total = torch.logaddexp(total, lse)
    out = out.mul_((total - new_total).exp_()[..., None]).add_(part.float() * (lse - new_total).exp_()[..., None])
    return out, new_total


def attend(q, layer_cache, window: int | None):
    """Any T, any device (prefill where the CPU flash kernel is not): key blocks read one at a time as
    fp32 and folded into a running max, sum and weighted values (flash attention in torch ops), blocks
    short enough that their scores stay under SCORE_ELEMENTS."""
    H, T, Hd = q.shape
    K = layer_cache.cache.keys.shape[1]
    start, end = layer_cache.start, layer_cache.start + T
    rows = q.float().reshape(K, H // K * T, Hd) * Hd ** -0.5  # [K, R, Hd]
    block = max(MIN_BLOCK, min(ATTENTION_BLOCK, SCORE_ELEMENTS // (H * T)))
    top = torch.full((K, rows.shape[1], 1), NEGATIVE, device=q.device)
    total = torch.zeros(K, rows.shape[1], 1, device=q.device)
    out = torch.zeros(K, rows.shape[1], Hd, device=q.device)
    first = max(0, start - window + 1) if window else 0  # the first position any of the tokens sees
    for block_start in range(first, end, block):
        block_end = min(end, block_start + block)
        keys, values = layer_cache.read(block_start, block_end)  # fp32 [K, B, Hd]
        scores = rows @ keys.transpose(1, 2)  # [K, R, B]
        allowed = block_mask(start, T, H // K, block_start, block_end, window, q.device)
        if allowed is not None:
            scores.masked_fill_(~allowed, float("-inf"))
        new_top = torch.maximum(top, scores.amax(-1, keepdim=True))
        rescale, weights = (top - new_top).exp_(), scores.sub_(new_top).exp_()
        total = total.mul_(rescale).add_(weights.sum(-1, keepdim=True))
        out = out.mul_(rescale).baddbmm_(weights, values)  # [K, R, Hd]
        top = new_top
    return (out / total).reshape(H, T, Hd).to(q.dtype)


def block_mask(start: int, T: int, groups: int, block_start: int, block_end: int, window: int | None, device):
    """Which keys of block_start..block_end-1 the rows (groups × the T tokens from `start`) may see, [R, B]
    bool; None when all may (the block is before the first token and inside the last token's window)."""
    if block_end - 1 <= start and not (window and block_start <= start + T - 1 - window):
        return None
    queries = torch.arange(start, start + T, device=device).repeat(groups)[:, None]  # [R, 1]
    keys = torch.arange(block_start, block_end, device=device)[None, :]  # [1, B]
    allowed = keys <= queries
    if window:
        allowed &= keys > queries - window
    return allowed


class FeedForward(nn.Module):
    """Dense SwiGLU: w2(silu(w1 x) * w3 x)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.w1 = Linear(config.hidden_size, config.intermediate_size)
        self.w3 = Linear(config.hidden_size, config.intermediate_size)
        self.w2 = Linear(config.intermediate_size, config.hidden_size)

    def forward(self, x):
        gated = gated_product(getattr(self.w1, "weight_q", None), getattr(self.w3, "weight_q", None), x)
        if gated is not None:  # a prompt on GGUF blocks: both products in one native call, in fp32
            return self.w2(gated).to(x.dtype)
        gate, up = fused_projections(x, self.w1, self.w3) or (self.w1(x), self.w3(x))
        return self.w2(F.silu(gate) * up)


class MoEFeedForward(nn.Module):
    """Sparse mixture of SwiGLU experts, stacked [E, out, in]; a float router picks A per token."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        E, D, Fs = config.num_local_experts, config.hidden_size, config.intermediate_size
        self.top_k = config.num_experts_per_tok
        self.gate = Linear(D, E)
        self.w1 = nn.Parameter(torch.empty(E, Fs, D))
        self.w3 = nn.Parameter(torch.empty(E, Fs, D))
        self.w2 = nn.Parameter(torch.empty(E, D, Fs))

    def route(self, x):
        """Expert ids [T, A] and their renormalised weights [T, A], as transformers' Mixtral does."""
        probs = F.softmax(F.linear(x.float(), self.gate.weight.float()), dim=-1)  # [T, E] (bf16 mm: 0.3 ms)
        weights, experts = torch.topk(probs, self.top_k, dim=-1)  # [T, A]
        weights = weights / weights.sum(dim=-1, keepdim=True)
        return experts, weights.to(x.dtype)

    def forward(self, x):
        experts, weights = self.route(x)
        if x.shape[0] == 1:
            return self._decode(x, experts[0], weights[0])
        return self._prefill(x, experts, weights)

    def run_expert(self, e: int, x):
        gated = self.w1.gated(self.w3, e, x) if isinstance(self.w1, QuantizedExperts) else None  # one native call
        if gated is None:
            gated = F.silu(expert_linear(self.w1, e, x), inplace=True).mul_(expert_linear(self.w3, e, x))  # [T, F]
        return expert_linear(self.w2, e, gated)

    def _decode(self, x, experts, weights):
        """One token: touch only its A chosen experts (in one native call where the weights allow)."""
        expert_ids = experts.tolist()
        fused = fused_moe(self.w1, self.w3, self.w2, x, expert_ids, weights) if x.device.type == "cpu" else None
        if fused is not None:
            return fused
        out = torch.zeros_like(x)
        for e, w in zip(expert_ids, weights):
            out += w * self.run_expert(e, x)
        return out

    def _prefill(self, x, experts, weights):
        """Tokens grouped by expert: one matrix product per expert that has tokens. In fp32 from the router to
        the sum where the experts' products read and write fp32 (`fp32_prompts`): no bf16 round trip of each
        [T, F] product (2% of a Mixtral prompt)."""
        hidden = x.float() if self.fp32_prompts() else x
        out = torch.zeros_like(hidden)
        flat_experts = experts.flatten()  # [T*A]
        order = torch.argsort(flat_experts, stable=True)
        counts = torch.bincount(flat_experts, minlength=self.w1.shape[0]).tolist()
        token_of = order // self.top_k
        flat_weights = weights.flatten().to(hidden.dtype)
        start = 0
        for e, count in enumerate(counts):
            if count:
                rows = token_of[start:start + count]
                slots = order[start:start + count]
                out.index_add_(0, rows, self.run_expert(e, hidden[rows]).mul_(flat_weights[slots, None]))
            start += count
        return out.to(x.dtype)

    def fp32_prompts(self) -> bool:
        """Whether all three stacks' prompt products read and write fp32 (QuantizedExperts.fp32_prompts)."""
        return all(isinstance(w, QuantizedExperts) and w.fp32_prompts() for w in (self.w1, self.w3, self.w2))


def expert_linear(stack, e: int, x):
    """x @ stack[e].T for a float [E, out, in] stack or a QuantizedExperts."""
    if isinstance(stack, QuantizedExperts):
        return stack.linear(e, x)
    return F.linear(x, stack[e])


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        x32 = x.float()
        normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * normed.to(x.dtype)


def empty_transformer(config: ModelConfig) -> Transformer:
    """The model without storage (on the meta device): its structure, for a loader to fill."""
    with torch.device("meta"):
        return Transformer(config)


def parameter_shapes(config: ModelConfig, model: Transformer | None = None) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and shape for `config` (expert stacks [E, out, in]); no memory used. `model`:
    its empty_transformer, when the caller has built it already (30 ms for the starter's 30 layers)."""
    model = empty_transformer(config) if model is None else model
    return {name: tuple(p.shape) for name, p in model.state_dict().items()}
