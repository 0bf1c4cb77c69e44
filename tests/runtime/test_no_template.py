"""A GGUF that carries no chat template (base models, early conversions) loads and chats: a Mistral-family
vocabulary gets Mistral's [INST] encoder (any other a plain ChatML layout: test_chat_template), and `info`
and the worker's `loaded` event say which."""
import torch

from runtime.cli import main
from runtime.engine import Engine
from runtime.loader import inspect_model
from runtime.sampling import SamplingParams
from runtime import synth as synth_module
from runtime.text.chat_template import NOTE_MISTRAL, NOTE_OWN, MistralV1ChatEncoder, chat_encoder_for
from runtime.text.tokenizer import tokenizer_from_gguf
from tests.runtime.test_tokenizer_support import mistral_v1_gguf_metadata


def test_gguf_without_template_loads_chats_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(synth_module, "MIXTRAL_INSTRUCT_TEMPLATE", "")  # written as llama.cpp writes none
    path = tmp_path / "base.gguf"
    synth_module.synth("tiny-mixtral", 1, "Q8_0", path)
    assert inspect_model(path)["chat_template"] == NOTE_MISTRAL
    engine = Engine(threads=1)
    engine.load(path, context_length=64)
    assert isinstance(engine.loaded.chat_encoder, MistralV1ChatEncoder)
    with torch.inference_mode():
        generation = engine.chat([{"role": "user", "content": "Hi"}], params=SamplingParams(temperature=0),
                                 max_tokens=3)
        generation.text()
    assert generation.result.stats.generated_tokens >= 1
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    assert "none in the file" in capsys.readouterr().out


def test_gguf_with_its_template_says_it_is_its_own(tmp_path):
    path = tmp_path / "instruct.gguf"
    synth_module.synth("tiny-mixtral", 1, "Q8_0", path)
    assert inspect_model(path)["chat_template"] == NOTE_OWN


def test_mistral_vocabulary_without_template_gets_the_mistral_encoder():
    metadata = {k: v for k, v in mistral_v1_gguf_metadata().items() if k != "tokenizer.chat_template"}
    encoder = chat_encoder_for(tokenizer_from_gguf(metadata, "mistral.gguf"))
    assert isinstance(encoder, MistralV1ChatEncoder) and encoder.note == NOTE_MISTRAL
