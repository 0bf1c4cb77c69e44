"""Shared, cached inputs for the tokenizer tests (no tests here): the starter GGUF's metadata, the
transformers tokenizer converted from the same file, the real Mixtral v1 SentencePiece model and
sample texts in the five languages, emoji, CJK and code."""
import os
from functools import lru_cache

SAMPLES = [
    "Hello, world! How are you today?",
    "Bonjour ! Ça va très bien, merci. L'été à Paris, c'est où ? Œuvre, naïve, garçon.",
    "Grüß Gott! Die Straße ist schön, äöü ÄÖÜ ß – „Anführungszeichen“.",
    "¿Dónde está la biblioteca? ¡Mañana será otro día! Niño, pingüino, corazón.",
    "Perché no? Città, più, però: è già l'una. Così è la vita!",
    "Emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇩🇪🇪🇸🇮🇹 ❤️ 🧑🏿‍🚀",
    "中文测试：你好，世界！日本語のテキスト、カタカナ。한국어 문장입니다.",
    "def f(x):\n    return x ** 2  # square\n\n\tif a != b and c >= 10: print(f'{a!r}')",
    "   leading spaces, trailing spaces   ",
    "\n\nnewlines\r\n and\ttabs \t\t mixed   \n",
    "Numbers 1234567890, 3.14159, -42, 1e-9, 2024-06-01, 10,000.00 €",
    "Ünïcödé çömbïnïng: e\u0301 a\u0308 n\u0303 — ‘quotes’ … “more” «guillemets»",
    "Zero-width: a\u200bb\u200dc, NBSP:\u00a0x, soft\u00adhyphen, RTL: שלום عربى",
    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    "<s>[INST] Quelle heure est-il ? [/INST]</s>",
    "",
    " ",
    "a",
    "'s 've 're I'm don't CAN'T",
    "https://example.com/path?query=1&x=%20 user@example.org",
]


@lru_cache(maxsize=None)
def gguf_metadata(path) -> dict:
    import gguf

    reader = gguf.GGUFReader(str(path))
    return {key: field.contents() for key, field in reader.fields.items() if not key.endswith(".weight")}


@lru_cache(maxsize=None)
def hf_from_gguf(path):
    """transformers' own conversion of the same GGUF: the reference for ids and rendered templates."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))


@lru_cache(maxsize=None)
def starter_tokenizer(path):
    from runtime.text.tokenizer import tokenizer_from_gguf

    return tokenizer_from_gguf(gguf_metadata(path), path)


def mistral_v1_model_file() -> str:
    import mistral_common

    return os.path.join(os.path.dirname(mistral_common.__file__), "data", "tokenizer.model.v1")


@lru_cache(maxsize=None)
def mistral_v1_processor():
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=mistral_v1_model_file())


@lru_cache(maxsize=None)
def mistral_v1_gguf_metadata() -> dict:
    """The v1 vocabulary written as llama.cpp's convert script writes it into a GGUF."""
    sp = mistral_v1_processor()
    types = []
    for index in range(sp.get_piece_size()):
        kind = 2 if sp.is_unknown(index) else 3 if sp.is_control(index) else 6 if sp.is_byte(index) else 5 if sp.is_unused(index) else 1
        types.append(kind)
    return {
        "general.architecture": "llama",
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.pre": "default",
        "tokenizer.ggml.tokens": [sp.id_to_piece(i) for i in range(sp.get_piece_size())],
        "tokenizer.ggml.scores": [sp.get_score(i) for i in range(sp.get_piece_size())],
        "tokenizer.ggml.token_type": types,
        "tokenizer.ggml.bos_token_id": sp.bos_id(),
        "tokenizer.ggml.eos_token_id": sp.eos_id(),
        "tokenizer.ggml.unknown_token_id": sp.unk_id(),
        "tokenizer.ggml.add_bos_token": True,
        "tokenizer.ggml.add_eos_token": False,
        "tokenizer.chat_template": MIXTRAL_TEMPLATE,
    }


# The template in Mixtral-8x7B-Instruct-v0.1's tokenizer_config.json (its spacing differs from mistral-common).
MIXTRAL_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"
)
