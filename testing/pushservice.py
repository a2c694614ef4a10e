"""A local Web Push service for tests: real crypto, no mocks.

The test plays both the browser and the push service (docs/architecture.md, "Testing against
real parts"):

* :class:`BrowserKeys` is what a browser's ``PushManager.subscribe()`` creates:
  a P-256 key pair and a 16-byte auth secret.
* :class:`PushService` is an HTTPS server on ``127.0.0.1`` that behaves like a
  push service endpoint (RFC 8030): it checks the VAPID ``Authorization``
  header (RFC 8292), ``TTL``, ``Content-Encoding: aes128gcm``, decrypts the body
  (RFC 8291) with the device's private key and records what arrived.

Typical use::

    with PushService() as push:
        sub = push.register_device("phone")          # give this to the app
        ...                                          # app sends with pywebpush
        [msg] = push.wait_for(1, timeout=5)
        assert msg.payload["title"] == "Bedtime"
        assert push.errors == []

The sending process must trust ``push.cert_path``. Beware: ``requests`` lets the
``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` environment variables override
``Session.verify`` (only a per-request ``verify=`` wins), and this machine sets
``REQUESTS_CA_BUNDLE``. So either use :meth:`PushService.session` (a session with
``trust_env=False`` and ``verify=cert_path``), or point the environment at
:attr:`PushService.ca_bundle_path` (system CAs + this certificate), e.g.
``monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(push.ca_bundle_path))``.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import re
import shutil
import ssl
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from py_vapid import jwt as vapid_jwt

__all__ = [
    "BrowserKeys",
    "PushAttempt",
    "PushError",
    "PushMessage",
    "PushService",
    "b64url",
    "b64url_decode",
    "make_tls_cert",
]

MAX_VAPID_LIFETIME = dt.timedelta(hours=24)
MAX_BODY = 4096  # RFC 8030 §7.2: push services must accept at least 4096 bytes
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_URGENCIES = {"very-low", "low", "normal", "high"}
_PATH_RE = re.compile(r"^/push/([A-Za-z0-9._~-]+)$")


def b64url(data: bytes) -> str:
    """Base64url without padding (as browsers hand out subscription keys)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(data: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


# --------------------------------------------------------------------------
# Browser side
# --------------------------------------------------------------------------


@dataclass
class BrowserKeys:
    """The keys a browser generates for one push subscription."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @classmethod
    def generate(cls) -> BrowserKeys:
        return cls()

    @property
    def p256dh(self) -> str:
        """Uncompressed public point, base64url (65 bytes decoded)."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_info(self, endpoint: str) -> dict[str, Any]:
        """The JSON a browser's ``PushSubscription.toJSON()`` would give (minus expirationTime)."""
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def decrypt(self, body: bytes) -> bytes:
        """Decrypt an ``aes128gcm`` push message body addressed to this subscription."""
        return http_ece.decrypt(
            body,
            private_key=self.private_key,
            auth_secret=self.auth_secret,
            version="aes128gcm",
        )


# --------------------------------------------------------------------------
# TLS
# --------------------------------------------------------------------------


def make_tls_cert(tmpdir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write a throw-away self-signed certificate for 127.0.0.1 / localhost.

    Returns ``(cert_path, key_path)`` (PEM). The certificate is its own trust
    anchor: pass ``cert_path`` as ``verify=`` / ``REQUESTS_CA_BUNDLE``.
    """
    directory = Path(tmpdir)
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "push-cert.pem"
    key_path = directory / "push-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _write_ca_bundle(path: Path, cert_path: Path) -> Path:
    """Write the system CA bundle followed by ``cert_path`` to ``path``."""
    system = b""
    candidates = [os.environ.get("REQUESTS_CA_BUNDLE"), os.environ.get("SSL_CERT_FILE")]
    candidates.append(ssl.get_default_verify_paths().cafile)
    try:
        import certifi

        candidates.append(certifi.where())
    except ImportError:  # pragma: no cover
        pass
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            system = Path(candidate).read_bytes()
            break
    if system and not system.endswith(b"\n"):
        system += b"\n"
    path.write_bytes(system + cert_path.read_bytes())
    return path


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PushMessage:
    """A push message accepted (201) and successfully decrypted."""

    device_id: str
    payload: Any  # parsed JSON, or the decoded text if the body is not JSON
    plaintext: bytes
    headers: dict[str, str]
    ttl: int
    urgency: str | None
    topic: str | None
    vapid_claims: dict[str, Any]
    vapid_public_key: str
    received_at: dt.datetime


@dataclass(frozen=True)
class PushError:
    """A request the service rejected as malformed (answered 4xx)."""

    device_id: str | None
    status: int
    reason: str
    headers: dict[str, str]
    received_at: dt.datetime


@dataclass(frozen=True)
class PushAttempt:
    """Every request, whatever the outcome."""

    device_id: str | None
    status: int
    received_at: dt.datetime


@dataclass(frozen=True)
class _Scripted:
    status: int
    headers: dict[str, str]


class _Reject(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# --------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------


class PushService:
    """A local HTTPS push service. See the module docstring.

    Devices: :meth:`register_device` returns the subscription info for
    ``https://127.0.0.1:<port>/push/<device_id>``. Requests for unknown devices get
    404; :meth:`expire` makes a device answer 410 from then on.

    Scripting: ``script(device_id, [500, (429, {"Retry-After": "2"}), 201])``
    answers the next requests for that device with those statuses in order
    (after the request has been fully verified and decrypted); once the script
    is used up requests are accepted (201). A request is recorded in
    :attr:`messages` only when it is answered 201.

    Invalid requests (bad/missing VAPID, expired or too-long-lived JWT, wrong
    ``aud``, missing ``TTL``, wrong ``Content-Encoding``, undecryptable body,
    bad ``Topic``/``Urgency``, body over 4096 bytes) are answered 400 (413 for
    size) and recorded in :attr:`errors` — assert ``push.errors == []``.

    ``require_vapid_key`` (base64url public key), if set, additionally requires
    the ``k=`` of the Authorization header to be exactly that key (403 otherwise).

    ``latency_ms`` makes every answer wait that long (as a real push service's 50–200 ms
    round trip would; requests on other connections are answered meanwhile), and
    :meth:`throttle` answers every request ``429`` with ``Retry-After`` for a while, as
    a push service slowing a sender down does.
    """

    def __init__(
        self,
        *,
        tmpdir: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        require_vapid_key: str | None = None,
        latency_ms: float = 0.0,
    ) -> None:
        self._own_tmpdir = tmpdir is None
        self._tmpdir = Path(tmpdir) if tmpdir is not None else Path(tempfile.mkdtemp("-push"))
        self.host = host
        self._requested_port = port
        self.require_vapid_key = require_vapid_key
        self.latency = latency_ms / 1000.0
        self._throttled_until = 0.0  # time.monotonic()
        self._throttle_retry_after = 0
        self.cert_path, self.key_path = make_tls_cert(self._tmpdir)
        self.ca_bundle_path = _write_ca_bundle(self._tmpdir / "ca-bundle.pem", self.cert_path)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._devices: dict[str, BrowserKeys] = {}
        self._expired: set[str] = set()
        self._scripts: dict[str, deque[_Scripted]] = {}
        self._messages: list[PushMessage] = []
        self._errors: list[PushError] = []
        self._attempts: list[PushAttempt] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> PushService:
        if self._server is not None:
            return self
        handler = _make_handler(self)
        server = _QuietServer((self.host, self._requested_port), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        # Handshake lazily in the per-connection thread, not in accept().
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"PushService:{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._own_tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> PushService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("PushService is not started")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """``https://127.0.0.1:<port>`` — the VAPID ``aud`` senders must use."""
        return f"https://{self.host}:{self.port}"

    def session(self) -> requests.Session:
        """A ``requests`` session that trusts this service (ignores *_CA_BUNDLE env vars)."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.cert_path)
        return session

    # -- devices and scripting ---------------------------------------------

    def endpoint(self, device_id: str) -> str:
        return f"{self.origin}/push/{device_id}"

    def register_device(self, device_id: str, keys: BrowserKeys | None = None) -> dict[str, Any]:
        """Create (or replace) a device; return its subscription info for the app."""
        if not _PATH_RE.match(f"/push/{device_id}"):
            raise ValueError(f"device_id must be URL-safe: {device_id!r}")
        keys = keys or BrowserKeys()
        with self._lock:
            self._devices[device_id] = keys
            self._expired.discard(device_id)
        return keys.subscription_info(self.endpoint(device_id))

    def device_keys(self, device_id: str) -> BrowserKeys:
        with self._lock:
            return self._devices[device_id]

    def expire(self, device_id: str) -> None:
        """Make the device's subscription gone: every further request gets 410."""
        with self._lock:
            self._expired.add(device_id)

    def script(
        self,
        device_id: str,
        responses: Iterable[int | tuple[int, Mapping[str, str]]],
    ) -> None:
        """Queue responses for the next requests to ``device_id`` (appends to any queue).

        Each item is a status (``500``) or ``(status, headers)`` such as
        ``(429, {"Retry-After": "30"})``. ``201`` in a script means "accept".
        """
        items = [
            _Scripted(r, {}) if isinstance(r, int) else _Scripted(int(r[0]), dict(r[1]))
            for r in responses
        ]
        with self._lock:
            self._scripts.setdefault(device_id, deque()).extend(items)

    def throttle(self, seconds: float, retry_after: int | None = None) -> None:
        """Answer every request ``429`` with ``Retry-After`` for the next ``seconds``
        (after checking it as usual); ``retry_after`` defaults to ``seconds``, rounded up."""
        with self._lock:
            self._throttled_until = time.monotonic() + seconds
            self._throttle_retry_after = (
                retry_after if retry_after is not None else max(1, int(seconds + 0.999))
            )

    # -- results -------------------------------------------------------------

    @property
    def messages(self) -> list[PushMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def errors(self) -> list[PushError]:
        with self._lock:
            return list(self._errors)

    @property
    def attempts(self) -> list[PushAttempt]:
        with self._lock:
            return list(self._attempts)

    def messages_for(self, device_id: str) -> list[PushMessage]:
        return [m for m in self.messages if m.device_id == device_id]

    def reset(self) -> None:
        """Forget recorded messages, errors, attempts and pending scripts (keeps devices)."""
        with self._lock:
            self._messages.clear()
            self._errors.clear()
            self._attempts.clear()
            self._scripts.clear()

    def wait_for(
        self, count: int, timeout: float = 5.0, *, device_id: str | None = None
    ) -> list[PushMessage]:
        """Block until at least ``count`` messages (optionally for one device) were accepted.

        Returns those messages; raises ``TimeoutError`` (listing what did arrive,
        and any errors) if they do not arrive in time.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self._messages if device_id is None or m.device_id == device_id]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} push message(s), got {len(found)}; "
                        f"errors={self._errors!r}; attempts={self._attempts!r}"
                    )
                self._changed.wait(remaining)

    # -- request handling (called from server threads) -----------------------

    def _handle(
        self, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str]]:
        now = dt.datetime.now(dt.UTC)
        match = _PATH_RE.match(path)
        device_id = match.group(1) if match else None
        hdrs = {k: v for k, v in headers.items()}
        try:
            with self._lock:
                keys = self._devices.get(device_id) if device_id else None
                expired = device_id in self._expired
            if keys is None:
                return self._finish(device_id, 404, now)
            if expired:
                return self._finish(device_id, 410, now)
            claims, vapid_key = self._check_vapid(headers, now)
            ttl = self._check_headers(headers, body)
            try:
                plaintext = keys.decrypt(body)
            except Exception as exc:
                raise _Reject(400, f"cannot decrypt body: {exc!r}") from exc
        except _Reject as rej:
            with self._changed:
                self._errors.append(PushError(device_id, rej.status, rej.reason, hdrs, now))
                self._attempts.append(PushAttempt(device_id, rej.status, now))
                self._changed.notify_all()
            return rej.status, {}

        with self._changed:
            queue = self._scripts.get(device_id)
            scripted = queue.popleft() if queue else None
            if scripted is None and time.monotonic() < self._throttled_until:
                scripted = _Scripted(429, {"Retry-After": str(self._throttle_retry_after)})
            status = scripted.status if scripted else 201
            extra = dict(scripted.headers) if scripted else {}
            self._attempts.append(PushAttempt(device_id, status, now))
            if status == 201:
                self._counter += 1
                extra.setdefault("Location", f"{self.origin}/message/{self._counter}")
                try:
                    payload: Any = json.loads(plaintext)
                except ValueError:
                    payload = plaintext.decode("utf-8", "replace")
                lower = {k.lower(): v for k, v in headers.items()}
                self._messages.append(
                    PushMessage(
                        device_id=device_id,
                        payload=payload,
                        plaintext=plaintext,
                        headers=hdrs,
                        ttl=ttl,
                        urgency=lower.get("urgency"),
                        topic=lower.get("topic"),
                        vapid_claims=claims,
                        vapid_public_key=vapid_key,
                        received_at=now,
                    )
                )
            self._changed.notify_all()
        return status, extra

    def _finish(
        self, device_id: str | None, status: int, now: dt.datetime
    ) -> tuple[int, dict[str, str]]:
        with self._changed:
            self._attempts.append(PushAttempt(device_id, status, now))
            self._changed.notify_all()
        return status, {}

    def _check_vapid(
        self, headers: Mapping[str, str], now: dt.datetime
    ) -> tuple[dict[str, Any], str]:
        token, public_key = self._vapid_credentials(headers)
        claims = self._decode_vapid_jwt(token, public_key)
        self._check_vapid_claims(claims, now)
        if self.require_vapid_key is not None and public_key != self.require_vapid_key:
            raise _Reject(403, "VAPID key does not match the application server key")
        return claims, public_key

    @staticmethod
    def _vapid_credentials(headers: Mapping[str, str]) -> tuple[str, str]:
        """The JWT (t=) and the public key (k=) of an ``Authorization: vapid`` header."""
        auth = headers.get("Authorization")
        if not auth:
            raise _Reject(400, "missing Authorization header")
        scheme, _, params = auth.strip().partition(" ")
        if scheme.lower() != "vapid":
            raise _Reject(400, f"Authorization scheme must be 'vapid', got {scheme!r}")
        parts: dict[str, str] = {}
        for item in params.split(","):
            key, sep, value = item.strip().partition("=")
            if sep:
                parts[key.strip().lower()] = value.strip()
        token, public_key = parts.get("t"), parts.get("k")
        if not token or not public_key:
            raise _Reject(400, "Authorization must carry t=<jwt> and k=<key>")
        return token, public_key

    @staticmethod
    def _decode_vapid_jwt(token: str, public_key: str) -> dict[str, Any]:
        """The claims of an ES256 JWT whose signature verifies with ``public_key``."""
        try:
            header = json.loads(b64url_decode(token.split(".")[0]))
        except ValueError as exc:
            raise _Reject(400, f"malformed JWT header: {exc!r}") from exc
        if header.get("alg") != "ES256":
            raise _Reject(400, f"JWT alg must be ES256, got {header.get('alg')!r}")
        try:
            claims = vapid_jwt.decode(token, public_key)
        except InvalidSignature as exc:
            raise _Reject(400, "VAPID JWT signature does not verify") from exc
        except Exception as exc:
            raise _Reject(400, f"malformed VAPID JWT: {exc!r}") from exc
        if not isinstance(claims, dict):
            raise _Reject(400, "VAPID claims are not an object")
        return claims

    def _check_vapid_claims(self, claims: dict[str, Any], now: dt.datetime) -> None:
        """aud is this service's origin, exp is within 24 hours, sub (if any) is a URI."""
        if claims.get("aud") != self.origin:
            raise _Reject(400, f"VAPID aud {claims.get('aud')!r} != {self.origin!r}")
        exp = claims.get("exp")
        if not isinstance(exp, int):
            raise _Reject(400, f"VAPID exp missing or not an integer: {exp!r}")
        exp_at = dt.datetime.fromtimestamp(exp, dt.UTC)
        if exp_at <= now:
            raise _Reject(400, "VAPID JWT expired")
        if exp_at - now > MAX_VAPID_LIFETIME:
            raise _Reject(400, "VAPID exp is more than 24 hours in the future")
        sub = claims.get("sub")
        if sub is not None and not (
            isinstance(sub, str) and (sub.startswith("mailto:") or sub.startswith("https:"))
        ):
            raise _Reject(400, f"VAPID sub must be a mailto: or https: URI, got {sub!r}")

    @staticmethod
    def _check_headers(headers: Mapping[str, str], body: bytes) -> int:
        ttl_raw = headers.get("TTL")
        if ttl_raw is None:
            raise _Reject(400, "missing TTL header")
        if not ttl_raw.strip().isdigit():
            raise _Reject(400, f"TTL must be a non-negative integer, got {ttl_raw!r}")
        encoding = (headers.get("Content-Encoding") or "").strip().lower()
        if encoding != "aes128gcm":
            raise _Reject(400, f"Content-Encoding must be aes128gcm, got {encoding!r}")
        urgency = headers.get("Urgency")
        if urgency is not None and urgency.strip().lower() not in _URGENCIES:
            raise _Reject(400, f"invalid Urgency {urgency!r}")
        topic = headers.get("Topic")
        if topic is not None and not _TOPIC_RE.match(topic):
            raise _Reject(400, f"invalid Topic {topic!r} (<=32 base64url characters)")
        if not body:
            raise _Reject(400, "empty body")
        if len(body) > MAX_BODY:
            raise _Reject(413, f"body of {len(body)} bytes exceeds {MAX_BODY}")
        return int(ttl_raw)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # A sender opening its whole pool of connections at once must not have them dropped
    # (socketserver's default backlog is 5, and a dropped SYN costs a second).
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        # TLS failures (e.g. a client that does not trust us) and dropped
        # connections are expected in tests; anything else is printed.
        exc = sys.exc_info()[1]
        if isinstance(exc, ssl.SSLError | ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


def _make_handler(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "TandemTestPush/1.0"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, extra = service._handle(self.path, self.headers, body)
            if service.latency:
                time.sleep(service.latency)  # the push service's round trip
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep test output quiet

    return Handler
