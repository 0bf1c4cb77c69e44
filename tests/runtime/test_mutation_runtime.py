"""The runtime parts `make mutate-runtime` measures that its other fast tests did not reach: OpenAI's frequency
and presence penalties (as OpenAI documents them: minus count × frequency, minus presence once, for each token
the answer has used), the worker's `error` events with a code, the load steps' codes, and a chat template that
sets a namespace attribute (rendered as transformers renders it)."""
from collections import Counter

import pytest
import torch

from runtime.sampling import Sampler, apply_openai_penalties
from runtime.sampling_params import SamplingParams
from runtime.text.chat_template import ChatTemplateError, JinjaChatEncoder
from runtime.worker import protocol
from runtime.worker.protocol import error_event, load_step_code
from tests.runtime.test_tokenizer_support import starter_tokenizer

GREEDY = {"temperature": 0.0, "top_k": 0, "top_p": 1.0, "min_p": 0.0}


# OpenAI's penalties ------------------------------------------------------------------------------------------

def test_penalties_subtract_count_times_frequency_plus_presence_from_used_tokens_only():
    logits = torch.tensor([1.0, 2.0, 3.0, 4.0])
    shifted = apply_openai_penalties(logits, Counter({2: 3, 0: 1}), 0.5, 0.25)
    assert shifted.tolist() == [1.0 - 0.75, 2.0, 3.0 - 1.75, 4.0]
    assert logits.tolist() == [1.0, 2.0, 3.0, 4.0]  # on a copy: the model's logits are untouched


def test_negative_penalties_favour_used_tokens():
    shifted = apply_openai_penalties(torch.tensor([0.0, 0.0]), Counter({1: 2}), -1.0, -0.5)
    assert shifted.tolist() == [0.0, 2.5]


def test_no_used_tokens_change_nothing():
    assert apply_openai_penalties(torch.tensor([1.0, -1.0]), Counter(), 2.0, 2.0).tolist() == [1.0, -1.0]


def test_a_small_penalty_still_counts_on_bfloat16_logits():
    # in bf16, 64 - 0.3 rounds back to 63.75, a tie with the other token; in float32 it falls below it
    logits = torch.tensor([64.0, 63.75], dtype=torch.bfloat16)
    shifted = apply_openai_penalties(logits, Counter({0: 1}), 0.0, 0.3)
    assert shifted.dtype == torch.float32 and int(torch.argmax(shifted)) == 1


def answer(logits: list[float], steps: int, previous=(), **params) -> list[int]:
    sampler = Sampler(SamplingParams(**{**GREEDY, "seed": 1, **params}))
    return [sampler(torch.tensor(logits), list(previous)) for _ in range(steps)]


def test_frequency_penalty_grows_with_each_use_even_when_greedy():
    # token 0 leads by 1.0; each use costs it 0.6 (and token 1 the same once it is used)
    assert answer([2.0, 1.0, 0.0], 6, frequency_penalty=0.6) == [0, 0, 1, 0, 1, 0]
    assert answer([2.0, 1.0, 0.0], 6) == [0] * 6


def test_presence_penalty_counts_a_token_once_however_often_it_was_used():
    assert answer([2.0, 1.0, 0.0], 5, presence_penalty=1.5) == [0, 1, 0, 0, 0]


def test_penalties_count_the_answer_not_the_prompt():
    assert answer([2.0, 1.0], 2, previous=[0, 0, 0, 0], frequency_penalty=0.6) == [0, 0]


def test_penalties_apply_before_sampling_at_a_temperature():
    # a presence penalty of 100 rules out every token used until all have been: 40 draws, 40 tokens
    logits = [3.0] + [0.0] * 39
    assert answer(logits, 40, temperature=1.0, seed=7).count(0) > 5
    assert sorted(answer(logits, 40, temperature=1.0, presence_penalty=100.0, seed=7)) == list(range(40))


# The protocol's error events and load steps --------------------------------------------------------------------

def test_an_error_without_a_code_is_its_kind_and_message():
    assert error_event("r9", protocol.MODEL_FILE, "bad file") == {
        "type": "error", "id": "r9", "kind": "model_file", "message": "bad file"}


