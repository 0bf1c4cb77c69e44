"""Accent- and case-insensitive full-text search of the history (SQLite FTS5 over folded text).

`fold()` maps text to the form that is indexed (`Grüße` -> `grusse`, `Œuvre` -> `oeuvre`, `ça` -> `ca`);
the query is folded the same way and quoted, so nothing a user types is an FTS syntax error.
"""
import re
import sqlite3
import unicodedata
from functools import lru_cache

from .records import SearchHit, clean_text

# Letters that neither case folding nor Unicode decomposition splits into a base letter.
_LIGATURES = {
    "œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i",
    "ŀ": "l", "þ": "th", "ĸ": "k", "ŧ": "t", "ŋ": "n",
}
_WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 160


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    folded = unicodedata.normalize("NFKD", char.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return "".join(_LIGATURES.get(c, c) for c in folded)


def fold(text: str) -> str:
    """The searchable form of `text`: case-folded, accents removed, ß/œ/æ spelled out."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def fold_with_offsets(text: str) -> tuple[str, list[int] | range]:
    """`fold(text)` and, for each folded character, the index of the character of `text` it came from."""
    if text.isascii():
        return text.lower(), range(len(text))
    pieces, offsets = [], []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


def query_words(query: str) -> list[str]:
    """The folded words of a query, as Python sees them (for highlighting matches in a snippet)."""
    return _WORD.findall(fold(query))


def fts_expression(query: str) -> str:
    """An FTS5 MATCH expression for what a user typed: each whitespace-separated piece, folded, is a
    quoted phrase (so quotes and operators are just text) matched as a prefix; all must match.

    FTS5 tokenizes each phrase exactly as it tokenized the documents; a piece with no word in it is
    an empty phrase, which FTS5 ignores.
    """
    pieces = fold(query).replace("\0", " ").split()  # FTS5's parser stops at a NUL
    return " ".join('"' + piece.replace('"', '""') + '"*' for piece in pieces)


def snippet(text: str, words: list[str], *, width: int = SNIPPET_CHARS):
    """A short excerpt of `text` around the first match of `words`, and the matches' spans in it."""
    folded, offsets = fold_with_offsets(text)
    spans = []
    for word in words:
        for found in re.finditer(r"(?<![^\W_])" + re.escape(word), folded):
            start = offsets[found.start()]
            end = offsets[found.end() - 1] + 1
            spans.append((start, end))
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(0, first - width // 3)
    end = min(len(text), begin + width)
    begin = max(0, min(begin, end - width))
    excerpt = " ".join(text[begin:end].split("\n"))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    inside = tuple((s + shift, min(e, end) + shift) for s, e in spans if begin <= s < end)
    return prefix + excerpt + suffix, inside


_SEARCH_SQL = """
WITH matches AS (
    SELECT c.id AS conversation_id, NULL AS message_id, bm25(title_index) AS score
    FROM title_index JOIN conversations c ON c.id = title_index.rowid
    WHERE title_index MATCH :expression AND c.deleted_at IS NULL
    UNION ALL
    SELECT m.conversation_id, m.id, bm25(message_index)
    FROM message_index JOIN messages m ON m.id = message_index.rowid
    JOIN conversations c ON c.id = m.conversation_id
    WHERE message_index MATCH :expression AND c.deleted_at IS NULL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY conversation_id
                                 ORDER BY message_id IS NOT NULL, score, message_id) AS place
    FROM matches
)
SELECT r.conversation_id, r.message_id, r.score, c.title, m.content
FROM ranked r JOIN conversations c ON c.id = r.conversation_id
LEFT JOIN messages m ON m.id = r.message_id
WHERE r.place = 1
ORDER BY r.message_id IS NOT NULL, r.score, c.updated_at DESC
LIMIT :limit
"""


def search(connection: sqlite3.Connection, query: str, *, limit: int = 50) -> list[SearchHit]:
    """Conversations matching every word of `query` in their title or a message, best first.

    Title matches come first, then message matches, each by relevance (bm25; bm25 scores of the two
    indexes are not comparable), then the newest conversation first.
    """
    query = clean_text(query)
    expression = fts_expression(query)
    if not expression:
        return []
    words = query_words(query)
    rows = connection.execute(_SEARCH_SQL, {"expression": expression, "limit": limit})
    hits = []
    for conversation_id, message_id, score, title, content in rows:
        text = title if message_id is None else content
        excerpt, highlights = snippet(text, words)
        hits.append(SearchHit(conversation_id, title, message_id, excerpt, highlights, score))
    return hits
