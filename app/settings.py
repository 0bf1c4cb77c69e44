"""The user's preferences (`AppSettings`), kept as JSON in `data_dir()/settings.json` and written atomically.

`load()` never fails: a missing file gives the defaults, a bad value falls back to its default, and a file that is
not a JSON object is moved aside (`settings.json.corrupt-<time>`) rather than lost. Keys this version does not
know are kept and written back. `apply_worker_settings()` hands the thread count to the worker process (through
its environment). Plain Python, no Qt.
"""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import psutil

from app.files import write_atomic
from runtime.paths import data_dir
from runtime.worker.protocol import KV_CACHE_TYPES, STATE_DISK_MB
from runtime.worker.remote import valid_base_url

SETTINGS_NAME = "settings.json"
THEMES = ("system", "light", "dark")
LANGUAGES = ("", "en", "fr", "de", "es", "it")  # "" follows the system
FONT_SIZE_RANGE = (8, 32)
THREADS_MAX = 256
CONTEXT_RANGE = (512, 32768)
CHAT_STATE_DISK_RANGE = (0, 1024 * 1024)  # MB of saved chat states (0: none saved)
ENGINES = ("local", "server")  # this computer's worker, or a remote OpenAI-compatible server
LOCAL_SERVER_HOSTS = ("127.0.0.1", "0.0.0.0")  # Settings › Local server: this computer only, or the local network
PORT_RANGE = (1024, 65535)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppSettings:
    """What the user chose in Settings; every field has a safe default."""

    theme: str = "system"
    font_size: int = 11  # points
    threads: int = 0  # 0: automatic (physical cores)
    default_model: str = ""  # an installed model's id, "" for none
    language: str = ""  # "" follows the system
    offline: bool = False
    context_length: int = 4096  # tokens
    kv_cache: str = "bf16"  # how the KV cache stores keys and values: one of KV_CACHE_TYPES ("int8" halves it)
    chat_state_disk_mb: int = STATE_DISK_MB  # saved chat states in the data folder (runtime/chat_state.py)
    engine: str = "local"  # "server": chats go to server_url (its key is in the keyring, app/models/secrets.py)
    server_url: str = ""  # a base URL ending in /v1 (validated: runtime.worker.remote.valid_base_url)
    server_model: str = ""  # the server's model id; "" for its first one
    local_server: bool = False  # serve the loaded model over the OpenAI-compatible API (its key: app/models/secrets.py)
    local_server_host: str = "127.0.0.1"  # one of LOCAL_SERVER_HOSTS; beyond loopback only with a key
    local_server_port: int = 8080
    extra: dict = field(default_factory=dict, compare=False, repr=False)  # keys from a newer Octet, kept as is

    def to_json(self) -> dict:
        known = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        return {**self.extra, **known}

    @classmethod
    def from_json(cls, raw: dict) -> "AppSettings":
        """Each known key checked on its own: a bad value gives that field's default, never an error."""
        defaults = cls()
        values = {name: _checked(name, raw[name], getattr(defaults, name)) for name in _VALIDATORS if name in raw}
        extra = {key: value for key, value in raw.items() if key not in _VALIDATORS}
        return replace(defaults, **values, extra=extra)


def settings_path() -> Path:
    return data_dir() / SETTINGS_NAME


def load() -> AppSettings:
    """The saved settings, or the defaults; a corrupt file is moved aside and logged, never raised."""
    path = settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppSettings()
    except OSError as error:
        log.warning("Could not read %s (%s); using default settings", path, error)
        return AppSettings()
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        _move_aside(path)
        return AppSettings()
    return AppSettings.from_json(raw)


def save(settings: AppSettings) -> None:
    """Write atomically (`app.files.write_atomic`): the old file stays whole until the new one replaces it."""
    write_atomic(settings_path(), json.dumps(settings.to_json(), indent=1, ensure_ascii=False))


def remember_default_model(model_id: str) -> None:
    """Keep `default_model` in step when the default is changed elsewhere (the model manager)."""
    save(replace(load(), default_model=model_id))


def physical_cores() -> int:
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def effective_threads(settings: AppSettings) -> int:
    """The thread count to run with: the user's, or the physical cores when set to automatic."""
    return settings.threads or physical_cores()


def apply_worker_settings(settings: AppSettings) -> None:
    """Threads for the worker process (read by it at start through OCTET_THREADS)."""
    if settings.threads:
        os.environ["OCTET_THREADS"] = str(settings.threads)


# -- validation -------------------------------------------------------------------------------------------
def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_VALIDATORS = {
    "theme": lambda v: v in THEMES,
    "font_size": lambda v: _is_int(v) and FONT_SIZE_RANGE[0] <= v <= FONT_SIZE_RANGE[1],
    "threads": lambda v: _is_int(v) and 0 <= v <= THREADS_MAX,
    "default_model": lambda v: isinstance(v, str),
    "language": lambda v: v in LANGUAGES,
    "offline": lambda v: isinstance(v, bool),
    "context_length": lambda v: _is_int(v) and CONTEXT_RANGE[0] <= v <= CONTEXT_RANGE[1],
    "kv_cache": lambda v: v in KV_CACHE_TYPES,
    "chat_state_disk_mb": lambda v: _is_int(v) and CHAT_STATE_DISK_RANGE[0] <= v <= CHAT_STATE_DISK_RANGE[1],
    "engine": lambda v: v in ENGINES,
    "server_url": lambda v: isinstance(v, str) and (v == "" or valid_base_url(v)),
    "server_model": lambda v: isinstance(v, str),
    "local_server": lambda v: isinstance(v, bool),
    "local_server_host": lambda v: v in LOCAL_SERVER_HOSTS,
    "local_server_port": lambda v: _is_int(v) and PORT_RANGE[0] <= v <= PORT_RANGE[1],
}


def _checked(name: str, value, default):
    if _VALIDATORS[name](value):
        return value
    log.warning("Setting %s=%r is not valid; using %r", name, value, default)
    return default


def _move_aside(path: Path) -> Path | None:
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, target)
    except OSError as error:
        log.warning("%s is not valid JSON and could not be moved aside (%s); using default settings", path, error)
        return None
    log.warning("%s was not valid settings JSON; kept it as %s and started from the defaults", path, target)
    return target


__all__ = ["AppSettings", "load", "save", "settings_path", "remember_default_model", "physical_cores",
           "effective_threads", "apply_worker_settings", "THEMES", "LANGUAGES", "FONT_SIZE_RANGE", "CONTEXT_RANGE",
           "ENGINES", "CHAT_STATE_DISK_RANGE", "KV_CACHE_TYPES", "LOCAL_SERVER_HOSTS", "PORT_RANGE"]
