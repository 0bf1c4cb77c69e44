"""Octet's desktop app. `main` is the entry point; `startup/` (crash log, start-up checks, self-test), `history/`
(the SQLite conversation store, export, import), `models/` (catalog, downloads, memory check), `chat/` (the
controller, user actions, prompts, the worker bridge) and `ui/` (the PySide6 widgets), with `settings`, `i18n`,
`threads` and `files` (atomic writes) beside them. Never imports torch: the model runs in the worker process.
"""
