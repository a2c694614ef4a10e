"""Calendar feeds: create, list, regenerate and revoke a member's private feed URLs, and
gather what a feed shows when a calendar app fetches it.

A feed is one member's: it shows only children that member sees now (a limited member's
family feed holds only their children), and it goes with the membership. Sitters get no
feeds (403): a pass is a short window on one device, not a subscription. The token is 256
random bits, shown only when it is made (or remade); the database keeps its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import caches
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from care.handover import on_duty
from core.api import validation_error
from core.timeutils import family_local_date, family_today
from families.away import away_days
from families.models import Child, ChildAway, Membership, hash_token
from routines.models import Routine, RoutineStep

from . import ical
from .models import CalendarFeed, FeedScope

TOKEN_BYTES = 32
# Rendered feeds, per process, beside the Today boards and keyed like them by the family's
# board version, which every change to routines, steps, children and days away renews.
FEED_CACHE = "boards"
# Days away shown (and skipped in the events) this far back.
PAST_DAYS = 366


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    token: str


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def create_feed(*, membership: Membership, scope: str, child: Child | None = None) -> IssuedFeed:
    """A new feed of ``membership``; ``child`` only (and always) for a child feed."""
    if membership.is_sitter:
        raise PermissionDenied(_("A sitter can't subscribe to calendars."))
    if scope == FeedScope.CHILD and child is None:
        raise validation_error("child", _("Choose the child of this calendar."))
    if scope != FeedScope.CHILD and child is not None:
        raise validation_error("child", _("Only a calendar of one child names a child."))
    token, digest = _new_token()
    feed = CalendarFeed.objects.create(
        family=membership.family, membership=membership, scope=scope, child=child, token_hash=digest
    )
    return IssuedFeed(feed, token)


def regenerate(feed: CalendarFeed) -> IssuedFeed:
    """A new secret for ``feed``: the old URL answers 404 from now on."""
    token, digest = _new_token()
    feed.token_hash = digest
    feed.save(update_fields=["token_hash"])
    return IssuedFeed(feed, token)


def revoke(feed: CalendarFeed) -> None:
    """The feed's URL answers 404 from now on (the row stays, without its secret in use)."""
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])


def live_feed(token: str) -> CalendarFeed | None:
    """The feed of ``token`` if it is not revoked and its member may still have one."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("family", "membership__user", "child")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or feed.membership.is_sitter:
        return None
    return feed


def feed_children(feed: CalendarFeed) -> list[Child] | None:
    """The children ``feed`` shows now; None when it no longer may show anything (its
    child was hidden from the member)."""
    children = Child.objects.filter(family=feed.family_id).order_by("name", "id")
    if feed.membership.limited:
        children = children.filter(pk__in=feed.membership.children.values("pk"))
    if feed.scope == FeedScope.CHILD:
        found = [c for c in children if c.pk == feed.child_id]
        return found or None
    if feed.scope == FeedScope.DUTY:
        mine = {
            child_id
            for child_id, duties in on_duty(feed.family).items()
            if any(d.membership_id == feed.membership_id for d in duties)
        }
        return [c for c in children if c.pk in mine]
    return list(children)


def feed_name(feed: CalendarFeed, children: list[Child]) -> str:
    if feed.scope == FeedScope.CHILD and children:
        return _("%(child)s · Tandem") % {"child": children[0].name}
    if feed.scope == FeedScope.DUTY:
        return _("On duty · %(family)s · Tandem") % {"family": feed.family.name}
    return _("%(family)s · Tandem") % {"family": feed.family.name}


def feed_body(feed: CalendarFeed, children: list[Child], uid_domain: str) -> bytes:
    """The feed's .ics (a fixed number of queries, whatever the number of routines)."""
    family = feed.family
    today = family_today(family)
    ids = [c.pk for c in children]
    routines = (
        Routine.objects.filter(family=family, is_active=True, children__in=ids)
        .distinct()
        .order_by("start_time", "name", "id")
        .prefetch_related(
            Prefetch("steps", queryset=RoutineStep.objects.order_by("position")),
            Prefetch("children", queryset=Child.objects.only("id")),
        )
    )
    feed_routines = [
        ical.FeedRoutine(
            id=r.pk,
            name=r.name,
            icon=r.icon,
            days_of_week=[int(d) for d in r.days_of_week],
            start_time=r.start_time,
            reminder_offsets=[int(m) for m in r.reminder_offsets or []],
            since=family_local_date(family, r.created_at),
            updated_at=r.updated_at,
            steps=[ical.FeedStep(s.title, s.icon, s.duration_minutes) for s in r.steps.all()],
            child_ids=[c.pk for c in r.children.all() if c.pk in ids],
        )
        for r in routines
        if r.days_of_week
    ]
    first = today - timedelta(days=PAST_DAYS)
    last = today + timedelta(days=ical.HORIZON_DAYS)
    away = away_days(ids, first, last)
    stamps = dict(
        ChildAway.objects.filter(child_id__in=ids, ends_on__gte=first).values_list(
            "id", "created_at"
        )
    )
    return ical.build_calendar(
        name=feed_name(feed, children),
        zone_name=family.timezone,
        today=today,
        children=[ical.FeedChild(c.pk, c.name) for c in children],
        routines=feed_routines,
        away=away,
        away_stamps=stamps,
        uid_domain=uid_domain,
    )


def cached_body(feed: CalendarFeed, children: list[Child], uid_domain: str) -> bytes:
    """``feed_body``, built only when something it shows changed: the key holds the
    family's board version, zone, name and today, and the children shown now (duty and a
    member's children change without a new board version)."""
    family = feed.family
    # A calendar app sends no useful Accept-Language: the feed speaks its member's.
    language = feed.membership.user.language
    parts = [
        language,
        str(feed.pk),
        feed.token_hash,
        str(family.board_version),
        family.timezone,
        family.name,
        family_today(family).isoformat(),
        uid_domain,
        ",".join(str(c.pk) for c in children),
    ]
    key = "cal:" + hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()
    cache = caches[FEED_CACHE]
    body: bytes | None = cache.get(key)
    if body is None:
        with translation.override(language):
            body = feed_body(feed, children, uid_domain)
        cache.set(key, body)
    return body


@transaction.atomic
def record_version(feed: CalendarFeed, body: bytes) -> tuple[str, datetime]:
    """The ETag and Last-Modified of ``body``: when the content last changed, stored on
    the feed (a fetch that finds it changed records the new hash and now)."""
    digest = hashlib.sha256(body).hexdigest()
    if digest != feed.content_hash or feed.content_changed_at is None:
        now = timezone.now().replace(microsecond=0)
        CalendarFeed.objects.filter(pk=feed.pk).update(content_hash=digest, content_changed_at=now)
        feed.content_hash, feed.content_changed_at = digest, now
    assert feed.content_changed_at is not None
    return f'"{digest[:32]}"', feed.content_changed_at
