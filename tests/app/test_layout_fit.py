"""Every window and dialog in every language, offscreen at its default size: no button's text is clipped. A
button is clipped when it is narrower than its text needs (its size hint), or when it reaches past the edge of a
widget around it (a scroll area's viewport: the row is wider than the dialog, and its end needs scrolling). Also:
no placeholder of an empty field is cut, and no scroll area of a dialog needs a horizontal scroll bar.
"""
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea,
                               QToolButton, QWidget)

from app import i18n
from app.ui.theme import apply_theme
from tests.app.ui_gallery import build_gallery, close_gallery

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_translations  # noqa: E402

LANGUAGES = ("en", "fr", "de", "es", "it")
LINE_EDIT_CHROME = 2 * (1 + 8 + 2)  # border and padding (theme.py's style sheet), Qt's own margin, each side


@pytest.fixture(scope="module", autouse=True)
def compiled():
    build_translations.compile_translations()


@pytest.fixture
def app(qapp):
    yield qapp
    i18n.install_translators(qapp, "en")
    apply_theme(qapp, "light")


def clipped_buttons(top: QWidget) -> list[str]:
    """'text: why' for each visible button of `top` whose text does not fit where it is shown."""
    found = []
    for button in top.findChildren(QAbstractButton):
        if not isinstance(button, (QPushButton, QToolButton)) or not button.isVisibleTo(top) or not button.text():
            continue
        needed = button.sizeHint().width()
        if button.width() < needed:
            found.append(f"{button.text()!r}: {button.width()} px wide, its text needs {needed}")
            continue
        left, right = button.mapTo(top, QPoint(0, 0)).x(), button.mapTo(top, QPoint(button.width() - 1, 0)).x()
        parent = button.parentWidget()
        while parent is not None and parent is not top.parentWidget():
            origin = parent.mapTo(top, QPoint(0, 0)).x() if parent is not top else 0
            end = origin + parent.width() - 1
            if left < origin or right > end:
                found.append(f"{button.text()!r}: reaches past the edge of {type(parent).__name__} "
                             f"{parent.objectName()!r} ({left}..{right} outside {origin}..{end})")
                break
            parent = parent.parentWidget() if parent is not top else None
    for edit in top.findChildren(QLineEdit):
        room, needed = edit.width() - LINE_EDIT_CHROME, edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        if edit.isVisibleTo(top) and not edit.text() and needed > room:
            found.append(f"placeholder {edit.placeholderText()!r}: {room} px of room, its text needs {needed}")
    for box in top.findChildren(QPlainTextEdit):
        margin = int(box.document().documentMargin())
        room = box.viewport().rect().adjusted(margin, margin, -margin, -margin)
        needed = box.fontMetrics().boundingRect(QRect(0, 0, room.width(), 100_000), Qt.TextWordWrap,
                                                box.placeholderText()).height()
        if box.isVisibleTo(top) and not box.toPlainText() and needed > room.height():
            found.append(f"placeholder {box.placeholderText()!r}: {room.height()} px high, its lines need {needed}")
    for area in top.findChildren(QScrollArea):
        if area.isVisibleTo(top) and area.horizontalScrollBar().isVisible():
            found.append(f"{type(area.widget()).__name__} is wider than its scroll area: its rows need scrolling "
                         f"({area.widget().minimumSizeHint().width()} px in {area.viewport().width()})")
    return found


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_button_text_is_clipped(app, code):
    i18n.install_translators(app, code)
    apply_theme(app, "light", font_size=11)
    gallery = build_gallery()
    try:
        problems = [f"{name}: {problem}" for name, widget in gallery for problem in clipped_buttons(widget)]
        seen = sum(len(widget.findChildren(QAbstractButton)) for _name, widget in gallery)
    finally:
        close_gallery(gallery)
    assert seen > 30  # the walk did see the dialogs' buttons
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("packaged", [False, True], ids=["from-source", "packaged"])
def test_the_first_run_buttons_are_never_clipped(app, qtbot, packaged, monkeypatch):
    """The first-run card at every text size, in every language, and after the text size changes while it is shown
    (its width was fixed when first shown: "nstall the starter model" at a larger size)."""
    from app.chat.controller import ChatController
    from app.history.store import HistoryStore
    from app.models import runtime_command
    from app.settings import FONT_SIZE_RANGE
    from app.ui.main_window import MainWindow

    monkeypatch.setattr(runtime_command, "is_frozen", lambda: packaged)
    problems, font = [], QApplication.font()
    for code in LANGUAGES:
        i18n.install_translators(app, code)
        apply_theme(app, "light", font_size=11)
        window = MainWindow(ChatController(HistoryStore()))
        qtbot.addWidget(window)
        window.show()
        assert window.stack.currentWidget() is window.first_run and window.first_run.packaged == packaged
        for size in (FONT_SIZE_RANGE[0], 11, 14, 18, 24, FONT_SIZE_RANGE[1]):
            apply_theme(app, "light", font_size=size)
            QApplication.processEvents()  # the new sizes reach the layouts
            window.resize(window.size().expandedTo(window.minimumSizeHint()))  # as the window system would
            QApplication.processEvents()
            problems += [f"{code}, {size} pt: {problem}" for problem in clipped_buttons(window.first_run)]
        window.close()
    QApplication.setFont(font)
    assert not problems, "\n".join(problems)


def test_a_squeezed_button_is_reported(app):
    """The check itself: a button narrower than its text, and one hanging past its parent's edge."""
    i18n.install_translators(app, "en")
    top = QWidget()
    top.resize(300, 100)
    narrow = QPushButton("A rather long text for a button", top)
    narrow.setGeometry(0, 0, 60, 30)
    outside = QPushButton("Far", top)
    outside.setGeometry(280, 40, 80, 30)
    top.show()
    QApplication.processEvents()
    problems = clipped_buttons(top)
    assert len(problems) == 2 and "needs" in problems[0] and "past the edge" in problems[1], problems
    top.close()