def test_an_error_with_a_code_carries_the_fields_its_sentence_needs():
    assert error_event("r2", protocol.CONTEXT, "too long", code="context_overflow", context_length=2048) == {
        "type": "error", "id": "r2", "kind": "context", "message": "too long", "code": "context_overflow",
        "context_length": 2048}
    assert error_event(None, protocol.BUSY, "busy now", code="busy") == {
        "type": "error", "id": None, "kind": "busy", "message": "busy now", "code": "busy"}


def test_an_error_may_carry_more_fields_than_its_sentence_needs():
    event = error_event("r3", protocol.SERVER, "dropped", code="server_not_openai", server="h:1", detail="404")
    assert (event["server"], event["detail"]) == ("h:1", "404")


@pytest.mark.parametrize("kind, fields", [
    (protocol.INTERNAL, {"context_length": 10}),  # the code's kind is context
    (protocol.CONTEXT, {}),  # its sentence needs context_length
    (protocol.CONTEXT, {"context": 10}),
])
def test_an_error_code_with_the_wrong_kind_or_missing_fields_is_refused(kind, fields):
    with pytest.raises(AssertionError):
        error_event("r1", kind, "too long", code="context_overflow", **fields)


def test_an_unknown_error_code_is_refused():
    with pytest.raises(KeyError):
        error_event("r1", protocol.INTERNAL, "x", code="no_such_code")


def test_every_load_phrase_maps_to_its_code_and_others_to_nothing():
    assert [load_step_code(phrase) for phrase in protocol.LOAD_STEPS.values()] == list(protocol.LOAD_STEPS)
    assert load_step_code("Loading weights") == "loading_weights"
    assert load_step_code("Warming up") == ""
    assert load_step_code("loading weights") == ""


# A template that sets a namespace attribute ---------------------------------------------------------------------

NAMESPACE_TEMPLATE = (
    "{% set ns = namespace(system='', turns=0) %}"
    "{% for m in messages %}{% if m.role == 'system' %}{% set ns.system = m.content %}"
    "{% else %}{% set ns.turns = ns.turns + 1 %}{% endif %}{% endfor %}"
    "[{{ ns.system }}|{{ ns.turns }}]"
    "{% for m in messages if m.role != 'system' %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
)
CONVERSATION = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]


@pytest.fixture(scope="module")
def tokenizer(starter_path):
    return starter_tokenizer(starter_path)


def test_a_namespace_set_renders_as_transformers_renders_it(tokenizer):
    from transformers.utils.chat_template_utils import _compile_jinja_template
    expected = _compile_jinja_template(NAMESPACE_TEMPLATE).render(messages=CONVERSATION, add_generation_prompt=True)
    ours = JinjaChatEncoder(tokenizer, NAMESPACE_TEMPLATE, path="m.gguf").render(CONVERSATION)
    assert ours == expected == "[Be brief.|3]user: Hi\nassistant: Hello\nuser: Bye\n"


def test_a_namespace_set_of_an_underscore_name_is_stopped(tokenizer):
    source = "{% set ns = namespace(x=1) %}{% set ns._x = 2 %}{{ ns.x }}"
    with pytest.raises(ChatTemplateError, match="namespace attribute '_x' starts with an underscore"):
        JinjaChatEncoder(tokenizer, source, path="m.gguf").render(CONVERSATION)


@pytest.mark.parametrize("call", ["tojson", "tojson(indent=2)", "tojson(sort_keys=true)", "tojson(ensure_ascii=true)",
                                  "tojson(separators=(',', ':'))"])
def test_tojson_takes_the_arguments_transformers_gives_it(tokenizer, call):
    from transformers.utils.chat_template_utils import _compile_jinja_template
    source = "{{ {'z': 'Grüße 👍', 'a': [1, 2]} | %s }}" % call
    expected = _compile_jinja_template(source).render(messages=CONVERSATION, add_generation_prompt=True)
    assert JinjaChatEncoder(tokenizer, source, path="m.gguf").render(CONVERSATION) == expected


def test_repetition_penalty_divides_a_positive_logit_below_one_too():
    from runtime.sampling import apply_repetition_penalty
    logits = torch.tensor([0.5, -0.5, 3.0])
    apply_repetition_penalty(logits, [0, 1, 1], 2.0)
    assert logits.tolist() == [0.25, -1.0, 3.0]


