"""The user's Hugging Face token, kept only in the OS keyring (service "Octet", user "huggingface"), and the API
key of the remote server used as the engine (user "remote-server") and the key of the local API server (user
"local-server"), kept the same way.

When no keyring backend exists, saving fails with `KeyringUnavailable` and a message saying so: there is no
plain-file fallback. The token is never logged, and never part of an exception message.
"""
from __future__ import annotations

import keyring
from keyring.backends import fail
from keyring.errors import KeyringError, PasswordDeleteError

from runtime.errors import OctetError

SERVICE = "Octet"
USERNAME = "huggingface"
REMOTE_KEY_USERNAME = "remote-server"
LOCAL_SERVER_KEY_USERNAME = "local-server"  # the key clients of Settings › Local server must send


class KeyringUnavailable(OctetError):
    """No usable OS keyring: the token cannot be stored safely, so it is not stored at all."""


def keyring_available() -> bool:
    """Whether a real keyring backend is active (not keyring's "fail" placeholder)."""
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0


def save_token(token: str) -> None:
    """Store the token in the keyring, replacing any previous one."""
    token = token.strip()
    if not token:
        raise ValueError("the Hugging Face token is empty")
    _require_keyring()
    try:
        keyring.set_password(SERVICE, USERNAME, token)
    except KeyringError as error:
        raise KeyringUnavailable(_unavailable_message(type(error).__name__)) from None


def load_token() -> str | None:
    """The stored token, or None when there is none or no keyring to hold one."""
    if not keyring_available():
        return None
    try:
        return keyring.get_password(SERVICE, USERNAME)
    except KeyringError:
        return None


def forget_token() -> None:
    """Remove the stored token; nothing happens when there is none."""
    if not keyring_available():
        return
    try:
        keyring.delete_password(SERVICE, USERNAME)
    except PasswordDeleteError:
        pass


def save_remote_key(key: str) -> None:
    """Store the remote server's API key (Settings › Engine), replacing any previous one."""
    _save_key(REMOTE_KEY_USERNAME, key, "the server's API key", "use a server without a key")


def load_remote_key() -> str:
    """The remote server's API key, or "" when there is none or no keyring to hold one."""
    return _load_key(REMOTE_KEY_USERNAME)


def save_local_server_key(key: str) -> None:
    """Store the local API server's key (Settings › Local server), replacing any previous one."""
    _save_key(LOCAL_SERVER_KEY_USERNAME, key, "the API server's key", "serve to this computer only")


def load_local_server_key() -> str:
    """The local API server's key, or "" when there is none or no keyring to hold one."""
    return _load_key(LOCAL_SERVER_KEY_USERNAME)


def _save_key(username: str, key: str, what: str, otherwise: str) -> None:
    """Store an API key under `username`; KeyringUnavailable names `what` and what to do `otherwise`."""
    reason = "no backend"
    if keyring_available():
        try:
            keyring.set_password(SERVICE, username, key.strip())
            return
        except KeyringError as error:
            reason = type(error).__name__
    raise KeyringUnavailable(f"No system keyring is available to store {what} safely ({reason}). Octet does not "
                             f"write keys to plain files: install or unlock a keyring and try again, or {otherwise}.")


def _load_key(username: str) -> str:
    if not keyring_available():
        return ""
    try:
        return keyring.get_password(SERVICE, username) or ""
    except KeyringError:
        return ""


def _require_keyring() -> None:
    if not keyring_available():
        raise KeyringUnavailable(_unavailable_message("no backend"))


def _unavailable_message(reason: str) -> str:
    return ("No system keyring is available to store your Hugging Face token safely "
            f"({reason}). Octet does not write tokens to plain files: install or unlock a keyring "
            "(GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) and try again. "
            "Gated models cannot be downloaded until then; other models still can.")
