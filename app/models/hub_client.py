"""What Octet asks of the Hugging Face Hub, through `huggingface_hub`'s own URL, metadata and HTTP helpers.

`fetch_metadata` (one HEAD: size, ETag = sha256 for LFS files, commit, CDN location), `stream_range` (a GET from
a byte offset) and `find_in_hf_cache` (the user's existing cache, no network). Tokens go only in headers, never
in a message or a log line. Offline mode is decided here, at call time (`HF_HUB_OFFLINE` or the caller's flag).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.file_download import repo_folder_name, try_to_load_from_cache
from huggingface_hub.utils import get_session

from runtime.errors import OctetError

DEFAULT_ENDPOINT = "https://huggingface.co"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
GIT_SHA1_HEX = re.compile(r"^[0-9a-f]{40}$")
METADATA_TIMEOUT_S = 20.0
READ_TIMEOUT_S = 60.0
TRANSIENT_ERRORS = (httpx2.TransportError, OfflineModeIsEnabled)


class DownloadError(OctetError):
    """A model could not be fetched; the message says which file, why, and what to do."""


class HubAccessError(DownloadError):
    """The Hub refused (gated repo without token, missing repo or file)."""


class NetworkError(DownloadError):
    """The Hub could not be reached or the connection dropped; retrying later may work."""


@dataclass(frozen=True)
class RemoteFile:
    """One file on the Hub as its HEAD answer describes it."""

    repo_id: str
    filename: str
    size: int
    etag: str  # sha256 for LFS files, git blob sha1 for small ones
    commit: str | None
    location: str  # where to GET: the CDN for LFS files
    send_token: bool  # False when `location` is off the Hub (signed CDN url)

    @property
    def is_lfs(self) -> bool:
        return bool(SHA256_HEX.match(self.etag))


def hub_endpoint(explicit: str | None = None) -> str:
    """The Hub's base URL: the caller's, else $HF_ENDPOINT read now (not at import), else huggingface.co."""
    return (explicit or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def offline_requested(flag: bool = False) -> bool:
    """Offline when the app says so or $HF_HUB_OFFLINE is set (read now, unlike huggingface_hub's constant)."""
    return flag or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hf_cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The user's Hugging Face cache: the caller's, else $HF_HUB_CACHE / $HF_HOME read now, else the library's."""
    if explicit:
        return Path(explicit)
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    return Path(constants.HF_HUB_CACHE)


def auth_headers(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token else {}


def fetch_metadata(repo_id: str, filename: str, *, revision: str = "main", endpoint: str | None = None,
                   token: str | None = None) -> RemoteFile:
    """HEAD the file's resolve URL (redirects off the Hub are not followed: the answer carries the metadata)."""
    base = hub_endpoint(endpoint)
    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=base)
    try:
        meta = get_hf_file_metadata(url, token=token or False, endpoint=base, timeout=METADATA_TIMEOUT_S)
    except GatedRepoError:
        raise HubAccessError(_gated_message(repo_id, base, token)) from None
    except (RepositoryNotFoundError, RevisionNotFoundError):
        raise HubAccessError(_missing_repo_message(repo_id, base, token)) from None
    except RemoteEntryNotFoundError:
        raise HubAccessError(f"{repo_id}: the file {filename} is not in this repository any more.") from None
    except HfHubHTTPError as error:
        raise NetworkError(f"{repo_id}/{filename}: the Hub answered {_status(error)}; try again later.") from None
    except TRANSIENT_ERRORS as error:
        raise NetworkError(f"Could not reach {base} ({type(error).__name__}); check the connection.") from None
    if meta.etag is None or meta.size is None:
        raise NetworkError(f"{repo_id}/{filename}: {base} did not say the file's size and hash; is it a Hub?")
    return RemoteFile(repo_id, filename, meta.size, meta.etag, meta.commit_hash, meta.location,
                      send_token=_same_origin(url, meta.location))


@contextmanager
def stream_range(remote: RemoteFile, start: int, *, token: str | None = None,
                 read_timeout: float = READ_TIMEOUT_S) -> Iterator[tuple[int, Iterator[bytes]]]:
    """GET `remote` from byte `start`; yields (status, chunks). 206 resumes, 200 means "from zero"."""
    headers = {"Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
    if remote.send_token:
        headers.update(auth_headers(token))
    timeout = httpx2.Timeout(METADATA_TIMEOUT_S, read=read_timeout)
    try:
        with get_session().stream("GET", remote.location, headers=headers, timeout=timeout) as response:
            if response.status_code not in (200, 206):
                raise NetworkError(f"{remote.repo_id}/{remote.filename}: the download server answered "
                                   f"{response.status_code}; try again later.")
            yield response.status_code, response.iter_bytes()  # as the network delivers: stop stays prompt
    except TRANSIENT_ERRORS as error:
        raise NetworkError(f"{remote.repo_id}/{remote.filename}: connection lost ({type(error).__name__}).") \
            from None


def find_in_hf_cache(repo_id: str, filename: str, *, revision: str = "main", cache_dir: Path | None = None,
                     expected_sha256: str | None = None) -> Path | None:
    """A complete copy of the file in the user's HF cache (any snapshot), matching the hash when one is known.

    LFS blobs in that cache are named by their sha256, so the check costs nothing and reads no bytes.
    """
    root = hf_cache_dir(cache_dir)
    candidates = []
    hit = try_to_load_from_cache(repo_id, filename, cache_dir=root, revision=revision)
    if isinstance(hit, str):
        candidates.append(Path(hit))
    snapshots = root / repo_folder_name(repo_id=repo_id, repo_type="model") / "snapshots"
    if snapshots.is_dir():
        candidates += sorted(snapshots.glob(f"*/{filename}"))
    for candidate in candidates:
        if candidate.is_file() and _blob_matches(candidate, expected_sha256):
            return candidate
    return None


def _blob_matches(path: Path, expected_sha256: str | None) -> bool:
    if expected_sha256 is None:
        return True
    return path.resolve().name == expected_sha256


def _same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def _status(error: HfHubHTTPError) -> str:
    response = getattr(error, "response", None)
    return str(response.status_code) if response is not None else "with an error"


def _gated_message(repo_id: str, base: str, token: str | None) -> str:
    if token:
        return (f"{repo_id} is gated and your Hugging Face token was refused: accept the licence at "
                f"{base}/{repo_id} with the same account, or check the token in Settings.")
    return (f"{repo_id} is gated: accept its licence at {base}/{repo_id}, then add your Hugging Face "
            f"token in Settings (it is kept in the system keyring).")


def _missing_repo_message(repo_id: str, base: str, token: str | None) -> str:
    hint = "" if token else " If it is private or gated, add your Hugging Face token in Settings."
    return f"{repo_id} was not found on {base}.{hint}"
