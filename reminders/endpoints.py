"""Validation of browser push subscriptions before the server ever calls them.

A subscription's endpoint is a URL a user hands us and the worker later POSTs to, so it
must never make the server call an arbitrary address (SSRF): only ``https`` URLs on a
host from ``WEBPUSH_ALLOWED_HOSTS`` (fnmatch-style patterns such as ``*.push.apple.com``),
with no credentials and no explicit port unless the matching pattern names one
(``127.0.0.1:8443`` for a test push service). The keys must be what a browser generates:
an uncompressed P-256 point (65 bytes) and a 16-byte auth secret, base64url.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

MAX_ENDPOINT_LENGTH = 2048
_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class InvalidSubscription(ValueError):
    """A subscription field is unacceptable; ``str(error)`` says why, for the user."""


def b64url_decode(value: str) -> bytes:
    """Decode base64url with or without padding; :class:`InvalidSubscription` if malformed."""
    if not isinstance(value, str) or not _B64URL_RE.match(value):
        raise InvalidSubscription("Must be base64url encoded.")
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidSubscription("Must be base64url encoded.") from exc


def _host_matches(host: str, port: int | None, patterns: Iterable[str]) -> bool:
    for raw in patterns:
        pattern = raw.strip().lower()
        if not pattern:
            continue
        if ":" in pattern:
            # A pattern with a port allows exactly that host and port (tests, self-hosted).
            pattern_host, _, pattern_port = pattern.rpartition(":")
            if port is None:
                continue
            if fnmatch.fnmatchcase(host, pattern_host) and fnmatch.fnmatchcase(
                str(port), pattern_port
            ):
                return True
        elif port in (None, 443) and fnmatch.fnmatchcase(host, pattern):
            return True
    return False


def validate_endpoint(endpoint: str, allowed_hosts: Iterable[str]) -> str:
    """Return ``endpoint`` if the server may POST to it; raise :class:`InvalidSubscription`."""
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidSubscription("A push endpoint URL is required.")
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise InvalidSubscription(f"Must be at most {MAX_ENDPOINT_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 0x21 or ord(ch) > 0x7E for ch in endpoint):
        raise InvalidSubscription("Must be a plain URL without spaces or control characters.")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError as exc:
        raise InvalidSubscription("Not a valid URL.") from exc
    if parts.scheme != "https":
        raise InvalidSubscription("Push endpoints must use https.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidSubscription("Push endpoints must not contain credentials.")
    host = (parts.hostname or "").lower()
    if not host or not _HOST_RE.match(host):
        raise InvalidSubscription("Push endpoints need a valid host name.")
    if parts.fragment:
        raise InvalidSubscription("Push endpoints must not have a fragment.")
    if not _host_matches(host, port, allowed_hosts):
        shown = f"{host}:{port}" if port is not None else host
        raise InvalidSubscription(f"{shown} is not a known push service.")
    return endpoint


def validate_p256dh(value: str) -> str:
    """The subscription's public key: a valid uncompressed P-256 point, base64url."""
    raw = b64url_decode(value)
    if len(raw) != 65 or raw[0] != 0x04:
        raise InvalidSubscription("Must be a 65-byte uncompressed P-256 public key.")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise InvalidSubscription("Is not a point on the P-256 curve.") from exc
    return value.rstrip("=")


def validate_auth(value: str) -> str:
    """The subscription's auth secret: 16 bytes, base64url."""
    if len(b64url_decode(value)) != 16:
        raise InvalidSubscription("Must be a 16-byte auth secret.")
    return value.rstrip("=")
