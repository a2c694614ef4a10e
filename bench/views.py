"""The benchmark baselines: bare Django views behind the full middleware stack.

:func:`bare` is the second baseline: the same middleware, no session, no user, no database
(the session and authentication middleware are lazy, so a view that never reads
``request.user`` pays neither). :func:`baseline` adds the signed-in caller.

Mounted under ``/bench/`` only by the benchmark's own settings and URLconf
(``bench.settings``, ``bench.urls``), which ``bench/api_load.py`` runs; never in the
product. Like every API call of the PWA it is signed in: the session and authentication
middleware resolve the caller (the two queries every API request pays), and it answers a
JSON body of ``?bytes=N`` bytes, but it has no DRF, no family, no query of its own and no
serializer. An endpoint's throughput divided by this one's shows what the endpoint itself
costs on top of Django, its middleware and a session.
"""

from __future__ import annotations

import functools
import json
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from checkins.models import CheckIn
from families.models import Membership

MAX_BYTES = 1_000_000


@functools.lru_cache(maxsize=16)
def _body(size: int) -> bytes:
    """A JSON document of exactly ``size`` bytes (at least the empty envelope)."""
    envelope = json.dumps({"padding": ""}).encode()
    return json.dumps({"padding": "x" * max(size - len(envelope), 0)}).encode()


def _size(request: HttpRequest) -> int:
    try:
        return min(int(request.GET.get("bytes", "1024")), MAX_BYTES)
    except ValueError:
        return 1024


def bare(request: HttpRequest) -> HttpResponse:
    """The JSON body of ``?bytes=N`` bytes, reading neither the session nor the database."""
    return HttpResponse(_body(_size(request)), content_type="application/json")


def baseline(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(b'{"detail": "Sign in first."}', status=403)
    return HttpResponse(_body(_size(request)), content_type="application/json")


@require_POST
def write_floor(request: HttpRequest, family_id: int) -> HttpResponse:
    """The least any correct check-in create has to do, as a bare Django view.

    The caller's membership of the family (one query), then one check-in row written by
    one ``INSERT`` in autocommit (its own transaction, without ``BEGIN``/``COMMIT`` round
    trips), and a one-field answer: no DRF, no validation of the body, no check that the
    child is the family's, no follow-up reminder. What ``POST …/checkins/`` costs over
    this is the price of doing those properly; what this costs over :func:`baseline` is
    the price of any durable write.
    """
    if not request.user.is_authenticated:
        return HttpResponse(b'{"detail": "Sign in first."}', status=403)
    membership = Membership.objects.filter(user_id=request.user.pk, family_id=family_id)
    if not membership.exists():
        return HttpResponse(b'{"detail": "No such family."}', status=404)
    try:
        body = json.loads(request.body)
        checkin = CheckIn(
            id=uuid.UUID(body["id"]),
            family_id=family_id,
            child_id=int(body["child"]),
            emotion=str(body["emotion"]),
            intensity=int(body["intensity"]),
            body_areas=list(body.get("body_areas", [])),
            occurred_at=timezone.now(),
            created_by_id=request.user.pk,
        )
    except (ValueError, KeyError, TypeError):
        return HttpResponse(
            b'{"detail": "Give a check-in as POST /checkins/ takes it."}', status=400
        )
    checkin.save(force_insert=True)  # one statement: autocommit is its transaction
    return JsonResponse({"id": str(checkin.id)}, status=201)
