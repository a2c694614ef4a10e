"""The server's VAPID identity (RFC 8292): from the environment, or generated once.

``VAPID_PRIVATE_KEY`` (base64url raw 32-byte key, base64url DER, or PEM) wins. Without
it — the embedded default — a key pair is generated on first use into
``DATA_DIR/vapid_private.pem`` and reused by every process sharing that folder (web and
worker must sign with the key whose public half the browsers subscribed with). Loaded
lazily, so importing settings never touches the disk or the key.
"""

from __future__ import annotations

import base64
import functools
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02

logger = logging.getLogger(__name__)

KEY_FILE_NAME = "vapid_private.pem"


@dataclass(frozen=True)
class VapidIdentity:
    """The signing key and what browsers need (``applicationServerKey``)."""

    key: Vapid02
    public_key: str  # base64url uncompressed P-256 point, no padding
    subject: str


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_key_of(key: Vapid02) -> str:
    """The base64url uncompressed public point of ``key``."""
    raw = key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(raw)


def _from_environment(private: str) -> Vapid02:
    try:
        if "-----BEGIN" in private:
            pem = private.replace("\\n", "\n").encode()
            loaded = serialization.load_pem_private_key(pem, password=None)
            return Vapid02(loaded)
        return Vapid02.from_string(private.strip())
    except Exception as exc:
        raise ImproperlyConfigured(
            "VAPID_PRIVATE_KEY is not a valid P-256 private key (base64url raw or DER, or PEM)."
        ) from exc


def _from_data_dir(directory: Path) -> Vapid02:
    """Read the key file, creating it first if missing (safe against a racing process)."""
    path = directory / KEY_FILE_NAME
    if not path.exists():
        key = Vapid02()
        key.generate_keys()
        pem = key.private_pem()
        try:
            # O_EXCL: if web and worker start together, exactly one key is written.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            if settings.PRODUCTION:
                logger.warning(
                    "Generated a VAPID key pair into %s. Set VAPID_PRIVATE_KEY and "
                    "VAPID_PUBLIC_KEY so that every container signs with the same key.",
                    path,
                )
    for _ in range(50):  # the other process may still be writing it
        data = path.read_bytes()
        if data.strip().endswith(b"-----"):
            break
        time.sleep(0.02)
    return Vapid02(serialization.load_pem_private_key(data, password=None))


@functools.cache
def identity() -> VapidIdentity:
    """The VAPID key, its public half and subject (cached per process)."""
    private = settings.VAPID_PRIVATE_KEY
    key = _from_environment(private) if private else _from_data_dir(Path(settings.DATA_DIR))
    public = public_key_of(key)
    configured = settings.VAPID_PUBLIC_KEY.strip().rstrip("=")
    if private and configured and configured != public:
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY.")
    return VapidIdentity(key=key, public_key=public, subject=settings.VAPID_SUBJECT)


def generate_key_pair() -> tuple[str, str]:
    """A fresh ``(private, public)`` pair as base64url strings for the environment."""
    key = Vapid02()
    key.generate_keys()
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(raw), public_key_of(key)