@pytest.mark.parametrize("empty", [None, ""])
def test_a_request_given_no_id_gets_a_fresh_one(empty):
    message = protocol.request("cancel", id=empty)
    assert message["id"].startswith("r") and message["id"] != protocol.request("cancel", id=empty)["id"]


# Protocol validation at its edges ------------------------------------------------------------------------------

def serve(**fields) -> dict:
    return {"type": "serve", "id": "s1", "enabled": True, "host": "127.0.0.1", **fields}


@pytest.mark.parametrize("port", [0, 1, 8080, 65535])
def test_serve_accepts_every_port_from_0_to_65535(port):
    assert protocol.validate_request(serve(port=port))["port"] == port


@pytest.mark.parametrize("port", [-1, 65536, 99999])
def test_serve_refuses_a_port_outside_0_to_65535(port):
    with pytest.raises(protocol.ProtocolError) as refusal:
        protocol.validate_request(serve(port=port))
    assert str(refusal.value) == "serve request: port must be 0-65535"


@pytest.mark.parametrize("kv_cache", [None, "bf16", "int8"])
def test_load_accepts_the_kv_cache_types(kv_cache):
    assert protocol.validate_request({"type": "load", "id": "l1", "path": "m.gguf", "kv_cache": kv_cache})


@pytest.mark.parametrize("kv_cache", ["fp8", "BF16", ""])
def test_load_refuses_another_kv_cache_type(kv_cache):
    with pytest.raises(protocol.ProtocolError) as refusal:
        protocol.validate_request({"type": "load", "id": "l1", "path": "m.gguf", "kv_cache": kv_cache})
    assert str(refusal.value) == "load request: kv_cache must be one of bf16, int8"


@pytest.mark.parametrize("messages, reason", [
    ([], "generate request with no messages"),
    ([{"role": "tool", "content": "x"}], 'each message must be {"role": system|user|assistant, "content": str}'),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
     "the last message of a generate request must be the user's"),
])
def test_a_bad_conversation_is_refused_with_its_reason(messages, reason):
    with pytest.raises(protocol.ProtocolError) as refusal:
        protocol.validate_request({"type": "generate", "id": "g1", "messages": messages})
    assert str(refusal.value) == reason


# Which encoder a file without a template gets, and namespace() with a dict -----------------------------------------

def test_another_sentencepiece_vocabulary_without_template_gets_chatml_not_mistral():
    # a SentencePiece vocabulary of another size (Gemma's, say) is not Mistral's: [INST] would be wrong for it
    from runtime.text.chat_template import NOTE_DEFAULT, chat_encoder_for
    from runtime.text.tokenizer import tokenizer_from_gguf
    from tests.runtime.test_tokenizer_support import mistral_v1_gguf_metadata
    metadata = {k: v for k, v in mistral_v1_gguf_metadata().items() if k != "tokenizer.chat_template"}
    for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"):
        metadata[key] = metadata[key][:1000]
    encoder = chat_encoder_for(tokenizer_from_gguf(metadata, "other.gguf"))
    assert isinstance(encoder, JinjaChatEncoder) and encoder.note == NOTE_DEFAULT
    assert encoder.render([{"role": "user", "content": "Hi"}]) == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"


def test_a_namespace_made_from_a_dict_renders_as_transformers_renders_it(tokenizer):
    from transformers.utils.chat_template_utils import _compile_jinja_template
    source = "{% set ns = namespace({'count': 2}, extra='e') %}{% set ns.count = ns.count + 1 %}{{ ns.count }}{{ ns.extra }}"
    expected = _compile_jinja_template(source).render(messages=CONVERSATION, add_generation_prompt=True)
    assert JinjaChatEncoder(tokenizer, source, path="m.gguf").render(CONVERSATION) == expected == "3e"


def test_a_namespace_made_from_a_dict_with_an_underscore_name_is_stopped(tokenizer):
    source = "{% set ns = namespace({'_x': 1}) %}{{ ns }}"
    with pytest.raises(ChatTemplateError, match="namespace attribute '_x' starts with an underscore"):
        JinjaChatEncoder(tokenizer, source, path="m.gguf").render(CONVERSATION)


