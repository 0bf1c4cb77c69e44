"""What the window shows of the local API server (Settings › Local server): in the status bar, where it listens,
when the model is answering an API request, and when the user's own answer waits for one; a banner when the
server cannot start (a busy port, a network address without a key)."""
from PySide6.QtCore import QObject, Slot

from app.chat.engine_bridge import EngineBridge

from . import window_menus


class ServerStatus(QObject):
    def __init__(self, window, bridge: EngineBridge):
        super().__init__(window)
        self.window = window
        self.address = ""
        self.answering = False
        self.waiting = False
        bridge.sig_api_server.connect(self._on_api_server)
        bridge.sig_api_request.connect(self._on_api_request)
        bridge.sig_waiting.connect(self._on_waiting)

    def text(self) -> str:
        """The status bar's words for the server now ("" while it is off)."""
        if self.waiting:
            return self.tr("Your answer waits its turn: the model is answering an API request…")
        if not self.address:
            return ""
        host, _, port = self.address.rpartition(":")
        where = (self.tr("API server on the local network, port {port}").format(port=port) if host == "0.0.0.0"
                 else self.tr("API server on {address}").format(address=self.address))
        return self.tr("{server} · Answering an API request…").format(server=where) if self.answering else where

    @Slot(str, str)
    def _on_api_server(self, state: str, detail: str) -> None:
        self.address = detail if state == "started" else ""
        if state == "failed":
            self.window.banner.show_message("api_server", self.tr("The API server did not start: {reason}").format(
                reason=detail), [(self.tr("Settings…"), self._open_settings)])
        elif self.window.banner.kind == "api_server":
            self.window.hide_banner()
        self._show()

    @Slot(bool)
    def _on_api_request(self, active: bool) -> None:
        self.answering = active
        self._show()

    @Slot(bool)
    def _on_waiting(self, waiting: bool) -> None:
        self.waiting = waiting
        self._show()

    @Slot()
    def _open_settings(self) -> None:
        window_menus.open_settings(self.window)

    def _show(self) -> None:
        self.window.status.set_api(self.text())
