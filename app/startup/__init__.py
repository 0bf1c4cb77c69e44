"""Around the window's start: the crash log, the start-up checks and the hidden self-test; used by app.main only.
May import app.history and app.chat, never app.ui or torch; `crash` loads no Qt itself (installed before PySide6).
"""
