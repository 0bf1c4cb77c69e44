"""Will a model fit in memory? `check_fits(model)` compares what it needs (weights + KV cache at the default
context + overhead) with the memory available now, and when it does not fit says why and which smaller
catalog model to pick instead, so the app refuses rather than letting the machine swap or the worker be killed.
"""
from __future__ import annotations

from dataclasses import dataclass

import psutil

from .catalog import DEFAULT_KV_BYTES_PER_TOKEN, CatalogEntry, InstalledModel, load_catalog

DEFAULT_CONTEXT_TOKENS = 4096
OVERHEAD_BYTES = 512 * 1024**2
GB = 1e9


@dataclass(frozen=True)
class FitVerdict:
    fits: bool
    needed_bytes: int
    available_bytes: int
    total_bytes: int
    message: str
    suggestion: CatalogEntry | None = None


def memory_needed(model: CatalogEntry | InstalledModel | int, *, context_tokens: int = DEFAULT_CONTEXT_TOKENS) -> int:
    """Bytes to run `model`: file size + KV cache for `context_tokens` + fixed overhead."""
    if isinstance(model, int):
        return model + DEFAULT_KV_BYTES_PER_TOKEN * context_tokens + OVERHEAD_BYTES
    return model.size_bytes + kv_bytes_per_token(model) * context_tokens + OVERHEAD_BYTES


def kv_bytes_per_token(model: CatalogEntry | InstalledModel) -> int:
    """fp16 K and V for every layer: the catalog's figure, or an import's from what the runtime reported."""
    if isinstance(model, CatalogEntry):
        return model.kv_bytes_per_token
    info = model.info or {}
    if all(isinstance(info.get(k), int) for k in ("layers", "kv_heads", "head_dim")):
        return info["layers"] * 2 * info["kv_heads"] * info["head_dim"] * 2
    return DEFAULT_KV_BYTES_PER_TOKEN


def check_fits(model: CatalogEntry | InstalledModel | int, *, available_bytes: int | None = None,
               total_bytes: int | None = None, catalog: list[CatalogEntry] | None = None,
               context_tokens: int = DEFAULT_CONTEXT_TOKENS) -> FitVerdict:
    """Whether `model` fits in the memory available now; if not, a message and a smaller model to pick."""
    memory = psutil.virtual_memory()
    available = memory.available if available_bytes is None else available_bytes
    total = memory.total if total_bytes is None else total_bytes
    needed = memory_needed(model, context_tokens=context_tokens)
    label = _label(model)
    if needed <= available:
        return FitVerdict(True, needed, available, total,
                          f"{label} needs about {_gb(needed)}; {_gb(available)} is available.")
    suggestion = suggest_smaller(model, available, catalog if catalog is not None else load_catalog(),
                                 context_tokens=context_tokens)
    return FitVerdict(False, needed, available, total, _refusal(label, needed, available, total, suggestion),
                      suggestion)


def suggest_smaller(model, available_bytes: int, catalog: list[CatalogEntry], *,
                    context_tokens: int = DEFAULT_CONTEXT_TOKENS) -> CatalogEntry | None:
    """The largest catalog model that fits: same family first (a smaller quantization), then any other."""
    fitting = [e for e in catalog if memory_needed(e, context_tokens=context_tokens) <= available_bytes]
    family = _family(model, catalog)
    same_family = [e for e in fitting if family and e.family == family]
    pool = same_family or [e for e in fitting if e.source != "pypi"] or fitting
    return max(pool, key=lambda e: e.size_bytes, default=None)


def _family(model, catalog: list[CatalogEntry]) -> str | None:
    if isinstance(model, CatalogEntry):
        return model.family
    if isinstance(model, InstalledModel) and model.catalog_id:
        return next((e.family for e in catalog if e.id == model.catalog_id), None)
    return None


def _label(model) -> str:
    return model.name if hasattr(model, "name") else "This model"


def _refusal(label: str, needed: int, available: int, total: int, suggestion: CatalogEntry | None) -> str:
    text = (f"{label} needs about {_gb(needed)} of memory, but only {_gb(available)} is available "
            f"({_gb(total)} in all). Loading it would make the computer swap or stop the model process.")
    if suggestion is not None:
        text += f" Pick {suggestion.name} instead (about {_gb(memory_needed(suggestion))}),"
        return text + " or close other programs and try again."
    return text + " Close other programs and try again; no catalog model fits in this much memory."


def _gb(n: int) -> str:
    return f"{n / GB:.1f} GB"
