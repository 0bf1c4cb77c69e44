"""The user's Hugging Face token, kept only in the OS keyring (service "Octet", user "huggingface").

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


def _require_keyring() -> None:
    if not keyring_available():
        raise KeyringUnavailable(_unavailable_message("no backend"))


def _unavailable_message(reason: str) -> str:
    return ("No system keyring is available to store your Hugging Face token safely "
            f"({reason}). Octet does not write tokens to plain files: install or unlock a keyring "
            "(GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) and try again. "
            "Gated models cannot be downloaded until then; other models still can.")
