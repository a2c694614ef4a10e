"""The benchmark baseline: a bare Django view behind the full middleware stack.

Mounted at ``/bench/baseline`` only when ``BENCH_BASELINE=true`` (``bench/api_load.py``
sets it); never in a normal run. Like every API call of the PWA it is signed in: the
session and authentication middleware resolve the caller (the two queries every API
request pays), and it answers a JSON body of ``?bytes=N`` bytes, but it has no DRF, no
family, no query of its own and no serializer. An endpoint's throughput divided by this
one's shows what the endpoint itself costs on top of Django, its middleware and a session.
"""

from __future__ import annotations

import functools
import json

from django.http import HttpRequest, HttpResponse

MAX_BYTES = 1_000_000


@functools.lru_cache(maxsize=16)
def _body(size: int) -> bytes:
    """A JSON document of exactly ``size`` bytes (at least the empty envelope)."""
    envelope = json.dumps({"padding": ""}).encode()
    return json.dumps({"padding": "x" * max(size - len(envelope), 0)}).encode()


def baseline(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(b'{"detail": "Sign in first."}', status=403)
    try:
        size = min(int(request.GET.get("bytes", "1024")), MAX_BYTES)
    except ValueError:
        size = 1024
    return HttpResponse(_body(size), content_type="application/json")
