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
from .quant.formats import QuantizedExperts
from .quant.kernels import serial_torch
from .rope import apply_rope

DECODE_BLOCK = 2048  # cache positions a decode step converts to fp32 at a time (8 MB for 8 KV heads)


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
        self.output = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.serial_decode = False  # set by the loader: torch on one thread for a decode step (quant.kernels)

    def forward(self, tokens: torch.Tensor, cache: KVCache, *, all_logits: bool = True) -> torch.Tensor:
        """Logits [T, V] for `tokens` [T] placed after the cache's `length` positions (or [1, V])."""
        start = cache.length
        positions = torch.arange(start, start + tokens.shape[0], device=tokens.device)
        rope = cache.rope(positions)
        mask = cache.attention_mask(positions, self.config.sliding_window)
        x = self.tok_embeddings(tokens)  # [T, D]
        with serial_torch() if self.serial_decode and tokens.shape[0] == 1 else nullcontext():
            for index, layer in enumerate(self.layers):
                x = layer(x, rope, mask, cache.layer(index))
        cache.advance(tokens.shape[0])
        if not all_logits:
            x = x[-1:]
        return self.output(self.norm(x)).float()  # [T, V]


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.attention_norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.attention = Attention(config)
        self.ffn_norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.feed_forward = MoEFeedForward(config) if config.is_moe else FeedForward(config)

    def forward(self, x, rope, mask, layer_cache):
        h = x + self.attention(self.attention_norm(x), rope, mask, layer_cache)
        return h + self.feed_forward(self.ffn_norm(h))


class Attention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = (
            config.num_attention_heads, config.num_key_value_heads, config.head_dim)
        self.wq = nn.Linear(config.hidden_size, self.n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(config.hidden_size, self.n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(config.hidden_size, self.n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(self.n_heads * self.head_dim, config.hidden_size, bias=False)

    def forward(self, x, rope, mask, layer_cache):
        T = x.shape[0]
        q = self.wq(x).view(T, self.n_heads, self.head_dim).transpose(0, 1)  # [H, T, Hd]
        k = self.wk(x).view(T, self.n_kv_heads, self.head_dim).transpose(0, 1)  # [K, T, Hd]
        v = self.wv(x).view(T, self.n_kv_heads, self.head_dim).transpose(0, 1)
        q, k = apply_rope(q, rope), apply_rope(k, rope)
        keys, values = layer_cache.update(k, v)  # [K, S, Hd]
        if T == 1:
            out = decode_attention(q, keys, values, mask)
        else:
            out = F.scaled_dot_product_attention(
                q.unsqueeze(0), keys.unsqueeze(0), values.unsqueeze(0), attn_mask=mask, enable_gqa=True)[0]
        return self.wo(out.transpose(0, 1).reshape(T, -1))  # [T, D]


def decode_attention(q, keys, values, mask):
    """One query token [H, 1, Hd] over the cache [K, S, Hd], heads grouped per KV head, in fp32, one block
    of DECODE_BLOCK positions at a time (flash-decoding: a running max, sum and weighted values): the
    cache is read in its own dtype and never copied whole (at 32K positions a whole fp32 copy was
    270 MB per layer and token; blocks are 3.8x faster there and as fast at 512, measured). The CPU
    flash-attention kernel is 2-5x slower at T = 1 (measured)."""
    H, K, Hd = q.shape[0], keys.shape[0], q.shape[-1]
    grouped = q.float().reshape(K, H // K, Hd) * Hd ** -0.5  # [K, H/K, Hd]
    top = torch.full((K, H // K, 1), float("-inf"))
    total = torch.zeros(K, H // K, 1)
    out = torch.zeros(K, H // K, Hd)
    for start in range(0, keys.shape[1], DECODE_BLOCK):
        allowed = mask[:, start:start + DECODE_BLOCK]  # [1, B]
        if not allowed.any():
            continue  # before a sliding window
        scores = grouped @ keys[:, start:start + DECODE_BLOCK].float().transpose(1, 2)  # [K, H/K, B]
        scores = scores.masked_fill(~allowed, float("-inf"))
        new_top = torch.maximum(top, scores.amax(-1, keepdim=True))
        rescale, weights = (top - new_top).exp(), (scores - new_top).exp()
        total = total * rescale + weights.sum(-1, keepdim=True)
        out = out * rescale + weights @ values[:, start:start + DECODE_BLOCK].float()  # [K, H/K, Hd]
        top = new_top
    return (out / total).reshape(H, 1, Hd).to(q.dtype)  # [H, 1, Hd]


class FeedForward(nn.Module):
    """Dense SwiGLU: w2(silu(w1 x) * w3 x)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.w1 = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.w3 = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.w2 = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class MoEFeedForward(nn.Module):
    """Sparse mixture of SwiGLU experts, stacked [E, out, in]; a float router picks A per token."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        E, D, Fs = config.num_local_experts, config.hidden_size, config.intermediate_size
        self.top_k = config.num_experts_per_tok
        self.gate = nn.Linear(D, E, bias=False)
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
        return expert_linear(self.w2, e, F.silu(expert_linear(self.w1, e, x)) * expert_linear(self.w3, e, x))

    def _decode(self, x, experts, weights):
        """One token: touch only its A chosen experts."""
        out = torch.zeros_like(x)
        for e, w in zip(experts.tolist(), weights):
            out += w * self.run_expert(e, x)
        return out

    def _prefill(self, x, experts, weights):
        """Tokens grouped by expert: one matrix product per expert that has tokens."""
        out = torch.zeros_like(x)
        flat_experts = experts.flatten()  # [T*A]
        order = torch.argsort(flat_experts, stable=True)
        counts = torch.bincount(flat_experts, minlength=self.w1.shape[0]).tolist()
        token_of = order // self.top_k
        start = 0
        for e, count in enumerate(counts):
            if count:
                rows = token_of[start:start + count]
                slots = order[start:start + count]
                y = self.run_expert(e, x[rows]) * weights.flatten()[slots, None]
                out.index_add_(0, rows, y)
            start += count
        return out


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


def parameter_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and shape for `config` (expert stacks [E, out, in]); no memory used."""
    return {name: tuple(p.shape) for name, p in empty_transformer(config).state_dict().items()}
