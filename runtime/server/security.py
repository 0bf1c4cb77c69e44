"""Who may talk to the server: the Host header against an allowlist (no DNS rebinding from a web page),
no cross-origin browser requests unless an origin is configured (then CORS for it), the API key as
`Authorization: Bearer KEY` compared in constant time, and no address beyond loopback without a key.
"""
import hmac
import ipaddress
import os
import socket

import psutil

from ..errors import OctetError
from .errors import ApiError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "")
API_KEY_ENV = "OCTET_API_KEY"


def api_key(given: str | None) -> str | None:
    """The key from --api-key, else $OCTET_API_KEY (which other users cannot read in `ps`), else None."""
    return given or os.environ.get(API_KEY_ENV) or None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, api_key: str | None) -> None:
    """Refuse (OctetError, one line) to listen beyond loopback without an API key."""
    if not is_loopback(host) and not api_key:
        raise OctetError(f"--host {host or '0.0.0.0'} would let other computers use the model: "
                         "give an --api-key (or OCTET_API_KEY) as well, or keep the default 127.0.0.1")


def host_name(address: str) -> str:
    """An address as it appears in a Host header: IPv6 in brackets."""
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def allowed_hosts(bound: str, port: int, extra=()) -> set[str]:
    """Host header values to accept: the loopback names, the bound address, `extra`, and, bound to every
    interface, this machine's name and addresses; each alone or with `:port`, lowercase."""
    names = {*LOOPBACK_NAMES, *(name.lower() for name in extra)}
    if bound in WILDCARDS:
        names.add(socket.gethostname().lower())
        names.update(host_name(a.address.split("%")[0]) for addresses in psutil.net_if_addrs().values()
                     for a in addresses if a.family in (socket.AF_INET, socket.AF_INET6))
    else:
        names.add(host_name(bound.lower()))
    return names | {f"{name}:{port}" for name in names}


class Guard:
    """Checks each request's headers; `check` raises the ApiError to answer with."""

    def __init__(self, hosts: set[str], api_key: str | None = None, cors_origins=()):
        self.hosts = hosts
        self.api_key = api_key
        self.cors_origins = set(cors_origins)

    def check(self, headers, *, preflight: bool = False) -> None:
        host = (headers.get("Host") or "").strip().lower()
        if host not in self.hosts:
            raise ApiError(403, f"Host {host!r} is not allowed (only this computer's names are, against DNS "
                                "rebinding); start the server with --allow-host NAME to add one",
                           code="host_not_allowed")
        origin = headers.get("Origin")
        if origin is not None and origin not in self.cors_origins:
            raise ApiError(403, f"requests from web pages ({origin}) are not allowed; start the server with "
                                "--cors-origin ORIGIN to allow one", code="origin_not_allowed")
        if self.api_key and not preflight and not self.key_matches(headers.get("Authorization") or ""):
            raise ApiError(401, "Incorrect API key provided: send it as 'Authorization: Bearer KEY'",
                           code="invalid_api_key")

    def key_matches(self, authorization: str) -> bool:
        """`Bearer KEY` (the scheme in any case, as HTTP has it), KEY compared in constant time."""
        scheme, _, token = authorization.strip().partition(" ")
        same = hmac.compare_digest(token.strip().encode("utf-8", "replace"), self.api_key.encode())
        return scheme.lower() == "bearer" and same

    def cors_headers(self, headers) -> dict:
        """The CORS headers for an allowed Origin (none without one)."""
        origin = headers.get("Origin")
        if origin is None or origin not in self.cors_origins:
            return {}
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "600"}
