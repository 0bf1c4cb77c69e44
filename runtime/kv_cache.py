"""The key/value cache: preallocated per layer for the whole context, filled left to right.

`length` counts the positions already stored; `truncate(n)` keeps a prefix (so a new turn of the
same conversation prefills only its new tokens). It also holds the RoPE tables for its length
(runtime.rope) and builds the attention mask.
"""
import torch

from .config import ModelConfig
from .rope import rope_tables


class KVCache:
    def __init__(self, config: ModelConfig, max_len: int, *, dtype=torch.float32, device="cpu"):
        shape = (config.num_hidden_layers, config.num_key_value_heads, max_len, config.head_dim)
        self.keys = torch.zeros(shape, dtype=dtype, device=device)
        self.values = torch.zeros(shape, dtype=dtype, device=device)
        self.max_len = max_len
        self.length = 0
        self.cos, self.sin = rope_tables(config.head_dim, config.rope_theta, max_len, dtype)
        self.cos, self.sin = self.cos.to(device), self.sin.to(device)

    def layer(self, index: int) -> "LayerCache":
        return LayerCache(self, index)

    def rope(self, positions):
        return self.cos[positions], self.sin[positions]

    def attention_mask(self, positions, sliding_window: int | None):
        """Boolean [T, S] mask, True where a query may attend: causal, within the sliding window."""
        keys = torch.arange(positions[-1].item() + 1, device=positions.device)
        allowed = keys[None, :] <= positions[:, None]
        if sliding_window:
            allowed &= keys[None, :] > positions[:, None] - sliding_window
        return allowed

    def advance(self, count: int):
        self.length += count

    def truncate(self, length: int):
        self.length = min(self.length, length)

    @property
    def free(self) -> int:
        return self.max_len - self.length

    def snapshot(self, length: int | None = None) -> dict[str, torch.Tensor]:
        """Copies of what the first `length` positions (default: all stored) hold, by name, in the cache's
        own dtype: what a saved chat state keeps. `restore` puts them back."""
        length = self.length if length is None else min(length, self.length)
        return {"keys": self.keys[:, :, :length].clone(), "values": self.values[:, :, :length].clone()}

    def snapshot_shapes(self, length: int) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
        """The shape and dtype `snapshot(length)` gives each tensor: the bounds a saved state is checked against."""
        return {name: ((*stored.shape[:2], length, *stored.shape[3:]), stored.dtype)
                for name, stored in (("keys", self.keys), ("values", self.values))}

    def restore(self, tensors: dict[str, torch.Tensor], length: int) -> None:
        """Put back a `snapshot(length)`; the cache then holds exactly those `length` positions."""
        expected = self.snapshot_shapes(length)
        if length > self.max_len or set(tensors) != set(expected) or any(
                (tuple(tensors[name].shape), tensors[name].dtype) != shape for name, shape in expected.items()):
            raise ValueError("the saved state does not match this cache")
        self.keys[:, :, :length] = tensors["keys"]
        self.values[:, :, :length] = tensors["values"]
        self.length = length


class LayerCache:
    def __init__(self, cache: KVCache, index: int):
        self.cache, self.index = cache, index

    def update(self, k, v):
        """Store k, v [K, T, Hd] after the cached positions; return all keys and values [K, S, Hd]."""
        start = self.cache.length
        end = start + k.shape[1]
        if end > self.cache.max_len:
            raise ValueError(f"the KV cache holds {self.cache.max_len} positions, {end} were asked for")
        self.cache.keys[self.index, :, start:end] = k
        self.cache.values[self.index, :, start:end] = v
        return self.cache.keys[self.index, :, :end], self.cache.values[self.index, :, :end]
