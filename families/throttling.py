"""Lock-out for password sign-ins (the API's login and the admin's), and reset mails.

Only failed sign-ins are counted, in three ways, so that guessing is slow but a stranger
cannot keep a parent out:

* per (account, address) pair, ``login`` rate (10/hour): then that pair is refused until
  its oldest failure leaves the window. Only the guesser's own address is refused.
* per address, ``login_address`` rate (30/hour), looser: many accounts tried from one
  place (a shared household or school address has room to spare).
* per account across addresses: past the ``login`` count of failures in its window, an
  address that has **not** signed in to the account before waits 2 s after the latest
  failure, then 4, 8, … at most ``MAX_DELAY`` seconds; never a lock. An address that has
  signed in to the account (remembered ``KNOWN_FOR`` after each sign-in, signup or
  completed password reset) never waits for this, so a flood of wrong passwords from
  elsewhere does not lock the parent out from their own address.

Sessions already signed in are never affected. Counts live in the default cache
(Redis in production, a shared file cache in the embedded setup); accounts are keyed by
a hash of the lower-cased e-mail, never by the address itself.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

MAX_DELAY = 60.0  # seconds: the longest an unknown address waits after the latest failure
KNOWN_FOR = 60 * 60 * 24 * 60  # seconds an (account, address) pair stays known: 60 days

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(scope: str) -> tuple[int, int] | None:
    """``(count, seconds)`` of a DRF rate string such as ``10/hour``; None if unset."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return None
    count, period = str(rate).split("/")
    return int(count), _PERIODS[period[0]]


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()  # bounded, safe cache key


def _recent(key: str, duration: int, now: float) -> list[float]:
    """Failure times under ``key`` still inside the window, newest first."""
    return [t for t in cache.get(key, []) if t > now - duration]


def _add(key: str, duration: int, now: float) -> None:
    cache.set(key, [now, *_recent(key, duration, now)], duration)


def client_address(request: HttpRequest | Request) -> str:
    """The client's address as DRF's throttles see it (``NUM_PROXIES`` honoured)."""
    # get_ident reads only ``headers`` and ``META``, which a Django request has too.
    return BaseThrottle().get_ident(cast(Request, request)) or ""


@dataclass(frozen=True)
class LoginAttempt:
    """One password sign-in: which account (e-mail as typed) from which address."""

    email: str
    address: str

    @classmethod
    def of(cls, request: HttpRequest | Request, email: str) -> LoginAttempt:
        return cls(email=email.strip().lower(), address=client_address(request))

    @property
    def _pair_key(self) -> str:
        return f"lockout:pair:{_hash(self.email, self.address)}"

    @property
    def _address_key(self) -> str:
        return f"lockout:address:{_hash(self.address)}"

    @property
    def _account_key(self) -> str:
        return f"lockout:account:{_hash(self.email)}"

    @property
    def _known_key(self) -> str:
        return f"lockout:known:{_hash(self.email, self.address)}"

    def wait(self) -> float | None:
        """Seconds to wait before this attempt may be tried; None if it may go ahead."""
        now = time.time()
        waits: list[float] = []
        pair, per_address = _rate("login"), _rate("login_address")
        if pair:
            count, duration = pair
            history = _recent(self._pair_key, duration, now)
            if len(history) >= count:
                waits.append(history[count - 1] + duration - now)
            if not cache.get(self._known_key):
                history = _recent(self._account_key, duration, now)
                if len(history) >= count:
                    delay = min(2.0 ** (len(history) - count + 1), MAX_DELAY)
                    waits.append(history[0] + delay - now)
        if per_address:
            count, duration = per_address
            history = _recent(self._address_key, duration, now)
            if len(history) >= count:
                waits.append(history[count - 1] + duration - now)
        longest = max(waits, default=0.0)
        return longest if longest > 0 else None

    def record_failure(self) -> None:
        now = time.time()
        pair, per_address = _rate("login"), _rate("login_address")
        if pair:
            _add(self._pair_key, pair[1], now)
            _add(self._account_key, pair[1], now)
        if per_address:
            _add(self._address_key, per_address[1], now)

    def record_success(self) -> None:
        """The account signed in from this address: it is known from now on, and the
        pair's own failures are forgotten (whoever is there knows the password)."""
        cache.set(self._known_key, True, KNOWN_FOR)
        cache.delete(self._pair_key)


def allow_reset_mail(email: str) -> bool:
    """Count a password-reset request for ``email`` (whether or not it has an account)
    and say whether a mail may go out: ``password_reset_account`` rate, across addresses.
    The per-address limit is the view's ``password_reset`` throttle scope."""
    rate = _rate("password_reset_account")
    if rate is None:
        return True
    count, duration = rate
    now = time.time()
    key = f"lockout:reset:{_hash(email.strip().lower())}"
    history = _recent(key, duration, now)
    if len(history) >= count:
        return False
    _add(key, duration, now)
    return True


@dataclass(frozen=True)
class PinAttempt:
    """One try of a family's PIN (leaving the child view) by one member.

    Past the ``pin`` count of wrong PINs in its window, the member waits 2 s after the
    latest wrong one, then 4, 8, … at most ``MAX_DELAY`` seconds: a child mashing the
    digit pad cannot guess the PIN in any useful time, yet the grown-up is never locked
    out for long. The right PIN forgets the failures.
    """

    family_id: int
    user_id: int

    @property
    def _key(self) -> str:
        return f"lockout:pin:{_hash(str(self.family_id), str(self.user_id))}"

    def wait(self) -> float | None:
        """Seconds to wait before this attempt may be tried; None if it may go ahead."""
        rate = _rate("pin")
        if rate is None:
            return None
        count, duration = rate
        now = time.time()
        history = _recent(self._key, duration, now)
        if len(history) < count:
            return None
        delay = min(2.0 ** (len(history) - count + 1), MAX_DELAY)
        left = history[0] + delay - now
        return left if left > 0 else None

    def record_failure(self) -> None:
        rate = _rate("pin")
        if rate:
            _add(self._key, rate[1], time.time())

    def record_success(self) -> None:
        cache.delete(self._key)
