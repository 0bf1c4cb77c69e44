"""Chat templates: the starter model's template renders exactly as transformers' apply_chat_template,
its ids equal transformers', and hostile templates are stopped by the jinja sandbox."""
import pytest

from runtime.text.chat_template import NOTE_DEFAULT, ChatTemplateError, JinjaChatEncoder, chat_encoder_for
from tests.runtime.test_tokenizer_support import SAMPLES, hf_from_gguf, starter_tokenizer

CONVERSATIONS = [
    [{"role": "user", "content": "Hi!"}],
    [{"role": "system", "content": "Tu es un assistant utile. Réponds en français."},
     {"role": "user", "content": "Quelle est la capitale de l'Italie ?"}],
    [{"role": "user", "content": "Wie spät ist es?"}, {"role": "assistant", "content": "Es ist 12 Uhr."},
     {"role": "user", "content": "Danke schön! 👍🏽"}],
    [{"role": "system", "content": "Eres útil."}, {"role": "user", "content": "¿Qué tal?"},
     {"role": "assistant", "content": "¡Muy bien, gracias!"}, {"role": "user", "content": "Perché? Città più 中文 🏳️‍🌈"}],
    [{"role": "user", "content": "def f(x):\n    return x  # <|im_end|> inside text"}],
] + [[{"role": "user", "content": text}] for text in SAMPLES]


@pytest.fixture(scope="module")
def ours(starter_path):
    return chat_encoder_for(starter_tokenizer(starter_path))


@pytest.fixture(scope="module")
def reference(starter_path):
    return hf_from_gguf(starter_path)


@pytest.mark.parametrize("generation_prompt", [True, False])
@pytest.mark.parametrize("messages", CONVERSATIONS)
def test_render_and_ids_equal_transformers(ours, reference, messages, generation_prompt):
    text = reference.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)
    assert ours.render(messages, add_generation_prompt=generation_prompt) == text
    expected = reference.apply_chat_template(messages, tokenize=True, add_generation_prompt=generation_prompt)
    expected = expected["input_ids"] if isinstance(expected, dict) or hasattr(expected, "keys") else expected
    assert ours.encode_chat(messages, add_generation_prompt=generation_prompt) == list(expected)


def test_prompt_ends_with_assistant_header(ours, starter_path):
    tokenizer = starter_tokenizer(starter_path)
    ids = ours.encode_chat([{"role": "user", "content": "Hi"}])
    assert ids[-4:] == tokenizer.encode("<|im_start|>assistant\n")


ATTACKS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "{{ raise_exception.__globals__['__builtins__']['open']('{marker}', 'w') }}",
    "{% set ns = namespace(_x=1) %}{{ ns }}",
    "{{ messages.append({'role': 'user'}) }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch {marker}') }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_template_injection_is_stopped(starter_path, tmp_path, attack):
    marker = tmp_path / "pwned"
    encoder = JinjaChatEncoder(starter_tokenizer(starter_path), attack.replace("{marker}", str(marker)), path="evil.gguf")
    with pytest.raises(ChatTemplateError) as caught:
        encoder.render([{"role": "user", "content": "hi"}])
    assert "evil.gguf" in str(caught.value)
    assert not marker.exists()


def test_raise_exception_names_the_file(starter_path):
    encoder = JinjaChatEncoder(starter_tokenizer(starter_path), "{{ raise_exception('roles must alternate') }}", path="m.gguf")
    with pytest.raises(ChatTemplateError, match="m.gguf: chat template refused the conversation: roles must alternate"):
        encoder.render([])


def test_helpers_like_transformers(starter_path):
    source = "{{ messages | tojson }}|{{ strftime_now('%Y') | length }}|{{ bos_token }}{{ eos_token }}"
    rendered = JinjaChatEncoder(starter_tokenizer(starter_path), source).render([{"role": "user", "content": "é"}])
    assert rendered == '[{"role": "user", "content": "é"}]|4|<|im_start|><|im_end|>'


def test_syntax_error_is_a_model_file_error(starter_path):
    with pytest.raises(ChatTemplateError, match="syntax error"):
        JinjaChatEncoder(starter_tokenizer(starter_path), "{% for %}", path="m.gguf")


def test_missing_template_gets_plain_chatml_with_a_note(starter_path):
    tokenizer = starter_tokenizer(starter_path)
    original, tokenizer.chat_template = tokenizer.chat_template, None
    try:
        encoder = chat_encoder_for(tokenizer)
    finally:
        tokenizer.chat_template = original
    assert isinstance(encoder, JinjaChatEncoder) and encoder.note == NOTE_DEFAULT
    assert encoder.render([{"role": "user", "content": "Hi"}]) == (
        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")


HOSTILE = {
    "nested loops that never write": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
                                     "{% endfor %}",
    "a range past the sandbox's limit": "{% for a in range(10**9) %}{{ a }}{% endfor %}",
    "a macro calling itself": "{% macro m(x) %}{{ m(x) }}{% endmacro %}{{ m(1) }}",
    "a string repeated a billion times": "{{ 'x' * 1000000000 }}",
    "a huge power": "{{ 10 ** 100000000 }}",
    "output without end": "{% for a in range(100000) %}{% for m in messages %}{{ m.content * 50 }}{% endfor %}"
                          "{% endfor %}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_template_stops_within_its_budget_with_one_line(starter_path, source):
    encoder = JinjaChatEncoder(starter_tokenizer(starter_path), source, path="m.gguf")
    with pytest.raises(ChatTemplateError) as caught:
        encoder.render([{"role": "user", "content": "a message of a few words"}])
    message = str(caught.value)
    assert message.startswith("m.gguf: chat template") and "\n" not in message, message


def test_the_budget_leaves_the_tracer_as_it_was(starter_path):
    import sys

    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        chat_encoder_for(starter_tokenizer(starter_path)).render(CONVERSATIONS[1])
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


def test_bad_roles_are_refused(ours):
    with pytest.raises(ValueError, match="role"):
        ours.encode_chat([{"role": "tool", "content": "x"}])
