"""A local HTTP server that answers like the Hugging Face Hub for what `huggingface_hub` and Octet use.

Two servers on 127.0.0.1: the "hub" answers HEAD/GET `/{repo}/resolve/{rev}/{file}` (LFS files: 302 to the
"cdn" with X-Linked-Etag/X-Linked-Size/X-Repo-Commit; plain files: 200 with a git-sha1 ETag), the "cdn"
serves blobs with Range (or, `ignore_range`, the whole file with a 200 as some servers do). It counts requests
and body bytes, and can drop a connection part-way (once, or on every response), or throttle.
"""
from __future__ import annotations

import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CHUNK = 64 * 1024


@dataclass
class HostedFile:
    repo_id: str
    filename: str
    content: bytes  # what the server sends
    lfs: bool = True
    advertised_sha256: str | None = None  # what the server claims (the ETag); defaults to the real hash
    gated_token: str | None = None  # when set, HEAD/GET on the hub need "Bearer <token>"
    advertised_size: int | None = None  # what the hub announces (X-Linked-Size); defaults to the real size

    @property
    def etag(self) -> str:
        if self.lfs:
            return self.advertised_sha256 or hashlib.sha256(self.content).hexdigest()
        header = f"blob {len(self.content)}\0".encode()
        return hashlib.sha1(header + self.content).hexdigest()


