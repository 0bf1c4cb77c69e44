"""The key/value cache: preallocated per layer for the whole context, filled left to right.

`length` counts the positions already stored; `truncate(n)` keeps a prefix (so a new turn of the
same conversation prefills only its new tokens). It also holds the RoPE tables for its length
(runtime.rope, in the model's dtype). Attention reads it a block of positions at a time (`read`),
dequantized to fp32: never a copy of the whole cache.

Storage (`kv_dtype`), chosen by the engine (`KV_CACHE_TYPES`, the app's Settings and `--kv-cache`):
- "bf16" (the default): keys and values as bfloat16.
- "int8": keys and values as int8 with one fp32 scale per (layer, KV head, position), for K and V
  apart: the head's Hd values of one position are `round(x / scale)` with `scale = max|x| / 127`
  (symmetric, so each value is off by at most scale / 2 = max|x| / 254).
Bytes per cached position per layer (K = key/value heads, Hd = head dim; `bytes_per_position`):
  bf16: 2 * K * Hd * 2 = 4 K Hd;  int8: 2 * K * Hd * 1 + 2 * K * 4 = 2 K Hd + 8 K;  fp32: 8 K Hd.
  Mixtral 8x7B (K = 8, Hd = 128, 32 layers): bf16 4096 bytes, int8 2112 bytes per position per layer,
  so 32K positions hold 4.29 GB in bf16 and 2.21 GB in int8 (`bytes_per_position * layers * positions`).
The tensors are allocated empty: pages are committed as positions are stored.
"""
import torch

from .config import ModelConfig
from .rope import rope_tables

KV_CACHE_TYPES = {"bf16": torch.bfloat16, "int8": torch.int8}
DEFAULT_KV_CACHE = "bf16"
INT8_LEVELS = 127


def bytes_per_position(config: ModelConfig, kv_dtype: torch.dtype) -> int:
    """Bytes one cached position takes in one layer (keys, values and int8's scales)."""
    values = 2 * config.num_key_value_heads * config.head_dim
    if kv_dtype == torch.int8:
        return values + 2 * config.num_key_value_heads * 4
    return values * kv_dtype.itemsize


