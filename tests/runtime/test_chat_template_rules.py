"""The chat template's own rules, each at its edge: messages are copied and checked before any template sees
them, repetition and powers are bounded exactly where the budget says, the output budget grows with the
conversation, consecutive turns of one role merge, and a file with neither template nor Mistral vocabulary is
refused when the jinja template is forced."""
import pytest

from runtime.errors import UnsupportedModelError
from runtime.text import chat_template
from runtime.text.chat_template import (OUTPUT_FACTOR, OUTPUT_SLACK, ChatTemplateError, JinjaChatEncoder,
                                        chat_encoder_for)
from tests.runtime.test_tokenizer_support import starter_tokenizer


@pytest.fixture(scope="module")
def tokenizer(starter_path):
    return starter_tokenizer(starter_path)


def render(tokenizer, source: str, messages=None) -> str:
    return JinjaChatEncoder(tokenizer, source, path="m.gguf").render(messages or [{"role": "user", "content": "hi"}])


def test_the_template_gets_copies_it_cannot_change(tokenizer):
    messages = [{"role": "user", "content": "hi", "extra": "kept out"}]
    source = "{% for m in messages %}{{ m.role }}={{ m.content }}|{{ m.extra }}{% endfor %}"
    assert render(tokenizer, source, messages) == "user=hi|"
    assert messages == [{"role": "user", "content": "hi", "extra": "kept out"}]


@pytest.mark.parametrize("message", [{"role": "tool", "content": "x"}, {"role": "user", "content": None},
                                     {"content": "x"}])
def test_messages_without_a_known_role_and_text_content_are_refused(tokenizer, message):
    with pytest.raises(ValueError, match="a message needs a role"):
        render(tokenizer, "{{ messages }}", [message])


def test_repetition_is_bounded_exactly_at_the_budget(tokenizer):
    assert len(render(tokenizer, "{{ 'ab' * %d }}" % (OUTPUT_SLACK // 2))) == OUTPUT_SLACK
    assert len(render(tokenizer, "{{ %d * 'ab' }}" % (OUTPUT_SLACK // 2))) == OUTPUT_SLACK
    with pytest.raises(ChatTemplateError, match="asked to repeat 2 items"):
        render(tokenizer, "{{ 'ab' * %d }}" % (OUTPUT_SLACK // 2 + 1))
    with pytest.raises(ChatTemplateError, match="asked to repeat 1 items"):
        render(tokenizer, "{{ %d * [1] }}" % (OUTPUT_SLACK + 1))
    assert render(tokenizer, "{{ 6 * 7 }}") == "42"


def test_powers_are_bounded_at_64(tokenizer):
    assert render(tokenizer, "{{ 2 ** 64 }}") == str(2**64)
    assert render(tokenizer, "{{ 2 ** -64 }}") == str(2**-64)
    with pytest.raises(ChatTemplateError, match="asked for a power of 65"):
        render(tokenizer, "{{ 2 ** 65 }}")
    with pytest.raises(ChatTemplateError, match="asked for a power of -65"):
        render(tokenizer, "{{ 2 ** -65 }}")


def test_the_output_budget_grows_with_the_conversation(tokenizer):
    text = "x" * 1000
    budget = OUTPUT_FACTOR * len(text) + OUTPUT_SLACK
    chunk = OUTPUT_SLACK // 4  # each piece stays under the repetition bound
    pieces = budget // chunk
    loop = "{% for i in range(" + str(pieces) + ") %}{{ 'y' * " + str(chunk) + " }}{% endfor %}"
    rest = budget - pieces * chunk
    exact = render(tokenizer, loop + "{{ 'z' * " + str(rest) + " }}", [{"role": "user", "content": text}])
    assert len(exact) == budget  # exactly the budget is allowed
    with pytest.raises(ChatTemplateError, match=f"wrote more than {budget:,} characters"):
        render(tokenizer, loop + "{{ 'z' * " + str(rest + 1) + " }}", [{"role": "user", "content": text}])


def test_consecutive_turns_of_one_role_merge_with_a_blank_line():
    turns = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"},
             {"role": "assistant", "content": "c"}, {"role": "user", "content": "d"}]
    assert chat_template._merge_same_role(turns) == [
        {"role": "user", "content": "a\n\nb"}, {"role": "assistant", "content": "c"}, {"role": "user", "content": "d"}]
    assert turns[0] == {"role": "user", "content": "a"}


def test_forcing_the_jinja_template_on_a_file_without_one_is_refused(tokenizer):
    with pytest.raises(UnsupportedModelError, match="has no chat template"):
        chat_encoder_for(tokenizer, "", mistral=False, path="bare.gguf")
    assert isinstance(chat_encoder_for(tokenizer, "", mistral=True), chat_template.MistralV1ChatEncoder)
