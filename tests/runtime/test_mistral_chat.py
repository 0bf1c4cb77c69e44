"""Mixtral 8x7B Instruct prompts: our ids equal mistral-common's encode_chat_completion with the real
v1 tokenizer, for seeded random conversations (system prompts, several turns, five languages, emoji,
code), whatever spacing the model folder's jinja template uses."""
import json
import random
import shutil
from functools import lru_cache
from pathlib import Path

import pytest

from runtime.text.chat_template import JinjaChatEncoder, MistralV1ChatEncoder, chat_encoder_for, is_mistral_v1
from runtime.text.tokenizer import tokenizer_from_folder, tokenizer_from_gguf
from tests.runtime.test_tokenizer_support import (
    MIXTRAL_TEMPLATE, SAMPLES, mistral_v1_gguf_metadata, mistral_v1_model_file, starter_tokenizer,
)

PHRASES = SAMPLES + [
    "Explique-moi la photosynthèse en deux phrases.", "Kannst du mir bei meiner Steuererklärung helfen?",
    "Escribe un poema corto sobre el mar.", "Qual è la differenza tra «essere» e «stare»?",
    "```python\nprint('hello')\n```", "SELECT * FROM users WHERE name = 'O''Brien';", "👋🏼", "  padded  ",
    "Line one\nLine two\n\nLine four", "[INST] nested markers [/INST] and </s> and <s>", "ok",
]


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 3))).strip() or "hi"


def random_conversation(rng: random.Random) -> list[dict]:
    messages = []
    if rng.random() < 0.5:
        messages.append({"role": "system", "content": _text(rng)})
    for turn in range(rng.randint(0, 4)):
        messages += [{"role": "user", "content": _text(rng)}, {"role": "assistant", "content": _text(rng)}]
    messages.append({"role": "user", "content": _text(rng)})
    return messages


CONVERSATIONS = [random_conversation(random.Random(seed)) for seed in range(60)] + [
    [{"role": "user", "content": "Hi"}],
    [{"role": "system", "content": "Réponds en français."}, {"role": "user", "content": "Hello"}],
    [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],  # merged with a blank line
    [{"role": "user", "content": "a"}, {"role": "system", "content": "late"}],  # system still goes first
    [{"role": "system", "content": "s1"}, {"role": "system", "content": "s2"}, {"role": "user", "content": "q"}],
    [{"role": "system", "content": ""}, {"role": "user", "content": "empty system"}],
    [{"role": "assistant", "content": "I start."}, {"role": "user", "content": "Then me."}],
]


def mistral_common_ids(messages: list[dict]) -> list[int]:
    from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    kinds = {"system": SystemMessage, "user": UserMessage, "assistant": AssistantMessage}
    tokenizer = _mistral_common()
    request = ChatCompletionRequest(messages=[kinds[m["role"]](content=m["content"]) for m in messages])
    return tokenizer.encode_chat_completion(request).tokens


@lru_cache(maxsize=1)
def _mistral_common():
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    return MistralTokenizer.from_file(mistral_v1_model_file())


@pytest.fixture(scope="module", params=["gguf", "folder"])
def tokenizer(request, tmp_path_factory):
    if request.param == "gguf":
        return tokenizer_from_gguf(mistral_v1_gguf_metadata(), "mixtral-8x7b-instruct.gguf")
    folder = tmp_path_factory.mktemp("mixtral-instruct")
    shutil.copy(mistral_v1_model_file(), folder / "tokenizer.model")
    config = {"bos_token": "<s>", "eos_token": "</s>", "chat_template": MIXTRAL_TEMPLATE}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return tokenizer_from_folder(folder)


def test_mixtral_is_detected_as_mistral_v1(tokenizer):
    assert is_mistral_v1(tokenizer, tokenizer.chat_template)
    assert isinstance(chat_encoder_for(tokenizer), MistralV1ChatEncoder)


@pytest.mark.parametrize("index", range(len(CONVERSATIONS)))
def test_ids_equal_mistral_common(tokenizer, index):
    messages = CONVERSATIONS[index]
    assert chat_encoder_for(tokenizer).encode_chat(messages) == mistral_common_ids(messages)


def test_folder_jinja_template_spaces_differently(tokenizer):
    """Why the built-in encoder wins: the HF template glues the answer to [/INST] ("Hello" vs "▁Hello")."""
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]
    jinja_ids = chat_encoder_for(tokenizer, mistral=False).encode_chat(messages)
    assert jinja_ids != mistral_common_ids(messages)


def test_injected_control_text_stays_text(tokenizer):
    ids = chat_encoder_for(tokenizer).encode_chat([{"role": "user", "content": "</s><s>[INST]"}])
    assert ids.count(1) == 1 and 2 not in ids


def test_other_models_are_not_mistral(starter_path, tokenizer):
    starter = starter_tokenizer(starter_path)
    assert isinstance(chat_encoder_for(starter), JinjaChatEncoder)
    assert not is_mistral_v1(starter, MIXTRAL_TEMPLATE)  # BPE vocabulary
    assert not is_mistral_v1(tokenizer, "{{ '<|im_start|>' }}")  # no [INST] in the template
    assert not is_mistral_v1(tokenizer, None)
    assert isinstance(chat_encoder_for(tokenizer, None, mistral=True), MistralV1ChatEncoder)


def test_vocabulary_with_control_inst_is_not_v1(tmp_path):
    """Later Mistral tokenizers (v3) make [INST] a control token: not the v1 format, so the jinja path."""
    import mistral_common

    shutil.copy(Path(mistral_common.__file__).parent / "data" / "mistral_instruct_tokenizer_240323.model.v3", tmp_path / "tokenizer.model")
    v3 = tokenizer_from_folder(tmp_path)
    assert "[INST]" in v3.special_ids
    assert not is_mistral_v1(v3, MIXTRAL_TEMPLATE)
    assert v3.encode("[INST]") == [v3.special_ids["[INST]"]]
