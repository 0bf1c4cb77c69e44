"""A decode step in one native call per layer (quant/native/layer.h): Llama, Mistral and Mixtral shapes, where
every matrix is a GGUF weight our kernels read in place. For a small model a step spent most of its time
between kernels (SmolLM2-135M's 30 layers made about 600 torch ops and 120 kernel calls a token), for Mixtral
about a tenth. Transformer.forward takes it for one token; a prompt, float or converted weights, a cache our
attention kernel does not read, or no kernels at all keep the torch path.
"""
import ctypes

import torch

from .kv_cache import KVCache
from .quant.formats import GGUFBlockWeight, QuantizedExperts, reading_prompt
from .quant.kernels import GGML_BLOCK_WEIGHTS, CacheSlot, DecoderLayer, gguf_kernels

ATTENTION = ("attention.wq", "attention.wk", "attention.wv", "attention.wo")
FEED_FORWARD = ("feed_forward.w1", "feed_forward.w3", "feed_forward.w2")  # native/layer.h's order after ATTENTION


class NativeDecoder:
    """The layers of one loaded model as native/layer.h's structures (built once: the weights stay where they
    are), run for one token at a time over a KV cache."""

    def __init__(self, kernels, layers: list[DecoderLayer], keep: list):
        self.kernels, self.layers = kernels, layers
        self._keep = keep  # the fp32 norms and routers, row orders and pointer arrays the structures point into
        self._slots: tuple | None = None  # (where the last cache seen lies, its slots)

    @classmethod
    def for_model(cls, model, kernels=None) -> "NativeDecoder | None":
        """The decoder for `model` on `kernels` (default: this CPU's, gguf_kernels), or None where its layers do
        not all qualify."""
        kernels, config = kernels or gguf_kernels(), model.config
        if kernels is None or config.head_dim % 16 or config.num_attention_heads % config.num_key_value_heads:
            return None
        layers, keep = [], []
        for block in model.layers:
            layer = _layer(block, config, kernels, keep)
            if layer is None:
                return None
            layers.append(layer)
        return cls(kernels, layers, keep)

    def takes(self, cache: KVCache) -> bool:
        """Whether this step can run on `cache` (bf16 or int8 on the CPU, a position left for the token)."""
        return (cache.kv_dtype in (torch.bfloat16, torch.int8) and cache.keys.device.type == "cpu"
                and cache.keys.is_contiguous() and cache.length < cache.max_len and not reading_prompt())

    def __call__(self, x: torch.Tensor, cache: KVCache, window: int | None) -> torch.Tensor:
        """x [1, D] of the token at position cache.length -> fp32 [1, D] after every layer; each layer's key and
        value stored (the caller advances the cache). `window`: the model's sliding window, or None."""
        position = cache.length
        cos, sin = (table[position].float().contiguous() for table in (cache.cos, cache.sin))
        hidden = x.reshape(-1).float().contiguous().clone()
        first = max(0, position + 1 - window) if window else 0
        for layer, slot in zip(self.layers, self._slots_of(cache)):
            slot.position, slot.first = position, first
            if not self.kernels.decoder_layer(hidden, layer, slot, cos, sin):
                raise RuntimeError("a layer's weights have no few-token kernel")  # for_model checked the types
        return hidden.reshape(1, -1)

    def _slots_of(self, cache: KVCache) -> list[CacheSlot]:
        """Each layer's CacheSlot on this cache (kept while the cache's tensors are the same)."""
        where = (cache.keys.data_ptr(), cache.values.data_ptr(), cache.max_len, cache.scales(0) and
                 tuple(scales.data_ptr() for scales in cache.scales(0)))
        if self._slots is None or self._slots[0] != where:  # pointers, not the tensors: an old cache can go
            self._slots = (where, [_slot(cache, index) for index in range(len(self.layers))])
        return self._slots[1]


def _layer(block, config, kernels, keep: list) -> DecoderLayer | None:
    """One block as a DecoderLayer (what it points into appended to `keep`), or None where it does not qualify."""
    attention = [_block_weight(getattr(block.get_submodule(name), "weight_q", None), kernels) for name in ATTENTION]
    if None in attention or any(w.row_order is not None for w in attention[2:]):
        return None
    if config.is_moe:
        ffn = _experts(block.feed_forward, kernels)
        if ffn is None:
            return None
        w, types, experts, router = [None] * 3, ffn[0], ffn[1], ffn[2]
        keep += [router, *experts]
    else:
        weights = [_block_weight(getattr(block.get_submodule(name), "weight_q", None), kernels) for name in FEED_FORWARD]
        if None in weights or any(w.row_order is not None for w in weights):
            return None
        w, types, experts, router = [w.blocks.data_ptr() for w in weights], [w.qtype for w in weights], [None] * 3, None
    norms = [block.attention_norm.weight.detach().float().contiguous(), block.ffn_norm.weight.detach().float().contiguous()]
    orders = [w.row_order.contiguous() if w.row_order is not None else None for w in attention[:2]]
    if any(t.device.type != "cpu" for t in norms):
        return None
    keep += norms + [order for order in orders if order is not None]
    return DecoderLayer(
        config.hidden_size, config.intermediate_size, config.num_attention_heads, config.num_key_value_heads,
        config.head_dim, config.rms_norm_eps, norms[0].data_ptr(), norms[1].data_ptr(),
        (ctypes.c_void_p * 7)(*[w.blocks.data_ptr() for w in attention], *w),
        (ctypes.c_int32 * 7)(*[w.qtype for w in attention], *types),
        *(order.data_ptr() if order is not None else None for order in orders),
        config.num_local_experts if config.is_moe else 0, config.num_experts_per_tok if config.is_moe else 0,
        router.data_ptr() if router is not None else None,
        (ctypes.c_void_p * 3)(*(ctypes.addressof(pointers) if pointers is not None else None for pointers in experts)))


def _experts(feed_forward, kernels):
    """A MoE block's ([w1, w3, w2 types], [E pointers each], fp32 router [E, D]), or None where it does not
    qualify (float or converted experts, w1 and w3 of different types)."""
    stacks = (feed_forward.w1, feed_forward.w3, feed_forward.w2)
    if not all(isinstance(stack, QuantizedExperts) for stack in stacks):
        return None
    weights = [[_block_weight(w, kernels) for w in stack.experts] for stack in stacks]
    if any(w is None or w.row_order is not None or w.qtype != stack[0].qtype for stack in weights for w in stack):
        return None
    if weights[0][0].qtype != weights[1][0].qtype:
        return None
    pointers = [(ctypes.c_void_p * len(stack))(*(w.blocks.data_ptr() for w in stack)) for stack in weights]
    router = feed_forward.gate.weight.detach().float().contiguous()
    return [stack[0].qtype for stack in weights], pointers, router


def _block_weight(weight, kernels) -> GGUFBlockWeight | None:
    """The GGUF weight where our few-token kernels read it (a quantized type, on the CPU), else None."""
    if not isinstance(weight, GGUFBlockWeight) or weight.blocks.device.type != "cpu":
        return None
    quantized = GGML_BLOCK_WEIGHTS.get(weight.qtype, 1) > 1  # F32, F16 and BF16 have no few-token kernel here
    return weight if quantized and kernels.supports(weight.qtype, weight.shape[1]) else None


def _slot(cache: KVCache, index: int) -> CacheSlot:
    scales = cache.scales(index)
    return CacheSlot(cache.keys[index].data_ptr(), cache.values[index].data_ptr(),
                     scales[0].data_ptr() if scales else None, scales[1].data_ptr() if scales else None,
                     cache.max_len, 0, 0, int(cache.quantized))