class KVCache:
    def __init__(self, config: ModelConfig, max_len: int, *, dtype=torch.float32, kv_dtype=None, device="cpu"):
        """`dtype`: the model's (RoPE tables); `kv_dtype`: what keys and values are stored as (default:
        `dtype`; torch.int8 adds the scales)."""
        self.kv_dtype = kv_dtype or dtype
        shape = (config.num_hidden_layers, config.num_key_value_heads, max_len, config.head_dim)
        self.keys = torch.empty(shape, dtype=self.kv_dtype, device=device)
        self.values = torch.empty(shape, dtype=self.kv_dtype, device=device)
        self.quantized = self.kv_dtype == torch.int8
        if self.quantized:
            self.key_scales = torch.empty(shape[:3], dtype=torch.float32, device=device)
            self.value_scales = torch.empty(shape[:3], dtype=torch.float32, device=device)
        self.max_len = max_len
        self.length = 0
        self.cos, self.sin = rope_tables(config.head_dim, config.rope_theta, max_len, dtype)
        self.cos, self.sin = self.cos.to(device), self.sin.to(device)

    def layer(self, index: int) -> "LayerCache":
        return LayerCache(self, index)

    def rope(self, positions):
        return self.cos[positions], self.sin[positions]

    def advance(self, count: int):
        self.length += count

    def truncate(self, length: int):
        self.length = min(self.length, length)

    @property
    def free(self) -> int:
        return self.max_len - self.length

    @property
    def nbytes(self) -> int:
        """Bytes allocated for the whole context (keys, values and scales)."""
        return sum(tensor.nbytes for tensor in self._stored().values())

    def _stored(self) -> dict[str, torch.Tensor]:
        """The tensors that hold positions (in dim 2), by name: what a snapshot copies."""
        tensors = {"keys": self.keys, "values": self.values}
        if self.quantized:
            tensors.update(key_scales=self.key_scales, value_scales=self.value_scales)
        return tensors

    def store(self, layer: int, start: int, k, v):
        """k, v [K, T, Hd] at positions start..start+T-1 of `layer`, in the cache's own dtype."""
        end = start + k.shape[1]
        if end > self.max_len:
            raise ValueError(f"the KV cache holds {self.max_len} positions, {end} were asked for")
        if self.quantized:
            self.keys[layer, :, start:end], self.key_scales[layer, :, start:end] = quantize_int8(k)
            self.values[layer, :, start:end], self.value_scales[layer, :, start:end] = quantize_int8(v)
        else:
            self.keys[layer, :, start:end] = k
            self.values[layer, :, start:end] = v

    def read(self, layer: int, start: int, end: int, dtype=torch.float32):
        """Keys and values [K, end - start, Hd] of positions start..end-1 in `dtype` (a copy of that block,
        or a view where the cache already holds `dtype`)."""
        return self.read_keys(layer, start, end, dtype), self.read_values(layer, start, end, dtype)

    def read_keys(self, layer: int, start: int, end: int, dtype=torch.float32, *, scaled=True, out=None):
        """Keys [K, end - start, Hd] in `dtype`; `scaled=False` leaves an int8 cache's scales out (see
        `scales`); `out`, a [K, >= end - start, Hd] buffer, takes the copy (no new memory per block)."""
        scales = self.key_scales if self.quantized and scaled else None
        return self._read(self.keys, scales, layer, start, end, dtype, out)

    def read_values(self, layer: int, start: int, end: int, dtype=torch.float32, *, scaled=True, out=None):
        scales = self.value_scales if self.quantized and scaled else None
        return self._read(self.values, scales, layer, start, end, dtype, out)

    def scales(self, layer: int) -> tuple[torch.Tensor, torch.Tensor] | None:
        """An int8 cache's key and value scales of `layer`, [K, max_len] fp32 each; None for a float cache."""
        return (self.key_scales[layer], self.value_scales[layer]) if self.quantized else None

    @staticmethod
    def _read(stored, scales, layer: int, start: int, end: int, dtype, out):
        block = stored[layer, :, start:end]
        if block.dtype != dtype:
            block = block.to(dtype) if out is None else out[:, :end - start].copy_(block)
        return block if scales is None else block * scales[layer, :, start:end, None].to(dtype)

    def snapshot(self, length: int | None = None) -> dict[str, torch.Tensor]:
        """Copies of what the first `length` positions (default: all stored) hold, by name, in the cache's
        own dtype (int8 adds "key_scales" and "value_scales" [layers, K, length] in fp32): what a saved
        chat state keeps. `restore` puts them back."""
        length = self.length if length is None else min(length, self.length)
        return {name: stored[:, :, :length].clone() for name, stored in self._stored().items()}

    def snapshot_shapes(self, length: int) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
        """The shape and dtype `snapshot(length)` gives each tensor: the bounds a saved state is checked against."""
        return {name: ((*stored.shape[:2], length, *stored.shape[3:]), stored.dtype)
                for name, stored in self._stored().items()}

    def restore(self, tensors: dict[str, torch.Tensor], length: int) -> None:
        """Put back a `snapshot(length)`; the cache then holds exactly those `length` positions."""
        expected = self.snapshot_shapes(length)
        if length > self.max_len or set(tensors) != set(expected) or any(
                (tuple(tensors[name].shape), tensors[name].dtype) != shape for name, shape in expected.items()):
            raise ValueError("the saved state does not match this cache")
        for name, stored in self._stored().items():
            stored[:, :, :length] = tensors[name]
        self.length = length


def quantize_int8(x):
    """x [K, T, Hd] -> (int8 [K, T, Hd], fp32 scales [K, T]): one symmetric scale per head and position."""
    x = x.float()
    scales = x.abs().amax(-1) / INT8_LEVELS  # [K, T]
    safe = torch.where(scales > 0, scales, torch.ones_like(scales))
    return (x / safe[..., None]).round_().clamp_(-INT8_LEVELS, INT8_LEVELS).to(torch.int8), scales


class LayerCache:
    """One layer's view of the cache: where attention stores new keys and reads blocks of old ones."""

    def __init__(self, cache: KVCache, index: int):
        self.cache, self.index = cache, index

    @property
    def start(self) -> int:
        """The position of the first token of this forward pass (the cache advances after all layers)."""
        return self.cache.length

    def store(self, k, v):
        """Store k, v [K, T, Hd] after the cached positions."""
        self.cache.store(self.index, self.start, k, v)

    def read(self, start: int, end: int, dtype=torch.float32):
        return self.cache.read(self.index, start, end, dtype)

    def read_keys(self, start: int, end: int, dtype=torch.float32, **options):
        return self.cache.read_keys(self.index, start, end, dtype, **options)

    def read_values(self, start: int, end: int, dtype=torch.float32, **options):
        return self.cache.read_values(self.index, start, end, dtype, **options)

    def scales(self):
        return self.cache.scales(self.index)
