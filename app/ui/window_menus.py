"""The main window's menus and shortcuts, and the dialogs they open (app settings, model manager,
conversation settings, About and the keyboard shortcuts). The app settings and model manager dialogs are
imported when first opened: they load keyring and huggingface_hub, which showing the window does not need.
"""
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app import i18n
from app import settings as app_settings
from app.chat import actions
from app.chat.controller import model_defaults
from app.chat.prompts import NATIVE_NAMES
from app.history.export import export_all as write_all
from app.settings import apply_worker_settings

from . import help_dialogs
from .conversation_settings import ConversationSettingsDialog
from .theme import apply_theme

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


class WindowMenus(QObject):
    """The "WindowMenus" context for plural forms: lupdate marks `self.tr(text, "", n)` as numerus."""

    def exported(self, count: int) -> str:
        return self.tr("%n conversation(s) exported.", "", count)


def build_menus(window) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu(translate("WindowMenus", "&File"))
    _add(window, file_menu, translate("WindowMenus", "&New chat"), QKeySequence.New,
         lambda: actions.new_chat(window=window))
    _add(window, file_menu, translate("WindowMenus", "&Export conversation…"), "Ctrl+E",
         lambda: actions.export_conversation(window=window))
    _add(window, file_menu, translate("WindowMenus", "Export &all conversations…"), None,
         lambda: export_all(window))
    _add(window, file_menu, translate("WindowMenus", "&Import conversation…"), "Ctrl+I",
         lambda: import_conversation(window))
    file_menu.addSeparator()
    _add(window, file_menu, translate("WindowMenus", "&Settings…"), QKeySequence.Preferences,
         lambda: open_settings(window),
         fallback="Ctrl+,")
    file_menu.addSeparator()
    _add(window, file_menu, translate("WindowMenus", "&Quit"), QKeySequence.Quit, window.close, fallback="Ctrl+Q")
    edit_menu = bar.addMenu(translate("WindowMenus", "&Edit"))
    _add(window, edit_menu, translate("WindowMenus", "&Search conversations"), QKeySequence.Find,
         lambda: actions.focus_search(window=window))
    _add(window, edit_menu, translate("WindowMenus", "&Copy last answer"), "Ctrl+Shift+C",
         lambda: actions.copy_last_answer(window=window))
    chat_menu = bar.addMenu(translate("WindowMenus", "&Chat"))
    _add(window, chat_menu, translate("WindowMenus", "&Send"), None, lambda: actions.send_message(window=window))
    window.stop_action = _add(window, chat_menu, translate("WindowMenus", "Sto&p answer (Esc)"), None,
                              lambda: actions.stop_answer(window=window))
    _add(window, chat_menu, translate("WindowMenus", "&Regenerate last answer"), "Ctrl+R",
         lambda: actions.regenerate(window=window))
    _add(window, chat_menu, translate("WindowMenus", "Conversation se&ttings…"), "Ctrl+Shift+,",
         lambda: open_conversation_settings(window))
    model_menu = bar.addMenu(translate("WindowMenus", "&Model"))
    _add(window, model_menu, translate("WindowMenus", "&Models…"), "Ctrl+M", lambda: open_model_manager(window))
    _add(window, model_menu, translate("WindowMenus", "&Restart the model"), None,
         lambda: actions.restart_worker(window=window))
    help_menu = bar.addMenu(translate("WindowMenus", "&Help"))
    _add(window, help_menu, translate("WindowMenus", "&Keyboard shortcuts"), None, lambda: show_shortcuts(window))
    about = _add(window, help_menu, translate("WindowMenus", "&About Octet"), None, lambda: show_about(window))
    about.setMenuRole(QAction.AboutRole)


def show_about(window):
    """About Octet: version, licence, data folder, crash log (window-modal, without blocking)."""
    window.about_dialog = help_dialogs.about_dialog(window)
    window.about_dialog.open()
    return window.about_dialog


def show_shortcuts(window):
    if getattr(window, "shortcuts_dialog", None) is None:
        window.shortcuts_dialog = help_dialogs.ShortcutsDialog(window)
    window.shortcuts_dialog.show()
    window.shortcuts_dialog.raise_()
    return window.shortcuts_dialog


def _add(window, menu, text, shortcut, slot, *, fallback=None) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        sequence = QKeySequence(shortcut)
        action.setShortcut(sequence if not sequence.isEmpty() or fallback is None else QKeySequence(fallback))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def export_all(window) -> None:
    folder = QFileDialog.getExistingDirectory(window, translate("WindowMenus", "Export all conversations to a folder"))
    if folder:
        try:
            written = write_all(window.controller.store, folder=folder)
        except OSError as error:  # a full disk: the files written so far are whole, no partial one is left
            window._on_problem("export", f"{folder}: {error.strerror or error}")
            return
        window.flash(WindowMenus().exported(len(written)))


def import_conversation(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, translate("WindowMenus", "Import a conversation"), "",
                                          translate("WindowMenus", "Markdown (*.md)"))
    if path:
        actions.import_conversation(window=window, path=path)


def open_settings(window) -> None:
    from .settings_dialog import SettingsDialog  # deferred (slow import): keyring, see the docstring

    dialog = SettingsDialog(app_settings.load(), window)
    dialog.sig_settings_changed.connect(lambda new: apply_app_settings(window, new))
    dialog.sig_clear_chat_state_requested.connect(lambda: actions.clear_chat_state(window=window))
    dialog.exec()


def apply_app_settings(window, settings) -> None:
    """Theme and text size now; threads and context length at the next model load."""
    apply_theme(QApplication.instance(), settings.theme, font_size=settings.font_size)
    apply_worker_settings(settings)
    window.controller.context_length = settings.context_length
    from .settings_engine import apply_engine  # deferred (slow import): keyring, see the docstring

    apply_engine(window.controller, settings)  # this computer or a server: its model loads when that changed
    from .settings_server import apply_local_server  # deferred (slow import): keyring, see the docstring

    apply_local_server(window.controller.bridge, settings)  # the local API server: on, moved or off
    if not window.controller.busy:
        window.controller.reshow()  # re-render the messages in the new colours
    window.flash(translate("WindowMenus", "Settings saved. Threads and context length apply when a model is "
                                          "next loaded."))
    _note_language_change(window, settings.language)


def _note_language_change(window, language: str) -> None:
    """A new interface language applies at the next start; the conversations are kept (they are on disk)."""
    chosen = i18n.resolve_language(language)
    if chosen != i18n.current_language():
        QMessageBox.information(window, translate("WindowMenus", "Language"), translate(
            "WindowMenus", "Octet will use this language from the next start: {language}. Your conversations "
                           "are kept.").format(language=NATIVE_NAMES[chosen]))


def open_model_manager(window) -> None:
    from .model_manager import ModelManagerDialog  # deferred (slow import): huggingface_hub, see the docstring

    if getattr(window, "model_manager", None) is None:
        window.model_manager = ModelManagerDialog(window, controller=window.controller)  # follows the loaded model
        window.model_manager.sig_model_chosen.connect(lambda path: actions.load_model(window=window, path=path))
    window.model_manager.show()
    window.model_manager.raise_()


def open_conversation_settings(window) -> None:
    controller = window.controller
    conversation = controller.conversation
    dialog = ConversationSettingsDialog(
        system_prompt=conversation.system_prompt if conversation else "",
        settings=controller.settings_for(), defaults=_defaults(controller), parent=window)
    if dialog.exec():
        actions.configure_conversation(window=window, system_prompt=dialog.system_prompt(),
                                       settings=dialog.settings())


def _defaults(controller) -> dict:
    return model_defaults(controller.model_info)
