"""The conversation-language detector: at least 95% right on 40 realistic first messages per language, silent
("") when there is nothing to go on, blind to code and links; and the system prompt's answer-language line."""
import pytest

from app.chat import prompts
from app.chat.language import LANGUAGES, conversation_language, detect_language
from app.history.records import Message, now
from tests.app.language_samples import SAMPLES

REQUIRED_ACCURACY = 0.95


def accuracy(code: str) -> float:
    return sum(detect_language(text) == code for text in SAMPLES[code]) / len(SAMPLES[code])


@pytest.mark.parametrize("code", LANGUAGES)
def test_accuracy_on_realistic_short_messages(code):
    assert len(SAMPLES[code]) >= 40
    assert accuracy(code) >= REQUIRED_ACCURACY, [t for t in SAMPLES[code] if detect_language(t) != code]


@pytest.mark.parametrize("text, code", [
    ("Merci beaucoup", "fr"), ("Danke schön", "de"), ("Muchas gracias", "es"), ("Grazie mille", "it"),
    ("Thank you", "en"), ("l’œuvre d’art", "fr"), ("dell’acqua", "it"), ("Straße", "de"), ("¿y tú?", "es"),
    ("DAS IST SEHR GUT", "de"), ("Ca va bien merci", "fr"),
])
def test_greetings_and_single_clues(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "ok", "42", "Mixtral", "👍🎉", "https://example.com/a?b=c",
                                  "```python\nprint('hello world')\n```"])
def test_no_evidence_gives_no_language(text):
    assert detect_language(text) == ""


def test_code_and_links_do_not_outvote_the_prose():
    text = ("Pourquoi ce code plante-t-il ?\n```python\nfor item in items:\n    print(the_value if it else that)\n"
            "```\nVoir https://docs.python.org/the/page/with/english/words")
    assert detect_language(text) == "fr"


def test_combining_marks_read_like_composed_letters():
    assert detect_language("Gru\u0308ße aus Mu\u0308nchen") == "de"


def test_conversation_language_comes_from_the_first_user_message_with_evidence():
    def message(role, content):
        return Message(id=0, conversation_id=0, parent_id=None, role=role, content=content, state="complete",
                       created_at=now())

    messages = [message("system", "You are a helpful assistant."), message("user", "ok"),
                message("user", "Wie spät ist es in Tokio?"), message("assistant", "It is late."),
                message("user", "And in Paris?")]
    assert conversation_language(messages) == "de"
    assert conversation_language([]) == ""


# -- the system prompt -------------------------------------------------------------------------------------
def test_default_prompt_asks_for_the_users_language():
    prompt = prompts.system_prompt("")
    assert prompt.startswith(prompts.DEFAULT_SYSTEM_PROMPT)
    assert "same language as the user's message" in prompt


def test_own_prompt_is_kept_and_a_fixed_language_replaces_following_the_user():
    prompt = prompts.system_prompt("Tu es un pirate.", answer_language="it")
    assert prompt.startswith("Tu es un pirate.") and "Always answer in Italian" in prompt
    assert "same language" not in prompt


def test_answer_language_setting_is_read_safely():
    assert prompts.answer_language_of({"answer_language": "de"}) == "de"
    assert prompts.answer_language_of({"answer_language": "xx"}) == ""
    assert prompts.answer_language_of(None) == ""
