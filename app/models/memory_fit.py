"""Will a model fit in memory? `check_fits(model)` compares what it needs (runtime.memory_estimate: its weights in
the form the runtime keeps them, the KV cache at the chosen context and cache type, the runtime's overhead) with
the memory available now, and when it does not fit says why and which smaller catalog model to pick instead, so
the app refuses rather than letting the machine swap or the worker be killed.

A GGUF file on disk is judged by its header (every tensor); a catalog entry before its download by its
quantization and parameter count, else its file size; a Hugging Face folder or a bare size by its size on disk.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psutil

from runtime.errors import ModelFileError
from runtime.memory_estimate import (DEFAULT_KV_CACHE, MemoryEstimate, estimate_from_size, estimate_gguf,
                                     native_kernels_built)

from .catalog import DEFAULT_KV_BYTES_PER_TOKEN, CatalogEntry, InstalledModel, load_catalog

DEFAULT_CONTEXT_TOKENS = 4096
GB = 1e9

Model = CatalogEntry | InstalledModel | Path | int


@dataclass(frozen=True)
class FitVerdict:
    fits: bool
    needed_bytes: int
    available_bytes: int
    total_bytes: int
    message: str
    suggestion: CatalogEntry | None = None
    estimate: MemoryEstimate | None = None


def estimate(model: Model, *, context_tokens: int = DEFAULT_CONTEXT_TOKENS,
             kv_cache: str = DEFAULT_KV_CACHE) -> MemoryEstimate:
    """The memory estimate of an installed model (its file's header), a GGUF path, a catalog entry or a size."""
    path = _gguf_path(model)
    if path is not None:
        try:
            return estimate_gguf(path, context_length=context_tokens, kv_cache=kv_cache,
                                 block_kernels=native_kernels_built())
        except ModelFileError:
            pass  # unreadable here: the loader will say why; judge it by its size meanwhile
    if isinstance(model, CatalogEntry):
        return estimate_from_size(model.quantization if model.format == "gguf" else "", model.size_bytes, context_length=context_tokens,
                                  kv_values_per_token=model.kv_bytes_per_token // 2, kv_cache=kv_cache,
                                  parameters=model.parameters_total or None, block_kernels=native_kernels_built())
    size = model if isinstance(model, int) else getattr(model, "size_bytes", 0) or _size_of(model)
    gguf = getattr(model, "format", "gguf") == "gguf"
    quantization = (getattr(model, "quantization", None) or "") if gguf else ""  # "": as it is on disk
    return estimate_from_size(quantization, size, context_length=context_tokens,
                              kv_values_per_token=kv_values_per_token(model), kv_cache=kv_cache,
                              block_kernels=native_kernels_built())


def memory_needed(model: Model, *, context_tokens: int = DEFAULT_CONTEXT_TOKENS,
                  kv_cache: str = DEFAULT_KV_CACHE) -> int:
    """Bytes to load and run `model` at `context_tokens` (see `estimate`)."""
    return estimate(model, context_tokens=context_tokens, kv_cache=kv_cache).total


def kv_values_per_token(model) -> int:
    """Keys and values of all layers for one position: what the runtime reported for an import, else Mixtral's."""
    info = getattr(model, "info", None) or {}
    if all(isinstance(info.get(k), int) for k in ("layers", "kv_heads", "head_dim")):
        return info["layers"] * 2 * info["kv_heads"] * info["head_dim"]
    return DEFAULT_KV_BYTES_PER_TOKEN // 2


def kv_cache_size(model: Model, *, context_tokens: int, kv_cache: str = DEFAULT_KV_CACHE) -> int:
    """Bytes of the KV cache alone (what Settings shows next to the context length)."""
    return estimate(model, context_tokens=context_tokens, kv_cache=kv_cache).kv_cache


def check_fits(model: Model, *, available_bytes: int | None = None, total_bytes: int | None = None,
               catalog: list[CatalogEntry] | None = None, context_tokens: int = DEFAULT_CONTEXT_TOKENS,
               kv_cache: str = DEFAULT_KV_CACHE) -> FitVerdict:
    """Whether `model` fits in the memory available now; if not, a message and a smaller model to pick."""
    memory = psutil.virtual_memory()
    available = memory.available if available_bytes is None else available_bytes
    total = memory.total if total_bytes is None else total_bytes
    judged = estimate(model, context_tokens=context_tokens, kv_cache=kv_cache)
    needed = judged.total
    label = _label(model)
    if needed <= available:
        return FitVerdict(True, needed, available, total,
                          f"{label} needs about {_gb(needed)}; {_gb(available)} is available.", estimate=judged)
    suggestion = suggest_smaller(model, available, catalog if catalog is not None else load_catalog(),
                                 context_tokens=context_tokens, kv_cache=kv_cache)
    message = _refusal(label, needed, available, total, suggestion, context_tokens, kv_cache)
    return FitVerdict(False, needed, available, total, message, suggestion, judged)


def suggest_smaller(model, available_bytes: int, catalog: list[CatalogEntry], *,
                    context_tokens: int = DEFAULT_CONTEXT_TOKENS, kv_cache: str = DEFAULT_KV_CACHE
                    ) -> CatalogEntry | None:
    """The largest catalog model that fits: same family first (a smaller quantization), then any other."""
    fitting = [e for e in catalog
               if memory_needed(e, context_tokens=context_tokens, kv_cache=kv_cache) <= available_bytes]
    family = _family(model, catalog)
    same_family = [e for e in fitting if family and e.family == family]
    pool = same_family or [e for e in fitting if e.source != "pypi"] or fitting
    return max(pool, key=lambda e: e.size_bytes, default=None)


def _gguf_path(model) -> Path | None:
    if isinstance(model, Path):
        return model if model.is_file() else None
    if isinstance(model, InstalledModel) and model.format == "gguf" and Path(model.path).is_file():
        return Path(model.path)
    return None


def _size_of(model) -> int:
    if isinstance(model, Path) and model.exists():
        files = [model] if model.is_file() else [p for p in model.rglob("*") if p.is_file()]
        return sum(p.stat().st_size for p in files)
    return 0


def _family(model, catalog: list[CatalogEntry]) -> str | None:
    if isinstance(model, CatalogEntry):
        return model.family
    if isinstance(model, InstalledModel) and model.catalog_id:
        return next((e.family for e in catalog if e.id == model.catalog_id), None)
    return None


def _label(model) -> str:
    return model.name if isinstance(model, (CatalogEntry, InstalledModel)) else "This model"


def _refusal(label: str, needed: int, available: int, total: int, suggestion: CatalogEntry | None,
             context_tokens: int, kv_cache: str) -> str:
    text = (f"{label} needs about {_gb(needed)} of memory, but only {_gb(available)} is available "
            f"({_gb(total)} in all). Loading it would make the computer swap or stop the model process.")
    if suggestion is not None:
        smaller = memory_needed(suggestion, context_tokens=context_tokens, kv_cache=kv_cache)
        text += f" Pick {suggestion.name} instead (about {_gb(smaller)}),"
        return text + " or close other programs and try again."
    return text + " Close other programs and try again; no catalog model fits in this much memory."


def _gb(n: int) -> str:
    return f"{n / GB:.1f} GB"
