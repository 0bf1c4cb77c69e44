"""Colours, spacing and fonts of the window: one light and one dark palette, the Fusion style, a small
stylesheet. `apply_theme(app, mode)` switches between 'light', 'dark' and 'system' at any time;
`colors()` gives the palette in use to widgets that paint or render HTML themselves.
"""
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

SPACE = (0, 4, 8, 12, 16, 24, 32)  # the spacing scale, in pixels: S(1)..S(6)
READABLE_WIDTH = 780  # widest column of chat text (about 90 characters)


def S(step: int) -> int:
    return SPACE[step]


@dataclass(frozen=True)
class Colors:
    name: str
    window: str
    base: str
    sidebar: str
    text: str
    muted: str
    accent: str
    accent_text: str
    user_bubble: str
    code_bg: str
    border: str
    banner_bg: str
    error: str
    pygments_style: str


LIGHT = Colors("light", window="#f7f7f8", base="#ffffff", sidebar="#eef0f3", text="#1d1f23",
               muted="#6b7280", accent="#3a63d8", accent_text="#ffffff", user_bubble="#e6ecfb",
               code_bg="#f3f4f6", border="#d9dce1", banner_bg="#fff4d6", error="#b42318",
               pygments_style="friendly")
DARK = Colors("dark", window="#1e1f22", base="#232428", sidebar="#18191c", text="#e6e7ea",
              muted="#9aa0aa", accent="#7aa2ff", accent_text="#10131a", user_bubble="#2f3a55",
              code_bg="#2b2d31", border="#3a3c42", banner_bg="#4a3b12", error="#ff8a80",
              pygments_style="monokai")

_current = LIGHT


def colors() -> Colors:
    return _current


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(mode: str) -> Colors:
    if mode == "dark" or (mode == "system" and system_is_dark()):
        return DARK
    return LIGHT


def apply_theme(app: QApplication, mode: str = "system", *, font_size: int | None = None) -> Colors:
    """Set the style, palette, font size and stylesheet of the whole application."""
    global _current
    _current = resolve(mode)
    app.setStyle("Fusion")
    app.setPalette(_palette(_current))
    if font_size:
        font = QFont(app.font())
        font.setPointSize(int(font_size))
        app.setFont(font)
    app.setStyleSheet(_stylesheet(_current))
    return _current


def _palette(c: Colors) -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.Window: c.window, QPalette.WindowText: c.text, QPalette.Base: c.base,
        QPalette.AlternateBase: c.sidebar, QPalette.Text: c.text, QPalette.Button: c.base,
        QPalette.ButtonText: c.text, QPalette.Highlight: c.accent,
        QPalette.HighlightedText: c.accent_text, QPalette.ToolTipBase: c.base,
        QPalette.ToolTipText: c.text, QPalette.PlaceholderText: c.muted, QPalette.Link: c.accent,
        QPalette.Mid: c.border, QPalette.Dark: c.border, QPalette.Midlight: c.border,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    palette.setColor(QPalette.Disabled, QPalette.Text, QColor(c.muted))
    palette.setColor(QPalette.Disabled, QPalette.ButtonText, QColor(c.muted))
    palette.setColor(QPalette.Disabled, QPalette.WindowText, QColor(c.muted))
    return palette


def _stylesheet(c: Colors) -> str:
    return f"""
    #Sidebar {{ background: {c.sidebar}; border-right: 1px solid {c.border}; }}
    #Sidebar QListView {{ background: transparent; border: none; }}
    #Sidebar QListView::item {{ padding: {S(2)}px {S(3)}px; border-radius: 6px; }}
    #Sidebar QListView::item:selected {{ background: {c.user_bubble}; color: {c.text}; }}
    QLineEdit, QPlainTextEdit {{
        border: 1px solid {c.border}; border-radius: 6px; padding: {S(1)}px {S(2)}px;
        background: {c.base}; }}
    #Composer QPlainTextEdit {{ border-radius: 10px; padding: {S(2)}px {S(3)}px; }}
    QPushButton {{ border: 1px solid {c.border}; border-radius: 6px; padding: {S(1)}px {S(3)}px;
        background: {c.base}; }}
    QPushButton:hover {{ border-color: {c.accent}; }}
    QPushButton#Primary {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent}; }}
    QPushButton:disabled {{ color: {c.muted}; }}
    QPushButton#Primary:disabled {{ background: {c.border}; border-color: {c.border}; color: {c.muted}; }}
    QToolButton {{ border: none; border-radius: 4px; padding: 2px {S(1)}px; color: {c.muted}; }}
    QToolButton:hover {{ background: {c.code_bg}; color: {c.text}; }}
    #ChatArea, #ChatContent {{ background: {c.base}; }}
    #UserMessage {{ background: {c.user_bubble}; border-radius: 12px; }}
    #Role {{ color: {c.muted}; font-weight: 600; }}
    #Muted {{ color: {c.muted}; }}
    #Banner {{ background: {c.banner_bg}; border-bottom: 1px solid {c.border}; }}
    #Warning {{ color: {c.error}; }}
    #ChatHeader {{ border-bottom: 1px solid {c.border}; background: {c.base}; }}
    #Title {{ font-weight: 600; }}
    QStatusBar {{ border-top: 1px solid {c.border}; }}
    QStatusBar QLabel {{ color: {c.muted}; padding: 0 {S(2)}px; }}
    QScrollArea {{ border: none; }}
    """
