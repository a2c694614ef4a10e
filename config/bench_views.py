"""The benchmark baseline: a bare Django view behind the full middleware stack.

Mounted at ``/bench/baseline`` only when ``BENCH_BASELINE=true`` (``bench/api_load.py``
sets it); never in a normal run. It answers a JSON body of ``?bytes=N`` bytes without
touching the database, the session or DRF, so an endpoint's throughput divided by this
one's shows what the endpoint itself costs on top of Django and its middleware.
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
    try:
        size = min(int(request.GET.get("bytes", "1024")), MAX_BYTES)
    except ValueError:
        size = 1024
    return HttpResponse(_body(size), content_type="application/json")
