"""The PySide6 widgets: the main window, its menus, chat view, composer, sidebar, dialogs and theme. May import
app.chat, app.history, app.models, app.settings, app.i18n, app.threads and runtime.paths/errors; never app.main,
app.startup or torch.
"""