def test_a_vocabulary_with_inst_as_a_control_token_is_not_mistral_v1():
    # 32,000 SentencePiece pieces, but `[INST]` a control token (as in later Mistral vocabularies): not v1's text
    from runtime.text.chat_template import NOTE_DEFAULT, chat_encoder_for
    from runtime.text.tokenizer import tokenizer_from_gguf
    from tests.runtime.test_tokenizer_support import mistral_v1_gguf_metadata
    metadata = {k: list(v) if isinstance(v, list) else v for k, v in mistral_v1_gguf_metadata().items()
                if k != "tokenizer.chat_template"}
    metadata["tokenizer.ggml.tokens"][31999] = "[INST]"
    metadata["tokenizer.ggml.token_type"][31999] = 3
    tokenizer = tokenizer_from_gguf(metadata, "v3.gguf")
    assert "[INST]" in tokenizer.special_ids and tokenizer.vocab_size == 32000
    assert chat_encoder_for(tokenizer).note == NOTE_DEFAULT


def bare_sentencepiece_tokenizer(source: str):
    """A SentencePiece vocabulary of 1,000 pieces and no chat template, read as if from the file `source`."""
    from runtime.text.tokenizer import tokenizer_from_gguf
    from tests.runtime.test_tokenizer_support import mistral_v1_gguf_metadata
    metadata = {k: v for k, v in mistral_v1_gguf_metadata().items() if k != "tokenizer.chat_template"}
    for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"):
        metadata[key] = metadata[key][:1000]
    return tokenizer_from_gguf(metadata, source)


def test_the_chatml_fallback_names_the_file_it_was_given():
    from runtime.text.chat_template import chat_encoder_for
    assert chat_encoder_for(bare_sentencepiece_tokenizer("vocab.gguf"), path="/models/base.gguf").path == "/models/base.gguf"
    assert chat_encoder_for(bare_sentencepiece_tokenizer("vocab.gguf")).path == "vocab.gguf"


@pytest.mark.parametrize("path, named", [("/models/base.gguf", "/models/base.gguf"), (None, "vocab.gguf")])
def test_a_forced_template_on_a_file_without_one_is_refused_naming_the_file(path, named):
    from runtime.errors import UnsupportedModelError
    from runtime.text.chat_template import chat_encoder_for
    with pytest.raises(UnsupportedModelError) as refusal:
        chat_encoder_for(bare_sentencepiece_tokenizer("vocab.gguf"), mistral=False, path=path)
    assert str(refusal.value) == f"{named}: has no chat template, so Octet cannot build a chat prompt"


def test_the_model_own_template_names_the_file_it_was_given():
    from runtime.text.chat_template import chat_encoder_for
    tokenizer = bare_sentencepiece_tokenizer("vocab.gguf")
    assert chat_encoder_for(tokenizer, "{{ messages[0].content }}", path="/models/m.gguf").path == "/models/m.gguf"


# The filters together: each narrows what the others kept ----------------------------------------------------------

PROBS = torch.tensor([0.4, 0.3, 0.2, 0.1])


def kept_by(**limits) -> list[int]:
    from runtime.sampling import filter_probs
    return torch.nonzero(filter_probs(PROBS, **limits)).flatten().tolist()


def test_top_p_does_not_undo_top_k():
    assert kept_by(top_k=2, top_p=0.95, min_p=0.0) == [0, 1]


def test_min_p_does_not_undo_top_k_or_top_p():
    assert kept_by(top_k=2, top_p=1.0, min_p=0.1) == [0, 1]
    assert kept_by(top_k=0, top_p=0.5, min_p=0.1) == [0, 1]


def test_a_vocabulary_without_bos_and_eos_renders_them_as_nothing():
    from runtime.text.tokenizer import tokenizer_from_gguf
    from tests.runtime.test_tokenizer_support import mistral_v1_gguf_metadata
    metadata = {k: v for k, v in mistral_v1_gguf_metadata().items()
                if k not in ("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")}
    tokenizer = tokenizer_from_gguf(metadata, "m.gguf")
    assert not tokenizer.bos_token and not tokenizer.eos_token
    rendered = JinjaChatEncoder(tokenizer, "{{ bos_token }}[{{ messages[0].content }}]{{ eos_token }}").render(CONVERSATION)
    assert rendered == "[Be brief.]"
