"""The conversation list: newest first with pinned ones on top, a search box whose results come from
the store's full-text search as the user types (each hit with a snippet, its matches in bold; picking a hit in
a message asks for that message's branch), and per-conversation rename, pin, export and delete.
It shows what it is given and asks for everything through signals.
"""
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidgetItem, QMenu, QPushButton, QVBoxLayout

from app.history.records import Conversation, SearchHit

from .conversation_list import ConversationList, SearchHitView
from .plain_text import one_line, tooltip
from .theme import S

SEARCH_DELAY_MS = 120
ID_ROLE = Qt.UserRole
MESSAGE_ROLE = Qt.UserRole + 1  # a search hit's matching message (None: its title matched)


class Sidebar(QFrame):
    sig_conversation_selected = Signal(int)
    """The user picked a conversation (id)."""
    sig_hit_selected = Signal(int, int)
    """The user picked a search hit in a message: show its conversation on that message's branch (ids)."""
    sig_new_chat_requested = Signal()
    """The user asked for a new, empty conversation."""
    sig_search_changed = Signal(str)
    """The search text settled (empty: show all conversations)."""
    sig_rename_requested = Signal(int, str)
    """Rename a conversation (id, new title)."""
    sig_pin_requested = Signal(int, bool)
    """Pin or unpin a conversation (id, pinned)."""
    sig_delete_requested = Signal(int)
    """Delete a conversation (id); the window offers to undo."""
    sig_export_requested = Signal(int)
    """Export a conversation to Markdown (id)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setMinimumWidth(220)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search conversations"))
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton(self.tr("New chat"), self, objectName="Primary")
        self.list = ConversationList(self)
        self.list.setContextMenuPolicy(Qt.CustomContextMenu)
        self.list.setWordWrap(False)
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._pinned: dict[int, bool] = {}
        self._filling = False
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._connect()
        self._layout()

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.sig_new_chat_requested)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer.timeout.connect(lambda: self.sig_search_changed.emit(self.search.text().strip()))
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemChanged.connect(self._on_item_edited)
        self.list.customContextMenuRequested.connect(self._on_context_menu)

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(S(3), S(3), S(3), S(3))
        box.setSpacing(S(2))
        box.addWidget(self.new_button)  # the sidebar's width: as long as "New chat" reads in any language
        box.addWidget(self.search)
        box.addWidget(self.list, 1)

    # -- what is shown -----------------------------------------------------------------------------
    def show_conversations(self, conversations: list[Conversation], *, current: int | None = None) -> None:
        """Pinned conversations under a "Pinned" heading, then the others under "Recent"."""
        rows = [(c.id, one_line(c.title) or self.tr("New chat"), c.title, c.pinned) for c in conversations]
        self._fill(rows, current, editable=True)
        if any(c.pinned for c in conversations):
            self._heading(0, self.tr("Pinned"))
            first_other = next((i for i, c in enumerate(conversations) if not c.pinned), None)
            if first_other is not None:
                self._heading(first_other + 1, self.tr("Recent"))

    def _heading(self, row: int, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.NoItemFlags)
        font = item.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setBold(True)
        item.setFont(font)
        self.list.insertItem(row, item)

    def show_hits(self, hits: list[SearchHit], *, current: int | None = None) -> None:
        rows = [(h.conversation_id, one_line(h.title) or self.tr("New chat"), h.snippet, False)
                for h in hits]
        self._fill(rows, current, editable=False)
        self._filling = True  # not a rename: itemChanged fires for these changes too
        for row, hit in enumerate(hits):  # the title and the snippet, its matches in bold, drawn by a widget
            item, title = self.list.item(row), rows[row][1]
            item.setData(MESSAGE_ROLE, hit.message_id)
            item.setData(Qt.AccessibleTextRole, f"{title}: {hit.snippet}")
            item.setText("")
            self.list.setItemWidget(item, SearchHitView(title, hit.snippet, hit.highlights))
        self.list.fit_item_widgets()
        self._filling = False
        if not hits:
            item = QListWidgetItem(self.tr("No conversation matches."))
            item.setFlags(Qt.NoItemFlags)
            self.list.addItem(item)

    def _fill(self, rows, current: int | None, *, editable: bool) -> None:
        self._filling = True
        self.list.clear()
        self._pinned = {}
        for conversation_id, label, tip, pinned in rows:
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, conversation_id)
            item.setToolTip(tooltip(tip))  # user text: Qt would read it as HTML
            if editable:
                item.setFlags(item.flags() | Qt.ItemIsEditable)
            self._pinned[conversation_id] = pinned
            self.list.addItem(item)
            if conversation_id == current:
                self.list.setCurrentItem(item)
        self._filling = False

    def conversation_ids(self) -> list[int]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())
                if self.list.item(i).data(ID_ROLE) is not None]

    def select(self, conversation_id: int | None) -> None:
        self._filling = True
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == conversation_id:
                self.list.setCurrentRow(i)
                break
        else:
            self.list.setCurrentRow(-1)
        self._filling = False

    # -- events --------------------------------------------------------------------------------
    def _on_current_changed(self, current, _previous) -> None:
        if self._filling or self.list.focus_arriving or current is None or current.data(ID_ROLE) is None:
            return
        if current.data(MESSAGE_ROLE) is not None:
            self.sig_hit_selected.emit(current.data(ID_ROLE), current.data(MESSAGE_ROLE))
        else:
            self.sig_conversation_selected.emit(current.data(ID_ROLE))

    def _on_item_edited(self, item: QListWidgetItem) -> None:
        if not self._filling and item.data(ID_ROLE) is not None:
            self.sig_rename_requested.emit(item.data(ID_ROLE), item.text().strip())

    def _on_context_menu(self, position) -> None:
        item = self.list.itemAt(position)
        if item is None or item.data(ID_ROLE) is None:
            return
        conversation_id = item.data(ID_ROLE)
        pinned = self._pinned.get(conversation_id, False)
        menu = QMenu(self)
        menu.addAction(self.tr("Rename"), lambda: self.list.editItem(item))
        menu.addAction(self.tr("Unpin") if pinned else self.tr("Pin to top"),
                       lambda: self.sig_pin_requested.emit(conversation_id, not pinned))
        menu.addAction(self.tr("Export to Markdown…"), lambda: self.sig_export_requested.emit(conversation_id))
        menu.addSeparator()
        menu.addAction(self.tr("Delete"), lambda: self.sig_delete_requested.emit(conversation_id))
        menu.exec(self.list.viewport().mapToGlobal(position))
