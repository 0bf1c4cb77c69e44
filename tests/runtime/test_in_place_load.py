"""Loading a GGUF is mapping it: for every type the native kernels read, the loader keeps the file's own
blocks where they lie in the mapped file, and neither it nor a forward pass ever calls a numpy
dequantizer (gguf's or ours)."""
from pathlib import Path

import gguf
import pytest
import torch

import runtime.quant.gguf_blocks as gguf_blocks
import runtime.weights.gguf as weights_gguf
from runtime.kv_cache import KVCache
from runtime.loader import load_model
from runtime.quant import kernels
from runtime.quant.formats import GGUFBlockWeight, QuantizedEmbedding, QuantizedExperts, QuantizedLinear

from .tiny_models import save_hf_folder, tiny_mixtral, write_gguf_from_folder

T = gguf.GGMLQuantizationType
TYPES = [T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]

pytestmark = pytest.mark.skipif(kernels.gguf_kernels() is None, reason="no native kernels for this CPU")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A tiny Mixtral whose every matrix has rows of 256 weights (a K-quant superblock)."""
    path = tmp_path_factory.mktemp("mixtral-256")
    save_hf_folder(tiny_mixtral(hidden_size=256, intermediate_size=256, heads=4, kv_heads=2, vocab_size=128), path,
                   tokenizer=True)
    return path


def refuse(*args, **kwargs):
    raise AssertionError("a numpy dequantizer was called on the load path")


def mapped_files() -> list[tuple[int, int, str]]:
    """(start, end, path) of this process's file mappings, from /proc/self/maps."""
    regions = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6:
            start, end = (int(x, 16) for x in fields[0].split("-"))
            regions.append((start, end, fields[5]))
    return regions


def matrices(model) -> dict:
    found = {}
    for name, module in model.named_modules():
        if isinstance(module, (QuantizedLinear, QuantizedEmbedding)):
            found[name] = module.weight_q
        elif isinstance(module, QuantizedExperts):
            found.update({f"{name}[{e}]": w for e, w in enumerate(module.experts)})
    return found


@pytest.mark.parametrize("qtype", TYPES, ids=lambda t: t.name)
def test_every_matrix_stays_in_the_mapped_file_and_nothing_is_dequantized_by_numpy(folder, tmp_path, monkeypatch,
                                                                                    qtype):
    path = write_gguf_from_folder(folder, tmp_path / f"tiny-{qtype.name}.gguf", qtype=qtype)
    monkeypatch.setattr(gguf.quants, "dequantize", refuse)
    monkeypatch.setattr(weights_gguf, "dequantize_rows", refuse)
    monkeypatch.setattr(gguf_blocks, "dequantize_rows", refuse)
    loaded = load_model(path, quantize="auto")
    weights = matrices(loaded.model)
    assert len(weights) == 2 * (4 + 3 * 4) + 2  # per layer q, k, v, o and 4 experts' w1, w2, w3; embedding, output
    regions = [r for r in mapped_files() if r[2] == str(path.resolve())]
    for name, weight in weights.items():
        assert isinstance(weight, GGUFBlockWeight) and weight.qtype == qtype, name
        address = weight.blocks.data_ptr()
        assert any(start <= address < end for start, end, _ in regions), f"{name} is not in {path.name}'s mapping"
    cache = KVCache(loaded.config, 16, dtype=loaded.dtype)
    with torch.inference_mode():
        logits = loaded.model(torch.tensor([1, 2, 3, 4, 5, 6]), cache)  # prompt: bf16 tiles
        step = loaded.model(torch.tensor([7]), cache)  # decode: the few-token kernels and the fused MoE step
    assert torch.isfinite(logits).all() and torch.isfinite(step).all()