@dataclass
class RequestRecord:
    server: str  # "hub" or "cdn"
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class FakeHub:
    files: dict[tuple[str, str], HostedFile] = field(default_factory=dict)
    requests: list[RequestRecord] = field(default_factory=list)
    bytes_sent: dict[str, int] = field(default_factory=dict)  # filename -> body bytes sent by the cdn/hub
    drop_after: dict[str, int] = field(default_factory=dict)  # filename -> bytes to send before cutting (once)
    drop_every: dict[str, int] = field(default_factory=dict)  # filename -> bytes each response sends, then cut
    ignore_range: bool = False  # answer every GET with 200 and the whole file, whatever Range asks
    throttle_bytes_per_s: int | None = None
    trickle_bytes_per_s: int | None = None  # send the body a few bytes at a time, this slowly
    cdn_down: bool = False  # redirect downloads to a closed port (connection refused)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_file(self, repo_id: str, filename: str, content: bytes, **options) -> HostedFile:
        hosted = HostedFile(repo_id, filename, content, **options)
        self.files[(repo_id, filename)] = hosted
        return hosted

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "FakeHub":
        self._hub = _serve(self, "hub")
        self._cdn = _serve(self, "cdn")
        return self

    def stop(self) -> None:
        for server in (self._hub, self._cdn):
            server.shutdown()
            server.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._hub.server_address[1]}"

    @property
    def cdn_url(self) -> str:
        return "http://127.0.0.1:9" if self.cdn_down else f"http://127.0.0.1:{self._cdn.server_address[1]}"

    # -- bookkeeping -----------------------------------------------------------------------------
    def record(self, server: str, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            headers = {k.lower(): v for k, v in handler.headers.items()}
            self.requests.append(RequestRecord(server, handler.command, handler.path, headers))

    def count_sent(self, filename: str, n: int) -> None:
        with self._lock:
            self.bytes_sent[filename] = self.bytes_sent.get(filename, 0) + n

    def take_drop(self, filename: str) -> int | None:
        with self._lock:
            return self.drop_after.pop(filename, None) or self.drop_every.get(filename)

    def blob(self, key: str) -> HostedFile | None:
        return next((f for f in self.files.values() if _blob_key(f) == key), None)


def _blob_key(hosted: HostedFile) -> str:
    return hashlib.sha256(f"{hosted.repo_id}/{hosted.filename}".encode()).hexdigest()


def _serve(hub: FakeHub, role: str) -> ThreadingHTTPServer:
    handler = type(f"{role.title()}Handler", (_Handler,), {"hub": hub, "role": role})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: FakeHub
    role: str

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_HEAD(self) -> None:
        self._dispatch(with_body=False)

    def do_GET(self) -> None:
        self._dispatch(with_body=True)

    def _dispatch(self, with_body: bool) -> None:
        self.hub.record(self.role, self)
        if self.role == "hub":
            self._resolve(with_body)
        else:
            self._serve_blob(with_body)

    # -- hub: /{repo}/resolve/{revision}/{filename} ----------------------------------------------
    def _resolve(self, with_body: bool) -> None:
        parts = unquote(self.path.split("?")[0]).lstrip("/").split("/")
        if len(parts) < 5 or parts[2] != "resolve":
            return self._error(404, "RepoNotFound")
        repo_id, filename = "/".join(parts[:2]), "/".join(parts[4:])
        hosted = self.hub.files.get((repo_id, filename))
        if hosted is None:
            return self._error(404, "EntryNotFound")
        if hosted.gated_token and self.headers.get("authorization") != f"Bearer {hosted.gated_token}":
            return self._error(401, "GatedRepo")
        if hosted.lfs:
            return self._redirect_to_cdn(hosted)
        self._send_content(hosted, with_body, extra={"ETag": f'"{hosted.etag}"', "X-Repo-Commit": COMMIT})

    def _redirect_to_cdn(self, hosted: HostedFile) -> None:
        self.send_response(302)
        self.send_header("Location", f"{self.hub.cdn_url}/blobs/{_blob_key(hosted)}?sig=signed")
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("X-Linked-Etag", f'"{hosted.etag}"')
        self.send_header("X-Linked-Size", str(hosted.advertised_size or len(hosted.content)))
        self.send_header("ETag", '"pointer-etag"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _error(self, status: int, code: str) -> None:
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- cdn: /blobs/{key} with Range --------------------------------------------------------------
    def _serve_blob(self, with_body: bool) -> None:
        key = self.path.split("?")[0].rsplit("/", 1)[-1]
        hosted = self.hub.blob(key)
        if hosted is None:
            return self._error(404, "EntryNotFound")
        self._send_content(hosted, with_body, extra={"ETag": f'"{hosted.etag}"'})

    def _send_content(self, hosted: HostedFile, with_body: bool, extra: dict[str, str]) -> None:
        asked = None if self.hub.ignore_range else self.headers.get("Range")
        start, end = _parse_range(asked, len(hosted.content))
        self.send_response(206 if asked else 200)
        if asked:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(hosted.content)}")
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if with_body:
            self._write_body(hosted, hosted.content[start:end])

    def _write_body(self, hosted: HostedFile, body: bytes) -> None:
        cut = self.hub.take_drop(hosted.filename)
        limit = len(body) if cut is None else min(cut, len(body))
        step = 16 if self.hub.trickle_bytes_per_s else CHUNK
        try:
            for offset in range(0, limit, step):
                piece = body[offset : min(offset + step, limit)]
                self.wfile.write(piece)
                self.hub.count_sent(hosted.filename, len(piece))
                if self.hub.throttle_bytes_per_s or self.hub.trickle_bytes_per_s:
                    self.wfile.flush()
                    time.sleep(len(piece) / (self.hub.trickle_bytes_per_s or self.hub.throttle_bytes_per_s))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if cut is not None:
            self._cut_connection()

    def _cut_connection(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _parse_range(header: str | None, size: int) -> tuple[int, int]:
    """`bytes=a-` or `bytes=a-b` to a half-open [start, end)."""
    if not header:
        return 0, size
    first, _, last = header.strip().removeprefix("bytes=").partition("-")
    start = int(first or 0)
    end = int(last) + 1 if last else size
    return min(start, size), min(end, size)


# -- pytest fixtures (import them into a test module: `from tests.app.fake_hub import fake_hub, ...`) -----
import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A stand-in for the OS keyring (none runs on a headless test machine): holds passwords in a dict."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self.passwords.pop((service, username), None)


@pytest.fixture
def fake_hub():
    hub = FakeHub().start()
    yield hub
    hub.stop()


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
