"""The Web Push transport: concurrent POSTs over keep-alive connections, per process.

A send task prepares its pushes (encrypted body, headers) and hands them to the
process's :class:`PushClient`, which posts them from one asyncio event loop running in
a background thread over one ``aiohttp`` session, so the network waits of a whole chunk
overlap instead of adding up. The task thread keeps the database work (Django's ORM is
synchronous) and receives the answers as they arrive, in small batches, to record them.

* **Bounded per host.** At most ``per_host`` requests are in flight per push-service
  host (``scheme://host:port``), per process; the connection pool keeps that many
  keep-alive connections to it.
* **Back-pressure per host.** A ``429``, or a ``503`` with ``Retry-After``, pauses that
  host for the time asked (``default_pause`` without a header): requests for it that
  have not been posted yet come back as *deferred* (``deferred_for`` seconds) without
  touching the network, while other hosts carry on. :meth:`PushClient.pause` lets the
  caller merge pauses other processes learnt.
* **No redirects** are ever followed (a redirect could point a push anywhere), and the
  caller has already checked the endpoint against the allow-list.

No Django here: the caller passes the settings in.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import ssl
import threading
import time
from collections.abc import Awaitable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlsplit

import aiohttp

T = TypeVar("T")


@dataclass(frozen=True)
class PushRequest:
    """One push to post; ``key`` comes back on its :class:`PushResult`."""

    key: int
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class PushResult:
    """What became of one request: an answer, a network error, or not sent (deferred)."""

    key: int
    host: str
    status: int | None = None  # the HTTP status when the push service answered
    retry_after: str | None = None  # its Retry-After header, as sent
    error: str = ""  # a network error, when it did not answer
    deferred_for: float | None = None  # not posted: the host asked us to wait this long


def origin_of(url: str) -> str:
    """``scheme://host[:port]``: the VAPID audience, and the unit of limits and pauses."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse ``Retry-After`` (delta seconds or an HTTP date); None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PushClient:
    """An event loop thread and an ``aiohttp`` session: see the module docstring."""

    def __init__(
        self,
        *,
        per_host: int,
        timeout: float,
        cafile: str | None = None,
        default_pause: float = 5.0,
    ) -> None:
        self.per_host = max(1, per_host)
        self.timeout = timeout
        self.cafile = cafile
        self.default_pause = default_pause
        self._pauses: dict[str, float] = {}  # origin -> wall-clock end of its pause
        self._pauses_lock = threading.Lock()
        self._semaphores: dict[str, asyncio.Semaphore] = {}  # touched in the loop only
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="push-client", daemon=True
        )
        self._thread.start()
        self._session: aiohttp.ClientSession = self._run(self._open())

    def _run(self, coroutine: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()  # type: ignore[arg-type]

    async def _open(self) -> aiohttp.ClientSession:
        context = ssl.create_default_context(cafile=self.cafile)
        connector = aiohttp.TCPConnector(
            limit=0,  # bounded per host instead
            limit_per_host=self.per_host,
            ssl=context,
            keepalive_timeout=60,
            ttl_dns_cache=300,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            trust_env=True,  # HTTPS_PROXY / NO_PROXY, as requests honoured them
            auto_decompress=False,
        )

    def close(self) -> None:
        """Close the connections and stop the loop thread."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._session.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()

    # -- pauses --------------------------------------------------------------------------

    def pause(self, origin: str, until: float) -> None:
        """Send nothing more to ``origin`` before ``until`` (wall-clock seconds)."""
        with self._pauses_lock:
            if until > self._pauses.get(origin, 0.0):
                self._pauses[origin] = until

    def paused_for(self, origin: str) -> float:
        """Seconds ``origin`` is still paused for (0 when it is not)."""
        with self._pauses_lock:
            until = self._pauses.get(origin, 0.0)
        return max(0.0, until - time.time())

    def pauses(self) -> dict[str, float]:
        """Origins paused now, with the wall-clock end of their pause."""
        now = time.time()
        with self._pauses_lock:
            return {o: until for o, until in self._pauses.items() if until > now}

    # -- sending -------------------------------------------------------------------------

    def results(
        self, requests: Iterable[PushRequest], *, every: float = 0.05
    ) -> Iterator[list[PushResult]]:
        """Post every request concurrently; yield the results in batches as they arrive
        (whatever completed, at most every ``every`` seconds while others are in flight)."""
        futures: set[Future[PushResult]] = set()
        for request in requests:
            futures.add(asyncio.run_coroutine_threadsafe(self._post(request), self._loop))
        while futures:
            done, futures = wait(futures, timeout=every, return_when=FIRST_COMPLETED)
            if futures and done:
                # Collect what else finishes within the interval, then hand over a batch.
                more, futures = wait(futures, timeout=every)
                done |= more
            if done:
                yield [f.result() for f in done]

    def send(self, requests: Iterable[PushRequest]) -> list[PushResult]:
        """Post every request concurrently and return all results."""
        return [result for batch in self.results(requests) for result in batch]

    async def _post(self, request: PushRequest) -> PushResult:
        origin = origin_of(request.url)
        semaphore = self._semaphores.get(origin)
        if semaphore is None:
            semaphore = self._semaphores[origin] = asyncio.Semaphore(self.per_host)
        if wait_for := self.paused_for(origin):
            return PushResult(request.key, origin, deferred_for=wait_for)
        async with semaphore:
            # The host may have asked us to wait while this request queued for a slot.
            if wait_for := self.paused_for(origin):
                return PushResult(request.key, origin, deferred_for=wait_for)
            try:
                async with self._session.post(
                    request.url,
                    data=request.body,
                    headers=request.headers,
                    allow_redirects=False,
                ) as response:
                    await response.read()  # drained, so the connection is reused
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                return PushResult(request.key, origin, error=f"{type(exc).__name__}: {exc}")
        if status == 429 or (status == 503 and retry_after):
            seconds = retry_after_seconds(retry_after)
            self.pause(
                origin, time.time() + (seconds if seconds is not None else self.default_pause)
            )
        return PushResult(request.key, origin, status=status, retry_after=retry_after)


_client: PushClient | None = None
_client_key: tuple[int, int, float, str | None, float] | None = None
_client_lock = threading.Lock()
_atexit_registered = False


def client(
    *, per_host: int, timeout: float, cafile: str | None, default_pause: float
) -> PushClient:
    """The process's client (a forked child, or changed settings, make a new one)."""
    global _client, _client_key, _atexit_registered
    key = (os.getpid(), per_host, timeout, cafile, default_pause)
    with _client_lock:
        if _client is None or _client_key != key:
            if _client is not None and _client_key is not None and _client_key[0] == key[0]:
                _client.close()  # same process, other settings (tests)
            _client = PushClient(
                per_host=per_host, timeout=timeout, cafile=cafile, default_pause=default_pause
            )
            _client_key = key
            if not _atexit_registered:
                atexit.register(reset)  # close the connections cleanly at exit
                _atexit_registered = True
        return _client


def reset() -> None:
    """Close this process's client (tests: a new push service, a new certificate)."""
    global _client, _client_key
    with _client_lock:
        if _client is not None and _client_key is not None and _client_key[0] == os.getpid():
            _client.close()
        _client, _client_key = None, None
