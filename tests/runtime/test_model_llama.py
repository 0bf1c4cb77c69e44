"""Our transformer against transformers' LlamaForCausalLM on the same weights, read back from GGUF."""
from pathlib import Path

import gguf
import pytest
import torch

from runtime.kv_cache import KVCache
from runtime.loader import load_weights
from runtime.quant.formats import QuantizedLinear
from runtime.weights.gguf import GGUFFile, permute_rope_rows, unpermute_rope_rows
from tests.runtime.tiny_models import tiny_llama, write_llama_gguf


def load_tiny(path):
    return load_weights(path, dtype=torch.float32).model


@pytest.mark.parametrize("shape", [dict(heads=4, kv_heads=2), dict(heads=4, kv_heads=4), dict(heads=8, kv_heads=1),
                                   dict(heads=4, kv_heads=2, tie=True)])
def test_logits_equal_transformers(tmp_path, shape):
    reference = tiny_llama(seed=1, **shape)
    ours = load_tiny(write_llama_gguf(reference, tmp_path / "tiny.gguf"))
    tokens = torch.randint(0, reference.config.vocab_size, (33,), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = reference(tokens[None]).logits[0]
        actual = ours(tokens, KVCache(ours.config, 64))
    assert (actual - expected).abs().max().item() <= 1e-4


def test_incremental_decoding_equals_full_forward(tmp_path):
    reference = tiny_llama(seed=3)
    ours = load_tiny(write_llama_gguf(reference, tmp_path / "tiny.gguf"))
    tokens = torch.randint(0, reference.config.vocab_size, (24,), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        full = ours(tokens, KVCache(ours.config, 64))
        cache = KVCache(ours.config, 64)
        pieces = [ours(tokens[:10], cache)] + [ours(tokens[i:i + 1], cache) for i in range(10, 24)]
    assert (torch.cat(pieces) - full).abs().max().item() <= 1e-5


@pytest.mark.skipif(not Path("/sys/kernel/mm/transparent_hugepage/enabled").exists(),
                    reason="a Linux kernel with transparent huge pages (which reports a mapping's advice in smaps)")
def test_gguf_mapping_asks_for_huge_pages(tmp_path):
    """The weights' mapping carries the huge-page advice (smaps' "hg" flag), so that a cold file is read in
    2 MiB folios where the file system allows."""
    path = write_llama_gguf(tiny_llama(seed=5), tmp_path / "tiny.gguf")
    file = GGUFFile(path)
    start = file.mapped.ctypes.data
    flags = None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        first = line.split(" ", 1)[0]
        if "-" in first and ":" not in first:
            low, high = (int(part, 16) for part in first.split("-"))
            inside = low <= start < high
        elif inside and line.startswith("VmFlags:"):
            flags = line.split()[1:]
            break
    assert flags is not None and "hg" in flags


def test_gguf_rope_permutation_is_undone(tmp_path):
    """The file holds llama.cpp's permuted Q/K rows; loading restores Hugging Face's order, and
    skipping that step would change the logits."""
    reference = tiny_llama(seed=5)
    path = write_llama_gguf(reference, tmp_path / "tiny.gguf")
    file = GGUFFile(path)
    stored = file.load("blk.0.attn_q.weight")
    hf_q = reference.model.layers[0].self_attn.q_proj.weight.detach()
    assert not torch.equal(stored, hf_q)
    assert torch.equal(unpermute_rope_rows(stored, 4), hf_q)
    assert torch.equal(unpermute_rope_rows(permute_rope_rows(hf_q, 4), 4), hf_q)

    model = load_tiny(path)
    tokens = torch.arange(1, 17)
    with torch.no_grad():
        good = model(tokens, KVCache(model.config, 32))
        for layer, block in enumerate(model.layers):
            block.attention.wq.weight.copy_(file.load(f"blk.{layer}.attn_q.weight"))
            block.attention.wk.weight.copy_(file.load(f"blk.{layer}.attn_k.weight"))
        wrong = model(tokens, KVCache(model.config, 32))
        expected = reference(tokens[None]).logits[0]
    assert (good - expected).abs().max() <= 1e-4
    assert (wrong - expected).abs().max() > 1e-3


@pytest.mark.parametrize("qtype, tolerance", [(gguf.GGMLQuantizationType.F16, 0.05),
                                              (gguf.GGMLQuantizationType.Q8_0, 0.1),
                                              (gguf.GGMLQuantizationType.Q4_1, 0.6)])
@pytest.mark.parametrize("quantize", [None, "auto"], ids=["dequantized at load", "kept quantized"])
def test_quantized_tensor_types_load_close_to_float(tmp_path, qtype, tolerance, quantize):
    """Both ways a quantized file loads: dequantized by `gguf` (quantize=None), and kept quantized on
    Octet's own conversions and kernels (what the app and the CLI use), where every matrix must be a
    QuantizedLinear."""
    reference = tiny_llama(seed=6, hidden_size=64)
    path = write_llama_gguf(reference, tmp_path / "q.gguf", qtype=qtype)
    ours = load_weights(path, dtype=torch.float32, quantize=quantize).model
    if quantize and qtype != gguf.GGMLQuantizationType.F16:
        assert isinstance(ours.layers[0].attention.wq, QuantizedLinear)
        assert isinstance(ours.layers[0].feed_forward.w2, QuantizedLinear)
    tokens = torch.arange(3, 40)
    with torch.no_grad():
        expected = reference(tokens[None]).logits[0]
        actual = ours(tokens, KVCache(ours.config, 64, dtype=next(ours.norm.parameters()).dtype))
    assert (actual - expected).abs().max().item() <= tolerance


def test_the_head_reads_a_prompts_last_row_as_a_decode_step_does(tmp_path):
    """In a prompt, the output head takes the few-token kernels, as in a decode step, for the one row it reads:
    not the prompt's tiles, which would dequantize the whole vocabulary for that row."""
    from runtime.generate import prefill
    from runtime.quant.formats import GGUFBlockWeight

    path = write_llama_gguf(tiny_llama(seed=7, hidden_size=64), tmp_path / "q.gguf",
                            qtype=gguf.GGMLQuantizationType.Q4_1)
    model = load_weights(path, dtype=torch.float32, quantize="auto").model
    assert isinstance(model.output.weight_q, GGUFBlockWeight)
    seen = []
    model.output.register_forward_hook(lambda module, args, out: seen.append((args[0].clone(), out.clone())))
    logits = prefill(model, KVCache(model.config, 64), list(range(3, 40)))
    head_input, head_output = seen[-1]
    with torch.inference_mode():
        as_in_decode = model.output(head_input)
    assert head_input.shape[0] == 1
    assert torch.equal(head_output, as_in_decode)
    assert torch.equal(logits, as_in_decode[-1].float())
