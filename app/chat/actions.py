"""One function per user action, with keyword-only arguments: menus, shortcuts, buttons and tests all
call these, so each action behaves the same wherever it starts. `window` is the `MainWindow`.
"""
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from app.history import export
from app.models.catalog import installed_models

from .controller import ModelChoice
from .importer import Importer


translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


def new_chat(*, window) -> None:
    """Start an empty conversation (it is saved when the first message is sent)."""
    window.controller.open_conversation(None)
    window.sidebar.select(None)
    window.composer.edit.setFocus()


def open_conversation(*, window, conversation_id: int, message_id: int | None = None) -> None:
    """Show a conversation (with `message_id`, a search hit: on the branch holding it). An answer being
    written elsewhere goes on streaming into its own conversation."""
    window.controller.open_conversation(conversation_id, at_message=message_id)


def send_message(*, window, text: str | None = None) -> bool:
    """Send `text` (default: the composer's) and clear the composer once it is on its way."""
    text = window.composer.text() if text is None else text
    if window.controller.send(text) is None:
        return False
    window.composer.edit.clear()
    return True


def stop_answer(*, window) -> None:
    """Stop the answer being written into the conversation on show (never one the user cannot see)."""
    if window.controller.streaming_here:
        window.controller.stop()


def regenerate(*, window, message_id: int | None = None) -> bool:
    """Another answer in place of `message_id` (default: the last answer on show)."""
    message_id = message_id or _last_id(window, "assistant")
    return message_id is not None and window.controller.regenerate(message_id)


def edit_and_resend(*, window, message_id: int, text: str) -> bool:
    sent = window.controller.edit_and_resend(message_id, text)
    window.composer.edit.setFocus()  # the edit box is gone: typing goes on in the message box
    return sent


def switch_branch(*, window, message_id: int, step: int) -> bool:
    return window.controller.switch_branch(message_id, step)


def copy_message(*, window, message_id: int) -> None:
    QGuiApplication.clipboard().setText(window.controller.store.message(message_id).content)
    window.flash(translate("actions", "Copied to the clipboard."))


def copy_last_answer(*, window) -> bool:
    message_id = _last_id(window, "assistant")
    if message_id is None:
        return False
    copy_message(window=window, message_id=message_id)
    return True


def rename_conversation(*, window, conversation_id: int, title: str) -> None:
    if title.strip():
        window.controller.store.rename(conversation_id, title=title.strip())
    window.refresh_conversations()


def set_pinned(*, window, conversation_id: int, pinned: bool) -> None:
    window.controller.store.set_pinned(conversation_id, pinned=pinned)
    window.refresh_conversations()


def delete_conversation(*, window, conversation_id: int) -> None:
    """Delete, and offer to undo in the banner."""
    controller = window.controller
    if controller.streaming_conversation_id == conversation_id:
        controller.stop()
    if controller.conversation and controller.conversation.id == conversation_id:
        controller.open_conversation(None)
    controller.store.delete(conversation_id)
    controller.bridge.forget_state(conversation_id)  # its saved chat state goes with it (undo reads it again)
    window.refresh_conversations()
    window.offer_undo_delete()


def undo_delete(*, window) -> None:
    conversation = window.controller.store.undo_delete()
    window.refresh_conversations()
    if conversation is not None:
        window.controller.open_conversation(conversation.id)
        window.sidebar.select(conversation.id)


def search(*, window, query: str) -> None:
    window.sidebar.search.setText(query)
    window.apply_search(query)


def focus_search(*, window) -> None:
    window.sidebar.search.setFocus()
    window.sidebar.search.selectAll()


def export_conversation(*, window, conversation_id: int | None = None, path: Path | None = None) -> Path | None:
    """Write a conversation to a Markdown file (asks where when `path` is None)."""
    conversation_id = conversation_id or (window.controller.conversation.id if window.controller.conversation else None)
    if conversation_id is None:
        return None
    if path is None:
        path = window.ask_export_path(conversation_id)
        if path is None:
            return None
    try:
        written = export.export_conversation(window.controller.store, conversation_id, path=path)
    except OSError as error:  # a full disk, a folder not writable: the file as it was is still there
        window._on_problem("export", f"{path}: {error.strerror or error}")
        return None
    window.flash(translate("actions", "Exported to {path}").format(path=written))
    return written


def import_conversation(*, window, path: Path) -> Importer:
    """Add a conversation exported to Markdown back to the history, off the window's thread (progress in the
    status bar), then show it; a refused file is explained in the banner. A conversation already in the
    history is not added again silently: `window.ask_import_duplicate` asks replace / keep both / cancel.
    Returns the running import."""
    importer = Importer(window.controller.store.path, Path(path))
    name = Path(path).name
    importer.sig_progress.connect(lambda fraction: window.flash(
        translate("actions", "Importing {name}… {percent} %").format(name=name, percent=int(fraction * 100))))
    importer.sig_duplicate.connect(lambda parsed, duplicates: _import_duplicate(window, importer, parsed, duplicates))
    importer.sig_imported.connect(lambda conversation, notes: _imported(window, conversation, notes))
    importer.sig_failed.connect(lambda message: window._on_problem("import", message))
    importer.sig_cancelled.connect(lambda: window.flash(translate("actions", "Nothing was imported.")))
    return importer.start()


def _import_duplicate(window, importer: Importer, parsed, duplicates) -> None:
    choice = window.ask_import_duplicate(parsed.conversation, duplicates)
    if choice == "replace":
        controller, replaced = window.controller, {d.conversation.id for d in duplicates}
        if controller.streaming_conversation_id in replaced:
            controller.stop()
        if controller.conversation is not None and controller.conversation.id in replaced:
            controller.open_conversation(None)
    importer.decide(choice)


def _imported(window, conversation, notes: list[str]) -> None:
    window.refresh_conversations()
    open_conversation(window=window, conversation_id=conversation.id)
    window.flash(translate("actions", "Imported “{title}”.").format(title=conversation.title))
    if notes:
        window._on_problem("import_notes", "; ".join(notes))


def configure_conversation(*, window, system_prompt: str | None = None, settings: dict | None = None) -> None:
    """Save the system prompt and sampling settings of the conversation on show (creating it if new)."""
    controller = window.controller
    if controller.conversation is None:
        controller.conversation = controller.store.create_conversation(
            model=controller.model.name if controller.model else "")
    controller.conversation = controller.store.configure(
        controller.conversation.id, system_prompt=system_prompt, settings=settings)
    window.refresh_conversations()


def clear_chat_state(*, window) -> None:
    """Remove every saved chat state (Settings › Data): conversations reopened later are read again."""
    window.controller.bridge.clear_state()
    window.flash(translate("actions", "Saved chat state cleared."))


def restart_worker(*, window) -> None:
    window.hide_banner()
    window.controller.restart_worker()


def load_model(*, window, path: str) -> bool:
    """Load a model chosen in the model manager."""
    chosen = Path(path)
    installed = next((m for m in _installed() if Path(m.path) == chosen), None)
    name = installed.name if installed else chosen.stem
    window.hide_banner()
    return window.controller.load_model(ModelChoice(chosen, name, installed))


def _installed():
    return installed_models()


def _last_id(window, role: str) -> int | None:
    for message in reversed(window.chat.messages):
        if message.role == role:
            return message.id
    return None
