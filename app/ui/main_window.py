"""The main window: conversation list on the left; on the right the chat header, a banner for what
needs the user, the chat (or the first-run panel) and the composer; a status bar; menus and shortcuts.
It wires widgets to the `ChatController` and to `app.chat.actions`, and never blocks the event loop.
"""
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMainWindow, QProgressBar, QPushButton,
                               QSplitter, QStackedWidget, QVBoxLayout, QWidget)

from app.chat import actions
from app.chat.controller import ChatController
from app.chat.language import conversation_language
from app.chat.prompts import NATIVE_NAMES
from app.history.export import unique_file_name
from app.i18n import format_decimal

from . import first_run_page, import_dialogs, window_menus
from .chat_view import ChatView
from .composer import Composer
from .live_region import LiveRegion, answer_announcement
from .model_rows import fit_warning
from .plain_text import ElidedLabel
from .server_status import ServerStatus
from .sidebar import Sidebar
from .status import Banner, StatusLine
from .theme import S

MEMORY_REFRESH_MS = 2000
UNDO_SECONDS = 10


class MainWindow(QMainWindow):
    def __init__(self, controller: ChatController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(self.tr("Octet"))
        self.resize(1240, 820)
        self.sidebar = Sidebar(self)
        self.chat = ChatView(self)
        self.chat.branch_of = controller.branch_of
        self.composer = Composer(self)
        self.banner = Banner(self)
        self.status = StatusLine(self.statusBar())
        self.live_region = LiveRegion(self.statusBar())  # announces finished answers to screen readers
        self.statusBar().addWidget(self.live_region)
        self.server_status = ServerStatus(self, controller.bridge)  # the local API server (Settings › Local server)
        self.first_run = None
        self.model_missing = False
        self._build()
        self._connect()
        window_menus.build_menus(self)
        QShortcut(QKeySequence(Qt.Key_Escape), self, lambda: actions.stop_answer(window=self))
        self._memory_timer = QTimer(self, interval=MEMORY_REFRESH_MS)
        self._memory_timer.timeout.connect(self._on_memory_tick)
        self._memory_timer.start()
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_SECONDS * 1000)
        self._undo_timer.timeout.connect(self._on_undo_expired)
        self.refresh_conversations()
        self._on_model_state("missing" if controller.model is None else "loading", None)
        self.composer.edit.setFocus()  # typing starts in the message box (given focus when the window activates)

    # -- building --------------------------------------------------------------------------------
    def _build(self) -> None:
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._header())
        self.progress = QProgressBar(self, maximum=1000, textVisible=False, maximumHeight=4)
        self.progress.hide()
        column.addWidget(self.progress)
        column.addWidget(self.banner)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.chat)
        column.addWidget(self.stack, 1)
        column.addWidget(self.composer)
        splitter = QSplitter(self)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 960])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

    def _header(self) -> QWidget:
        header = QWidget(self, objectName="ChatHeader")
        row = QHBoxLayout(header)
        row.setContentsMargins(S(5), S(2), S(3), S(2))
        self.title_label = ElidedLabel(self.tr("New chat"), header, objectName="Title")  # a title is user text
        self.language_label = QLabel("", header, objectName="Muted")
        self.language_label.setToolTip(self.tr("The language of this conversation, detected from your first message"))
        self.conversation_settings_button = QPushButton(self.tr("Conversation settings"), header)
        self.conversation_settings_button.setToolTip(self.tr("System prompt and sampling for this conversation"))
        self.conversation_settings_button.clicked.connect(self.open_conversation_settings)
        row.addWidget(self.title_label, 1)
        row.addWidget(self.language_label)
        row.addWidget(self.conversation_settings_button)
        return header

    def _connect(self) -> None:
        c, sb, chat, comp = self.controller, self.sidebar, self.chat, self.composer
        c.sig_conversations_changed.connect(self.refresh_conversations)
        c.sig_conversation_shown.connect(self._on_conversation_shown)
        c.sig_message_added.connect(self.chat.append_message)
        c.sig_message_added.connect(self._on_message_added)
        c.sig_answer_started.connect(self.chat.begin_stream)
        c.sig_answer_delta.connect(self.chat.append_delta)
        c.sig_answer_finished.connect(self._on_answer_finished)
        c.sig_busy_changed.connect(self._on_busy_changed)
        c.sig_model_state.connect(self._on_model_state)
        c.sig_load_progress.connect(self._on_load_progress)
        c.sig_problem.connect(self._on_problem)
        sb.sig_new_chat_requested.connect(lambda: actions.new_chat(window=self))
        sb.sig_conversation_selected.connect(lambda cid: actions.open_conversation(window=self, conversation_id=cid))
        sb.sig_hit_selected.connect(lambda cid, mid: actions.open_conversation(window=self, conversation_id=cid,
                                                                              message_id=mid))
        sb.sig_search_changed.connect(self.apply_search)
        sb.sig_rename_requested.connect(lambda cid, t: actions.rename_conversation(window=self, conversation_id=cid, title=t))
        sb.sig_pin_requested.connect(lambda cid, p: actions.set_pinned(window=self, conversation_id=cid, pinned=p))
        sb.sig_delete_requested.connect(lambda cid: actions.delete_conversation(window=self, conversation_id=cid))
        sb.sig_export_requested.connect(lambda cid: actions.export_conversation(window=self, conversation_id=cid))
        chat.sig_copy_requested.connect(lambda mid: actions.copy_message(window=self, message_id=mid))
        chat.sig_regenerate_requested.connect(lambda mid: actions.regenerate(window=self, message_id=mid))
        chat.sig_edit_submitted.connect(lambda mid, t: actions.edit_and_resend(window=self, message_id=mid, text=t))
        chat.sig_branch_requested.connect(lambda mid, s: actions.switch_branch(window=self, message_id=mid, step=s))
        comp.sig_send_requested.connect(lambda text: actions.send_message(window=self, text=text))
        comp.sig_stop_requested.connect(lambda: actions.stop_answer(window=self))

    # -- conversations -----------------------------------------------------------------------------
    def refresh_conversations(self) -> None:
        query = self.sidebar.search.text().strip()
        if query:
            self.apply_search(query)
            return
        current = self.controller.conversation.id if self.controller.conversation else None
        self.sidebar.show_conversations(self.controller.store.list_conversations(), current=current)
        if self.controller.conversation:
            self.title_label.setText(self.controller.store.conversation(current).title or self.tr("New chat"))

    def apply_search(self, query: str) -> None:
        current = self.controller.conversation.id if self.controller.conversation else None
        if query:
            self.sidebar.show_hits(self.controller.store.search(query), current=current)
        else:
            self.sidebar.show_conversations(self.controller.store.list_conversations(), current=current)

    def _on_conversation_shown(self, conversation, path) -> None:
        self.chat.model_name = self.controller.model.name if self.controller.model else ""
        self.chat.show_messages(path)
        self.title_label.setText(conversation.title if conversation and conversation.title else self.tr("New chat"))
        self._show_language(conversation_language(path))
        self.sidebar.select(conversation.id if conversation else None)
        self._update_stack()
        self._show_busy(self.controller.busy)

    def _on_message_added(self, message) -> None:
        if not self.language_label.text():
            self._show_language(conversation_language([message]))

    def _show_language(self, code: str) -> None:
        self.language_label.setText(NATIVE_NAMES.get(code, ""))

    def offer_undo_delete(self) -> None:
        self.banner.show_message("undo", self.tr("Conversation deleted."),
                                 [(self.tr("Undo"), lambda: (self.hide_banner(), actions.undo_delete(window=self)))])
        self._undo_timer.start()

    def _on_undo_expired(self) -> None:
        if self.banner.kind == "undo":
            self.hide_banner()

    # -- answers -------------------------------------------------------------------------------------
    def _on_busy_changed(self, busy: bool) -> None:
        if busy and self.banner.kind == "disk_full":  # an answer is being saved again: there is space
            self.hide_banner()
        self._show_busy(busy)

    def _show_busy(self, busy: bool) -> None:
        """Stop while the answer on show is written; Send waits while one is written in another chat."""
        here = self.controller.streaming_here
        self.composer.set_generating(here)
        self.composer.set_busy_elsewhere(busy and not here)
        self.chat.set_busy(busy)

    def _on_answer_finished(self, message, result) -> None:
        self.chat.end_stream(message)
        title = None  # the chat it was written in, when that is not the one on show (and not deleted)
        shown = self.controller.conversation
        if message is not None and (shown is None or shown.id != message.conversation_id):
            title = next((c.title or self.tr("New chat") for c in self.controller.store.list_conversations()
                          if c.id == message.conversation_id), None)
        self.live_region.announce(answer_announcement(message, elsewhere_title=title))
        stats = (result or {}).get("stats") or {}
        if stats:
            self.status.set_resumed(int((result or {}).get("resumed_tokens") or 0))
            self.status.set_speed(stats.get("decode_tokens_per_s"))
            context = (self.controller.model_info or {}).get("context_length") or 0
            self.status.set_context(int(stats.get("prompt_tokens", 0)) + int(stats.get("generated_tokens", 0)), context)

    # -- the model -----------------------------------------------------------------------------------
    def _on_model_state(self, state: str, info) -> None:
        ready = state == "ready"
        self.progress.setVisible(state == "loading")
        reasons = {"missing": self.tr("No model is installed yet."), "loading": self.tr("The model is loading…"),
                   "failed": self.tr("No model is loaded."), "died": self.tr("The model process stopped.")}
        self.composer.set_can_send(ready, reasons.get(state, ""))
        if ready:
            name = self.controller.model.name if self.controller.model else info.get("architecture", "")
            self.status.set_kernels(info.get("kernels") or "")  # none for a remote engine
            if info.get("server"):  # a remote engine (Settings › Engine): its host in place of the file's details
                self.status.set_server_model(name or info.get("name", ""), info["server"])
            else:
                self.status.set_model(self.tr("{name} · {quantization} · loaded in {seconds} s").format(
                    name=name, quantization=info.get("quantization") or "?",
                    seconds=format_decimal(info.get("load_seconds") or 0)))
            self.composer.set_context_tokens(int(info.get("context_length") or 0))
            if self.banner.kind in ("load", "worker_died", "refused"):
                self.hide_banner()
        else:
            self.status.set_model(reasons.get(state, ""))
            self.status.set_kernels("")
        self.model_missing = state == "missing"
        self._update_stack()

    def _on_load_progress(self, fraction: float, phrase: str) -> None:
        self.progress.show()
        self.progress.setValue(int(fraction * 1000))
        self.status.set_model(self.tr("Loading the model: {phrase}").format(phrase=phrase))

    def _update_stack(self) -> None:
        """The first-run panel replaces an empty chat while no model is installed; old chats stay readable."""
        showing = self.model_missing and self.controller.conversation is None
        first_run_page.show_first_run(self, showing)
        appearing = showing is False and self.composer.isHidden()
        self.composer.setVisible(not showing)
        if appearing:  # the message box comes back (a model is loading): typing starts there, not in search
            self.composer.edit.setFocus()

    def _on_problem(self, kind: str, message: str) -> None:
        texts = {
            "worker_died": self.tr("The model process stopped: {message}. Your conversation and the partial answer "
                                   "are kept; restart the model to go on."),
            "context": self.tr("This conversation does not fit in the model's context window: {message}. "
                               "Shorten your message, or start a new chat."),
            "load": self.tr("The model could not be loaded: {message}"),
            "refused": self.tr("This model was not loaded: {message}"),
            "error": self.tr("The answer failed: {message}"),
            "import": self.tr("This file could not be imported: {message}"),
            "import_notes": self.tr("Imported; these values were left out: {message}"),
            "export": self.tr("The export could not be written (the file as it was is kept): {message}"),
            "disk_full": self.tr("The disk is full: Octet stopped and kept everything it could save. Free some "
                                 "space on it, then send again. ({message})"),
            "store": self.tr("The history could not be written: {message}"),
        }
        if kind == "dropped":
            self.flash(self.tr("The %n oldest message(s) were left out so the conversation fits the context "
                               "window.", "", int(message)))
            return
        verdict = self._refusal() if kind == "refused" else None
        if verdict is not None:
            texts["refused"] = fit_warning(verdict)  # its own sentence, in the interface's language
        buttons = []
        if kind == "worker_died":
            buttons.append((self.tr("Restart the model"), lambda: actions.restart_worker(window=self)))
        if kind in ("load", "refused"):
            buttons.append((self.tr("Models…"), self.open_model_manager))
        self.banner.show_message(kind, texts.get(kind, "{message}").format(message=message), buttons)

    def _refusal(self):
        """The memory check that refused the model being loaded (the controller sends it in English)."""
        choice = self.controller.model
        if choice is None or not choice.path.exists():
            return None
        verdict = self.controller.memory_verdict(choice)
        return None if verdict.fits else verdict

    def _on_memory_tick(self) -> None:
        self.status.set_memory(self.controller.worker_rss())

    # -- helpers for actions and menus -----------------------------------------------------------------
    def hide_banner(self) -> None:
        self.banner.hide_message()

    def flash(self, text: str) -> None:
        self.statusBar().showMessage(text, 4000)

    def ask_import_duplicate(self, conversation, duplicates) -> str:
        """Replace, keep both or cancel, when an imported conversation is in the history already."""
        return import_dialogs.ask_duplicate(self, conversation, duplicates)

    def ask_export_path(self, conversation_id: int) -> Path | None:
        conversation = self.controller.store.conversation(conversation_id)
        suggested = str(Path.home() / unique_file_name(conversation, set()))
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export to Markdown"), suggested,
                                              self.tr("Markdown (*.md)"))
        return Path(path) if path else None

    def open_conversation_settings(self) -> None:
        window_menus.open_conversation_settings(self)

    def open_model_manager(self) -> None:
        window_menus.open_model_manager(self)

    def closeEvent(self, event):  # noqa: N802
        self.controller.shutdown()
        super().closeEvent(event)
