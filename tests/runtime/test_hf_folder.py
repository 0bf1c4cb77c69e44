"""Hugging Face folders and their GGUF conversions end to end (tokenizer, chat, generation, info), and
the one-line errors for folders and files that lie: a missing shard, tensors that disagree with the
config, expert counts of 0 or above what the file holds."""
import json

import pytest
import safetensors.torch
import torch

from runtime.text.chat_template import MistralV1ChatEncoder
from runtime.cli import main
from runtime.engine import Engine
from runtime.errors import ModelFileError
from runtime.kv_cache import KVCache
from runtime.loader import inspect_model, load_model
from runtime.sampling import SamplingParams
from tests.runtime.test_mixtral import load_folder, load_gguf
from tests.runtime.tiny_models import save_hf_folder, tiny_mixtral, write_gguf_from_folder

MESSAGES = [{"role": "system", "content": "Réponds en français."}, {"role": "user", "content": "Ça va ?"}]


@pytest.fixture(scope="module")
def mixtral_folder(tmp_path_factory):
    """A tiny Mixtral with the real vocabulary, saved in bf16 over three shards with its tokenizer."""
    reference = tiny_mixtral(seed=21, vocab_size=32000)
    folder = save_hf_folder(reference, tmp_path_factory.mktemp("mixtral") / "hf", dtype=torch.bfloat16,
                            shard_size="2MB", tokenizer=True)
    return reference.to(torch.bfloat16).to(torch.float32), folder


def test_folder_and_its_gguf_load_chat_and_generate_alike(mixtral_folder, tmp_path):
    reference, folder = mixtral_folder
    assert len(json.loads((folder / "model.safetensors.index.json").read_text())["weight_map"]) > 0
    gguf_path = write_gguf_from_folder(folder, tmp_path / "m.gguf")
    tokens = torch.tensor([1, 733, 16289, 28793, 8500, 733, 28748, 16289, 28793])
    answers = []
    for path in (folder, gguf_path):
        loaded = load_model(path)
        assert isinstance(loaded.chat_encoder, MistralV1ChatEncoder)
        with torch.no_grad():
            expected = reference(tokens[None]).logits[0]
            actual = loaded.model(tokens, KVCache(loaded.config, 16))
        assert (actual - expected).abs().max().item() <= 1e-4
        engine = Engine()
        engine.load(path, context_length=64)
        answers.append(_greedy_answer(engine))
    assert answers[0] == answers[1] and len(answers[0][1]) == 6


def _greedy_answer(engine):
    generation = engine.chat(MESSAGES, params=SamplingParams(temperature=0), max_tokens=6)
    return generation.text(), generation.result.token_ids


def test_info_of_a_folder_counts_from_config(mixtral_folder, capsys):
    reference, folder = mixtral_folder
    info = inspect_model(folder)
    assert info["format"] == "safetensors" and info["quantization"] == "BF16"
    assert info["parameters_total"] == sum(p.numel() for p in reference.parameters())
    assert (info["experts"], info["experts_per_token"]) == (4, 2)
    assert main(["info", str(folder)]) == 0
    assert "parameters total" in capsys.readouterr().out


def _save(tmp_path, **shape):
    reference = tiny_mixtral(seed=5, **shape)
    return save_hf_folder(reference, tmp_path / "hf", shard_size="30KB")


def _edit_config(folder, **changes):
    file = folder / "config.json"
    file.write_text(json.dumps({**json.loads(file.read_text()), **changes}))


def _load_weights(path):
    """load_model's weight side (these small folders have no tokenizer)."""
    return load_folder(path) if path.is_dir() else load_gguf(path)


def _refused(path, *fragments):
    """Both `info` and loading the weights refuse `path` with one line naming it and `fragments`."""
    for attempt in (inspect_model, _load_weights):
        with pytest.raises(ModelFileError) as caught:
            attempt(path)
        message = str(caught.value)
        assert "\n" not in message and str(path.name) in message
        for fragment in fragments:
            assert fragment in message, message


def test_missing_shard_names_the_shard(tmp_path, capsys):
    folder = _save(tmp_path)
    weight_map = json.loads((folder / "model.safetensors.index.json").read_text())["weight_map"]
    shard = weight_map["model.layers.1.self_attn.q_proj.weight"]
    (folder / shard).unlink()
    _refused(folder, shard, "missing")
    capsys.readouterr()
    assert main(["info", str(folder)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and shard in error


def test_shard_tensor_disagreeing_with_config(tmp_path):
    folder = _save(tmp_path)
    weight_map = json.loads((folder / "model.safetensors.index.json").read_text())["weight_map"]
    name = "model.layers.0.block_sparse_moe.experts.2.w3.weight"
    shard = folder / weight_map[name]
    tensors = safetensors.torch.load_file(shard)
    tensors[name] = tensors[name][:50]
    safetensors.torch.save_file(tensors, shard, metadata={"format": "pt"})
    _refused(folder, shard.name, name, "(50, 64)", "(96, 64)")

    _edit_config(folder, intermediate_size=80)
    _refused(folder, "model.layers.0.block_sparse_moe.experts.", "(80, 64)")


def test_expert_counts_the_folder_does_not_hold(tmp_path):
    folder = _save(tmp_path, experts=4)
    _edit_config(folder, num_local_experts=0)
    _refused(folder, "block_sparse_moe", "no experts")
    _edit_config(folder, num_local_experts=6)
    _refused(folder, "block_sparse_moe", "6")
    _edit_config(folder, num_local_experts=4, num_experts_per_tok=5)
    _refused(folder, "5 experts per token out of 4")


@pytest.mark.parametrize("lie, fragments", [
    (dict(num_local_experts=0), ["layers.0.feed_forward", "expert count 0"]),
    (dict(num_local_experts=8), ["layers.0.feed_forward.w", "holds 4 experts, but the config says 8"]),
    (dict(num_local_experts=4, num_experts_per_tok=6), ["6 experts per token out of 4"]),
    (dict(intermediate_size=80), ["has shape (4, 96, 64)", "(4, 80, 64)"]),
])
def test_gguf_whose_tensors_disagree_with_its_metadata(tmp_path, capsys, lie, fragments):
    folder = _save(tmp_path, experts=4)
    _edit_config(folder, **lie)  # the converter writes metadata from config.json, tensors as they are
    path = write_gguf_from_folder(folder, tmp_path / "lie.gguf", per_expert=lie.get("intermediate_size") is None)
    _refused(path, *fragments)
    capsys.readouterr()
    assert main(["info", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_truncated_shard_names_the_shard(tmp_path):
    folder = _save(tmp_path)
    shard = sorted(folder.glob("model-*.safetensors"))[3]
    with open(shard, "r+b") as file:
        file.truncate(shard.stat().st_size - 100)
    _refused(folder, shard.name, "not a readable safetensors file")
