"""A header claiming sizes no model has (10^9 layers, a 2^30 hidden size, zero heads) is refused at once,
with one line naming the file and the value, before anything is built from it: GGUF and config.json."""
import json

import gguf
import numpy as np
import pytest

from runtime.cli import main
from runtime.config import ModelConfig
from runtime.errors import ModelFileError
from runtime.loader import inspect_model, load_weights
from runtime.synth import add_model_metadata
from tests.runtime.tiny_models import save_hf_folder, tiny_mixtral

LIES = [
    (dict(num_hidden_layers=10**9), "num_hidden_layers"),
    (dict(hidden_size=1 << 30, head_dim=64), "hidden_size"),
    (dict(intermediate_size=1 << 30), "intermediate_size"),
    (dict(num_local_experts=10**6, num_experts_per_tok=2), "num_local_experts"),
    (dict(max_position_embeddings=1 << 31), "max_position_embeddings"),
    (dict(num_attention_heads=4, num_key_value_heads=3), "do not divide evenly"),
    (dict(rope_theta=-1.0), "rope_theta"),
]


def lying_gguf(path, **lie):
    config = ModelConfig(vocab_size=8, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=16)
    for name, value in lie.items():
        setattr(config, name, value)
    writer = gguf.GGUFWriter(str(path), "llama")
    add_model_metadata(writer, config)
    writer.add_tensor("token_embd.weight", np.zeros((8, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def refused_at_once(path, fragment, capsys):
    for attempt in (inspect_model, load_weights):
        with pytest.raises(ModelFileError) as caught:
            attempt(path)
        message = str(caught.value)
        assert "\n" not in message and path.name in message and fragment in message, message
    capsys.readouterr()
    assert main(["info", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("lie, fragment", LIES, ids=[fragment for _, fragment in LIES])
def test_gguf_with_absurd_sizes_is_refused_from_its_header(tmp_path, capsys, lie, fragment):
    refused_at_once(lying_gguf(tmp_path / "lie.gguf", **lie), fragment, capsys)


@pytest.mark.parametrize("lie, fragment", LIES + [(dict(vocab_size=1 << 40), "vocab_size"),
                                                  (dict(num_attention_heads=0), "num_attention_heads"),
                                                  (dict(num_hidden_layers="32"), "num_hidden_layers")],
                         ids=[fragment for _, fragment in LIES] + ["vocab_size", "zero heads", "a string"])
def test_config_json_with_absurd_sizes_is_refused(tmp_path, capsys, lie, fragment):
    folder = save_hf_folder(tiny_mixtral(seed=1), tmp_path / "hf")
    config_file = folder / "config.json"
    config_file.write_text(json.dumps({**json.loads(config_file.read_text()), **lie}))
    for attempt in (inspect_model, load_weights):
        with pytest.raises(ModelFileError) as caught:
            attempt(folder)
        message = str(caught.value)
        assert "\n" not in message and "config.json" in message, message
        assert fragment in message or "unusable model configuration" in message, message
