"""`runtime serve`'s HTTP server inside the app's worker process (Settings › Local server): bound at once
(a busy port, or another address than loopback without a key, raises `ServerRefused` with a code for the
app to translate), given the engine queue of whatever model the worker has loaded (`use`; `drop`: requests
answer 503 until the next), and stopped. The worker's own chats go through the same EngineQueue.
Imports torch through Preparer: the worker imports this module inside its functions only.
"""
import errno

from ..errors import OctetError
from .completions import Preparer
from .engine_queue import EngineQueue
from .http_server import Server
from .security import Guard, allowed_hosts, is_loopback


class ServerRefused(OctetError):
    """The server could not start: `code` (runtime.worker.protocol.ERROR_CODES) and the fields its sentence needs."""

    def __init__(self, message: str, code: str, **fields):
        super().__init__(message)
        self.code, self.fields = code, fields


class LocalServer:
    def __init__(self, host: str, port: int, api_key: str | None):
        if not is_loopback(host) and not api_key:
            raise ServerRefused(f"serving on {host} would let other computers use the model: set an API key, or "
                                "serve to this computer only", "local_server_needs_key", host=host)
        try:
            self.server = Server((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServerRefused(f"port {port} is already in use by another program; pick another port",
                                    "port_in_use", host=host, port=port) from None
            detail = f"{host}:{port}: {error.strerror or error}"
            raise ServerRefused(f"the server cannot listen on {detail}", "local_server_failed", detail=detail) from None
        except OverflowError:  # a port past 65535
            raise ServerRefused(f"the server cannot listen on port {port}", "local_server_failed",
                                detail=f"port {port}") from None
        self.host, self.port, self.api_key = host, self.server.server_address[1], api_key
        self.server.guard = Guard(allowed_hosts(host, self.port), api_key)
        self.server.start()

    def matches(self, host: str, port: int, api_key: str | None) -> bool:
        """Whether this server already is the one asked for (port 0: any port)."""
        return host == self.host and api_key == self.api_key and port in (0, self.port)

    def use(self, engine_queue: EngineQueue, model_id: str) -> None:
        """Answer with this engine (a model just loaded) from now on."""
        self.server.attach(engine_queue, Preparer(engine_queue.engine), model_id)

    def drop(self) -> None:
        """No model (unloaded, or another is loading): requests answer 503."""
        self.server.detach()

    def stop(self) -> None:
        self.server.stop()
