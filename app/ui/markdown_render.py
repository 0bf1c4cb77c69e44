"""Model and user text to the HTML subset Qt's rich text understands, safely.

markdown-it-py with `html=False` (raw HTML in a message is shown as text), tables and strike-through;
code fenced or indented is highlighted by pygments with inline styles, each block numbered so a copy
link (`octet-copy:N`) can copy it; only http(s) links become anchors; images are never embedded, they
become a link (http(s)) or their alt text. No Qt here: `render()` returns a string and the code blocks.
"""
import html
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

from .theme import Colors, colors

COPY_SCHEME = "octet-copy"
PLAIN_ABOVE_CHARS = 60_000  # longer texts are shown as plain text: Markdown layout would take seconds
SAFE_SCHEMES = ("http", "https")


@dataclass
class Rendered:
    html: str
    code_blocks: list[str] = field(default_factory=list)


def is_safe_url(url: str) -> bool:
    """Only absolute http(s) URLs may ever be opened (and only after a click)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_SCHEMES and bool(parts.netloc)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # every link reaches our rules, which keep only http(s)
    return md


_MD = _parser()


def render(text: str, palette: Colors | None = None, *, copy_label: str = "Copy") -> Rendered:
    """HTML for `text` (Markdown), with the palette's colours and a copy link above each code block."""
    c = palette or colors()
    if len(text) > PLAIN_ABOVE_CHARS:
        return Rendered(plain_html(text))
    renderer = _Renderer(c, copy_label)
    body = _MD.renderer.render(_MD.parse(text), _MD.options, {"octet": renderer})
    return Rendered(body, renderer.code_blocks)


def plain_html(text: str) -> str:
    return f'<p style="white-space: pre-wrap">{html.escape(text)}</p>'


class _Renderer:
    """The per-render state the token rules share: palette, code blocks met, links left open."""

    def __init__(self, palette: Colors, copy_label: str):
        self.c, self.copy_label = palette, copy_label
        self.code_blocks: list[str] = []
        self.open_links: list[bool] = []

    def code_block(self, code: str, language: str) -> str:
        index = len(self.code_blocks)
        self.code_blocks.append(code.rstrip("\n"))
        lexer = _lexer(language, code)
        body = highlight(code.rstrip("\n"), lexer, _formatter(self.c.pygments_style)).rstrip("\n")
        label = html.escape(language)
        return (
            f'<table width="100%" cellspacing="0" cellpadding="10" bgcolor="{self.c.code_bg}" '
            f'style="margin-top: 6px; margin-bottom: 10px; border-color: {self.c.border};">'
            f'<tr><td><table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td><span style="color: {self.c.muted}; font-size: small;">{label}</span></td>'
            f'<td align="right"><a href="{COPY_SCHEME}:{index}" style="color: {self.c.accent}; '
            f'text-decoration: none; font-size: small;">{html.escape(self.copy_label)}</a></td>'
            f'</tr></table>'
            f'<pre style="margin-top: 6px; margin-bottom: 0px; white-space: pre-wrap;">{body}</pre>'
            f'</td></tr></table>')


def _formatter(style: str) -> HtmlFormatter:
    try:
        return HtmlFormatter(noclasses=True, nowrap=True, style=style)
    except ClassNotFound:
        return HtmlFormatter(noclasses=True, nowrap=True)


def _lexer(language: str, code: str):
    if language:
        try:
            return get_lexer_by_name(language.split()[0])
        except ClassNotFound:
            pass
    if len(code) < 4000:
        try:
            return guess_lexer(code)
        except ClassNotFound:
            pass
    return TextLexer()


def _state(env) -> _Renderer:
    return env["octet"]


def _fence(self, tokens, idx, options, env):
    token = tokens[idx]
    return _state(env).code_block(token.content, token.info.strip())


def _code_block(self, tokens, idx, options, env):
    return _state(env).code_block(tokens[idx].content, "")


def _code_inline(self, tokens, idx, options, env):
    c = _state(env).c
    return (f'<code style="background-color: {c.code_bg}; font-family: monospace;">'
            f'{html.escape(tokens[idx].content)}</code>')


def _link_open(self, tokens, idx, options, env):
    href = tokens[idx].attrGet("href") or ""
    safe = is_safe_url(href)
    _state(env).open_links.append(safe)
    if not safe:
        return ""
    return f'<a href="{html.escape(href, quote=True)}" style="color: {_state(env).c.accent};">'


def _link_close(self, tokens, idx, options, env):
    links = _state(env).open_links
    return "</a>" if links and links.pop() else ""


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env) or src)
    label = f"[{alt}]"
    if is_safe_url(src):
        return f'<a href="{html.escape(src, quote=True)}" style="color: {_state(env).c.accent};">{label}</a>'
    return label


def _table_open(self, tokens, idx, options, env):
    c = _state(env).c
    return (f'<table border="1" cellspacing="0" cellpadding="6" style="border-collapse: collapse; '
            f'border-color: {c.border}; margin-top: 6px; margin-bottom: 10px;">')


def _th_open(self, tokens, idx, options, env):
    align = _align(tokens[idx])
    return f'<th bgcolor="{_state(env).c.code_bg}"{align}>'


def _td_open(self, tokens, idx, options, env):
    return f"<td{_align(tokens[idx])}>"


def _align(token) -> str:
    style = token.attrGet("style") or ""
    for side in ("left", "center", "right"):
        if side in style:
            return f' align="{side}"'
    return ""


for _name, _rule in {"fence": _fence, "code_block": _code_block, "code_inline": _code_inline,
                     "link_open": _link_open, "link_close": _link_close, "image": _image,
                     "table_open": _table_open, "th_open": _th_open, "td_open": _td_open}.items():
    _MD.add_render_rule(_name, _rule)
