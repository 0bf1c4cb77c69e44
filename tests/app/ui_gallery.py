"""Every window and dialog of Octet built with data, in the installed language, without a model: the main window
(first run, then a conversation with a stopped and an interrupted answer, a message being edited, the banner of
a crashed model), conversation settings, app settings, the model manager (an installed default model, a linked
import, a paused download, a gated download asking for a token) and the delete confirmation.

Used by the layout tests (tests/app/test_layout_fit.py) and by tools/screenshot_gallery.py. The caller owns the
QApplication, the translators and $OCTET_DATA_DIR (a throw-away folder); `build_gallery()` returns
(name, top-level widget) pairs, each shown at its default size; `close_gallery()` closes them.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

LINKED_NAME = "mixtral-8x7b-instruct-v0.1.Q4_K_M.gguf"
SAMPLE = {
    "title": "Weekend in Lyon",
    "question": "What should I not miss in Lyon in two days?",
    "answer": "Day 1: Vieux-Lyon and Fourvière. Day 2: the Presqu'île and the Croix-Rousse.",
}


def settle(ms: int = 50) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def seed_models() -> None:
    """The starter registered as the default (a stand-in file), a linked import, half a paused download."""
    from app.models.catalog import InstalledModel, get_entry, install_location, register
    from runtime.paths import data_dir, models_dir

    starter = get_entry("starter")
    path = models_dir() / starter.files[0].name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * 4092)
    register(InstalledModel(id="starter", name=starter.name, path=str(path), source="catalog", by_reference=False,
                            size_bytes=starter.size_bytes, quantization=starter.quantization, catalog_id="starter"))
    linked = data_dir().parent / "my-models" / LINKED_NAME
    linked.parent.mkdir(parents=True, exist_ok=True)
    linked.write_bytes(b"GGUF" + b"\0" * 4092)
    register(InstalledModel(id="mixtral-q4_k_m", name=LINKED_NAME, path=str(linked), source="import",
                            by_reference=True, size_bytes=26_441_533_376, quantization="Q4_K_M"))
    mistral = get_entry("mistral-7b-instruct-v0.2-q4_k_m")
    part = install_location(mistral).with_name(mistral.files[0].name + ".part")
    with open(part, "wb") as handle:
        handle.truncate(mistral.size_bytes * 45 // 100)  # sparse: no disk used


def seed_conversation(store) -> int:
    conversation = store.create_conversation(title=SAMPLE["title"], model="Mixtral-8x7B-Instruct")
    question = store.add_message(conversation.id, role="user", content=SAMPLE["question"])
    store.add_message(conversation.id, role="assistant", content=SAMPLE["answer"], parent_id=question.id,
                      model="Mixtral-8x7B-Instruct", state="stopped")
    writer = store.start_answer(conversation.id, parent_id=question.id, model="Mixtral-8x7B-Instruct")
    writer.append(SAMPLE["answer"])
    writer.finish(state="stopped", stats={"finish_reason": "cancelled"})
    return conversation.id


def build_gallery() -> list[tuple[str, QWidget]]:
    from app.chat import runtime_messages
    from app.chat.controller import ChatController
    from app.history.store import HistoryStore
    from app.settings import load as load_settings
    from app.ui.conversation_settings import ConversationSettingsDialog
    from app.ui.main_window import MainWindow
    from app.ui.model_manager import ModelManagerDialog
    from app.ui.settings_dialog import SettingsDialog

    gallery: list[tuple[str, QWidget]] = []
    store = HistoryStore()
    first_run = MainWindow(ChatController(store))
    first_run.first_run.set_error(QCoreApplication.translate(
        "FirstRunPage", "The starter model could not be installed: {error}").format(error="[Errno 28]"))
    gallery.append(("window-first-run", first_run))

    conversation_id = seed_conversation(store)
    window = MainWindow(ChatController(store))
    window.controller.open_conversation(conversation_id)
    while window.chat.building:  # the messages' widgets are built a slice per event-loop turn
        settle(10)
    window.refresh_conversations()
    window._on_model_state("loading", None)
    window._on_load_progress(0.5, runtime_messages.load_step({"code": "loading_weights", "phrase": "Loading weights"}))
    window._on_problem("worker_died", runtime_messages.error_text(
        {"kind": "worker_died", "code": "killed", "signal": "SIGKILL", "message": ""}))
    user_widget = next(w for w in window.chat.widgets.values() if w.message.role == "user")
    user_widget.start_editing()
    window.composer.set_generating(True)
    gallery.append(("window-chat", window))

    seed_models()
    gallery.append(("conversation-settings", ConversationSettingsDialog(
        system_prompt="", settings={}, defaults={"temperature": 0.7, "top_p": 0.95, "top_k": 40, "min_p": 0.05,
                                                 "repetition_penalty": 1.1, "max_tokens": 1024, "seed": None})))
    gallery.append(("settings", SettingsDialog(load_settings())))
    manager = ModelManagerDialog()
    gated = next(row for row in manager.catalog_rows.values() if row.entry.gated)
    gated.show_error(QCoreApplication.translate("CatalogRow", "Hugging Face did not give access to this model"),
                     "401 Client Error", ask_token=True)
    gallery.append(("model-manager", manager))
    box = QMessageBox(QMessageBox.Icon.Question, "", "")
    manager_confirm_texts(box)
    gallery.append(("delete-confirmation", box))
    for _name, widget in gallery:
        widget.show()
        # Qt sizes a new dialog to at most 2/3 of the screen, and the offscreen screen is only 800x600 (a real
        # one is wider): give each its own minimum size, as a desktop screen would.
        widget.resize(widget.size().expandedTo(widget.minimumSizeHint()))
    settle(150)
    return gallery


def manager_confirm_texts(box: QMessageBox) -> None:
    """The delete confirmation as `ModelManagerDialog._confirm_delete` fills it (without running it)."""
    from app.ui.units import arg

    translate = QCoreApplication.translate
    box.setWindowTitle(translate("ModelManagerDialog", "Delete model"))
    box.setText(arg(translate("ModelManagerDialog", "Delete “%1”?"), LINKED_NAME))
    box.setInformativeText(arg(translate("ModelManagerDialog", "This removes it from the disk and frees %1. You can "
                                                               "download it again later."), "26.4 GB"))
    box.addButton(translate("ModelManagerDialog", "Delete"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)


def close_gallery(gallery) -> None:
    for _name, widget in gallery:
        if hasattr(widget, "shutdown"):
            widget.shutdown()
        widget.close()
        widget.deleteLater()
    settle(20)
