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
    attention = _projections(block, ATTENTION, kernels)
    if attention is None or any(w.row_order is not None for w in attention[2:]):  # only Q and K are permuted
        return None
    ffn = _mixture_fields(block.feed_forward, config, kernels) if config.is_moe else _dense_fields(block, kernels)
    norms = [norm.weight.detach().float().contiguous() for norm in (block.attention_norm, block.ffn_norm)]
    if ffn is None or any(norm.device.type != "cpu" for norm in norms):
        return None
    orders = [w.row_order.contiguous() if w.row_order is not None else None for w in attention[:2]]
    keep += [*norms, *(order for order in orders if order is not None), *ffn.pop("keep")]
    ffn["w"] = (ctypes.c_void_p * 7)(*(w.blocks.data_ptr() for w in attention), *ffn["w"])
    ffn["types"] = (ctypes.c_int32 * 7)(*(w.qtype for w in attention), *ffn["types"])
    return DecoderLayer(D=config.hidden_size, F=config.intermediate_size, H=config.num_attention_heads,
                        K=config.num_key_value_heads, Hd=config.head_dim, eps=config.rms_norm_eps,
                        attention_norm=norms[0].data_ptr(), ffn_norm=norms[1].data_ptr(),
                        q_order=orders[0].data_ptr() if orders[0] is not None else None,
                        k_order=orders[1].data_ptr() if orders[1] is not None else None, **ffn)


def _projections(block, names, kernels) -> list[GGUFBlockWeight] | None:
    """The block's matrices `names` where our few-token kernels read them all, else None."""
    weights = [_block_weight(getattr(block.get_submodule(name), "weight_q", None), kernels) for name in names]
    return None if None in weights else weights


def _dense_fields(block, kernels) -> dict | None:
    """A dense SwiGLU's DecoderLayer fields: w1, w3 and w2 (in w[4..6]), and what they point into."""
    weights = _projections(block, FEED_FORWARD, kernels)
    if weights is None or any(w.row_order is not None for w in weights):
        return None
    return {"w": [w.blocks.data_ptr() for w in weights], "types": [w.qtype for w in weights], "keep": []}


def _mixture_fields(feed_forward, config, kernels) -> dict | None:
    """A mixture of experts' DecoderLayer fields: the router in fp32, each expert's w1, w3 and w2 (w1 and w3 of
    one type), and what they point into; None for float or converted experts."""
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
    return {"w": [None] * 3, "types": [stack[0].qtype for stack in weights], "E": config.num_local_experts,
            "A": config.num_experts_per_tok, "router": router.data_ptr(),
            "experts": (ctypes.c_void_p * 3)(*(ctypes.addressof(array) for array in pointers)),
            "keep": [router, *pointers]}


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
