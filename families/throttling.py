"""Throttles for the sensitive endpoints.

Failed logins are counted twice, per account (the e-mail tried) and per client address,
so neither guessing one account's password from many places nor many accounts from one
place gets far. Successful logins are not counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class _FailureThrottle(SimpleRateThrottle):
    """Counts only recorded failures; ``allow_request`` just checks the count."""

    scope = "login"
    # Set from the rate by SimpleRateThrottle.__init__; missing from the stubs.
    num_requests: int
    duration: int

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record_failure(self, request: Request, view: Any) -> None:
        key = self.get_cache_key(request, view)
        if key is None:
            return
        now = self.timer()
        history = [t for t in self.cache.get(key, []) if t > now - self.duration]
        history.insert(0, now)
        self.cache.set(key, history, self.duration)


class FailedLoginPerAddressThrottle(_FailureThrottle):
    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": "login-ip", "ident": self.get_ident(request)}


class FailedLoginPerAccountThrottle(_FailureThrottle):
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data  # the login serializer has already checked it is an object
        email = str(data.get("email", "")).strip().lower() if isinstance(data, Mapping) else ""
        if not email:
            return None
        ident = hashlib.sha256(email.encode()).hexdigest()  # bounded, safe cache key
        return self.cache_format % {"scope": "login-account", "ident": ident}
