"""The system prompt the model reads: the conversation's own prompt (or a default), plus one line on the answer
language: by default "answer in the language of the user's message"; with a fixed `answer_language` (one of
en, fr, de, es, it, kept in the conversation's settings) always that language. Written in English, which every
model follows best. Plain Python, no Qt.
"""
from __future__ import annotations

ANSWER_LANGUAGE_KEY = "answer_language"  # in Conversation.settings; "" or absent: the user's language
LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian"}
NATIVE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano"}

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
# Naming the languages here made the small starter model answer English questions in French.
FOLLOW_USER_LANGUAGE = "Answer in the same language as the user's message, unless the user asks for another one."
FIXED_LANGUAGE = "Always answer in {language}, whatever language the user writes in."


def language_instruction(answer_language: str = "") -> str:
    """The line that sets the answer language: the user's, or a fixed one."""
    if answer_language in LANGUAGE_NAMES:
        return FIXED_LANGUAGE.format(language=LANGUAGE_NAMES[answer_language])
    return FOLLOW_USER_LANGUAGE


def system_prompt(own_prompt: str = "", *, answer_language: str = "") -> str:
    """The conversation's prompt (the default when blank) followed by the answer-language line."""
    base = own_prompt.strip() or DEFAULT_SYSTEM_PROMPT
    return f"{base}\n\n{language_instruction(answer_language)}"


def answer_language_of(settings: dict | None) -> str:
    """The fixed answer language kept in a conversation's settings, or "" (follow the user)."""
    value = (settings or {}).get(ANSWER_LANGUAGE_KEY, "")
    return value if value in LANGUAGE_NAMES else ""


__all__ = ["ANSWER_LANGUAGE_KEY", "LANGUAGE_NAMES", "NATIVE_NAMES", "DEFAULT_SYSTEM_PROMPT", "language_instruction",
           "system_prompt", "answer_language_of"]
