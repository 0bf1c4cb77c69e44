"""A read-only rich-text view that can never fetch anything: `loadResource` returns nothing (no image,
stylesheet or file, remote or local), links never navigate, and a click on an http(s) link asks the
system browser to open it. `octet-copy:N` links copy the Nth code block. Its height follows its text.
"""
from PySide6.QtCore import QByteArray, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QTextDocument, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser

from .markdown_render import COPY_SCHEME, is_safe_url


def empty_resource(kind: int, url: QUrl):
    """What any resource is: a blank 1x1 image or no bytes. Returning nothing is not enough: Qt's
    image handler then reads a local file itself by name, so images get a real, blank one."""
    SafeDocument.resource_requests.append(url.toString())
    if kind == QTextDocument.ImageResource:
        image = QImage(1, 1, QImage.Format_ARGB32)
        image.fill(0)
        return image
    return QByteArray()


class SafeDocument(QTextDocument):
    """A text document whose resources are all empty."""

    resource_requests: list[str] = []  # every URL asked for, by any SafeDocument (tests look)

    def loadResource(self, kind, url):  # noqa: N802 (Qt's name)
        return empty_resource(kind, url)


class SafeBrowser(QTextBrowser):
    sig_code_copied = Signal(int)
    """A code block's copy link was clicked (its index); its text is on the clipboard."""
    sig_link_refused = Signal(str)
    """A link that is not http(s) was clicked and not opened."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDocument(SafeDocument(self))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        self.document().setDocumentMargin(0)
        self.code_blocks: list[str] = []
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._height = 0

    def loadResource(self, kind, url):  # noqa: N802
        return empty_resource(kind, url)

    def setSource(self, *args):  # noqa: N802 - never navigate anywhere
        return

    def show_html(self, html: str, code_blocks: list[str]) -> None:
        self.code_blocks = code_blocks
        self.document().setHtml(html)
        self._fit_height()

    def show_plain(self, text: str) -> None:
        self.code_blocks = []
        self.document().setPlainText(text)
        self._fit_height()

    # -- height follows the text ---------------------------------------------------------------
    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        width = self.viewport().width()
        if width <= 0:
            return
        self.document().setTextWidth(width)
        height = int(self.document().size().height()) + 2
        if height != self._height:
            self._height = height
            self.setFixedHeight(height)

    def sizeHint(self):  # noqa: N802
        return QSize(super().sizeHint().width(), max(self._height, 20))

    # -- links ---------------------------------------------------------------------------------
    def _on_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if url.scheme() == COPY_SCHEME:
            index = int(url.path() or -1) if url.path().isdigit() else -1
            if 0 <= index < len(self.code_blocks):
                QGuiApplication.clipboard().setText(self.code_blocks[index])
                self.sig_code_copied.emit(index)
        elif is_safe_url(text):
            QDesktopServices.openUrl(url)
        else:
            self.sig_link_refused.emit(text)
