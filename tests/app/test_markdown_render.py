"""Rendering is safe and readable: raw HTML is text, nothing is fetched or run, only http(s) links
open (in the system browser, after a click); code is highlighted and copyable; tables are tables."""
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextTable

from app.ui import safe_browser
from app.ui.markdown_render import is_safe_url, render
from app.ui.safe_browser import SafeBrowser, SafeDocument
from tests.app.window_helpers import PATIENCE_MS, make_window

HOSTILE = ('Regardez <img src="http://tracker.example/pixel.png"> et <script>alert("x")</script> '
           '[cliquez](javascript:alert(1)) ![photo](file:///etc/passwd) ![web](http://example.com/a.png) '
           '<a href="javascript:alert(2)">lien</a> [site](https://example.org)')


def test_hostile_answer_shows_text_and_fetches_nothing(qtbot):
    SafeDocument.resource_requests.clear()
    window = make_window(qtbot)
    store = window.controller.store
    conversation = store.create_conversation(title="Hostile")
    store.add_message(conversation.id, role="user", content="Show me HTML")
    answer = store.add_message(conversation.id, role="assistant", content="")
    window.controller.open_conversation(conversation.id)
    stream = window.chat.begin_stream(answer)
    for piece in HOSTILE.split(" "):  # the answer arrives token by token, like a model's
        window.chat.append_delta(piece + " ")
    qtbot.waitUntil(lambda: "example.org" in stream.text or "site" in stream.body.toPlainText(), timeout=PATIENCE_MS)
    text = stream.body.toPlainText()
    assert '<img src="http://tracker.example/pixel.png">' in text
    assert '<script>alert("x")</script>' in text and "cliquez" in text
    assert SafeDocument.resource_requests == []
    anchors = _anchors(stream.body)
    assert anchors == ["http://example.com/a.png", "https://example.org"]
    window.chat.end_stream()


def _anchors(browser) -> list[str]:
    found, block = [], browser.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            href = fragment.charFormat().anchorHref()
            if href and (not found or found[-1] != href):
                found.append(href)
            iterator += 1
        block = block.next()
    return found


def test_only_http_links_open_and_only_on_click(qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString())))
    monkeypatch.setattr(safe_browser.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString())))
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    rendered = render(HOSTILE)
    browser.show_html(rendered.html, rendered.code_blocks)
    assert opened == []
    refused = []
    browser.sig_link_refused.connect(refused.append)
    for url in ("javascript:alert(1)", "file:///etc/passwd", "https://example.org"):
        browser.anchorClicked.emit(QUrl(url))
    assert opened == ["https://example.org"] and refused == ["javascript:alert(1)", "file:///etc/passwd"]
    assert browser.source().isEmpty()  # never navigated


def test_even_qt_level_images_are_never_loaded(qtbot, tmp_path):
    """Defence in depth: if an <img> ever reached the document, a blank image would stand in for it
    (Qt's image handler reads a local file by itself when a resource comes back empty)."""
    picture = tmp_path / "secret.png"
    big = QImage(400, 300, QImage.Format_RGB32)
    big.fill(0xFF0000)
    assert big.save(str(picture))
    SafeDocument.resource_requests.clear()
    for source in (picture.as_uri(), str(picture), "http://tracker.example/p.png"):
        browser = SafeBrowser()
        qtbot.addWidget(browser)
        browser.resize(600, 100)
        browser.show_html(f'<p>x<img src="{source}"></p>', [])
        browser.show()
        qtbot.wait(10)
        assert browser.document().size().height() < 100, source  # a loaded picture would be 300 px high
    assert len(SafeDocument.resource_requests) >= 3


def test_safe_urls():
    assert is_safe_url("https://example.org/a?b") and is_safe_url("HTTP://x.fr")
    for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "//x.org", "/etc/passwd",
                "mailto:a@b.c", "http:/x", " javascript:x"):
        assert not is_safe_url(url), url


def test_code_tables_and_french_text(qtbot):
    text = ("Voici une fonction :\n\n```python\ndef carré(x):\n    return x * x  # « simple »\n```\n\n"
            "| Ville | Habitants |\n|---|---:|\n| Paris | 2 100 000 |\n| Lyon | 520 000 |\n\n`code` et **gras**")
    rendered = render(text)
    assert rendered.code_blocks == ["def carré(x):\n    return x * x  # « simple »"]
    assert "<table" in rendered.html and "octet-copy:0" in rendered.html and "style=\"color" in rendered.html
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    browser.show_html(rendered.html, rendered.code_blocks)
    assert "Lyon" in browser.toPlainText() and "def carré(x):" in browser.toPlainText()
    tables = [f for f in browser.document().rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) >= 2  # the code block's frame and the data table


def test_huge_text_is_plain_and_quick():
    text = "# not a heading\n" + "x" * 100_000
    rendered = render(text)
    assert rendered.html.startswith('<p style="white-space: pre-wrap">') and "# not a heading" in rendered.html


def test_html_inside_backticks_is_shown_as_text():
    rendered = render("Use `<img src=x onerror=alert(1)>` and `<b>bold</b>` like this.")
    assert "<img" not in rendered.html and "<b>" not in rendered.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered.html and "&lt;b&gt;bold&lt;/b&gt;" in rendered.html


def test_markup_in_a_text_over_the_plain_limit_is_escaped():
    from app.ui.markdown_render import PLAIN_ABOVE_CHARS

    text = '<img src="http://tracker.example/p.png"><script>alert(1)</script>' + "a" * PLAIN_ABOVE_CHARS
    rendered = render(text)
    assert "<img" not in rendered.html and "<script" not in rendered.html
    assert "&lt;img src=&quot;http://tracker.example/p.png&quot;&gt;&lt;script&gt;" in rendered.html
