"""Rotary position embeddings in Hugging Face's rotate-half layout: the cos/sin tables (the KV cache
holds them for its length) and their application to queries and keys (the model's attention).
"""
import torch


def rope_tables(head_dim: int, theta: float, max_len: int, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin [max_len, Hd] for rotate-half RoPE."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    angles = torch.outer(torch.arange(max_len, dtype=torch.float64), inv_freq)  # [S, Hd/2]
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().to(dtype), angles.sin().to(dtype)


def apply_rope(x, rope):
    """x [..., T, Hd] rotated by the (cos, sin) rows [T, Hd] of its positions."""
    cos, sin = rope  # [T, Hd]
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin
