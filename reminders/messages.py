"""What a notification says: ``{title, body, url, tag, topic}`` for each kind of reminder.

``tag`` is per routine occurrence (or check-in), so a device shows one notification for
it; ``topic`` (the Web Push ``Topic`` header, at most 32 base64url characters) is derived
from the same key so that a push service collapses undelivered repeats.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.languages import DEFAULT as DEFAULT_LANGUAGE


def topic_for(key: str) -> str:
    """A stable 24-character base64url ``Topic`` for ``key`` (RFC 8030 allows 32)."""
    digest = hashlib.sha256(key.encode()).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def join_names(names: Sequence[str]) -> str:
    """``Sam``, ``Sam and Lea``, ``Sam, Lea and Max``."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def in_words(minutes: int) -> str:
    """How far ahead a routine starts: ``now``, ``in 10 minutes``, ``in 1 h 30 min``."""
    if minutes == 0:
        return _("now")
    ahead = abs(minutes)
    hours, mins = divmod(ahead, 60)
    if hours == 0:
        span = ngettext("%(n)s minute", "%(n)s minutes", mins) % {"n": mins}
    elif mins == 0:
        span = ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    else:
        span = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": mins}
    return (_("in %(span)s") if minutes > 0 else _("%(span)s ago")) % {"span": span}


def routine_payload(
    *,
    family_id: int,
    routine_id: int,
    routine_name: str,
    icon: str,
    child_names: Sequence[str],
    offset_minutes: int,
    occurrence_at: datetime,
    occurrence_date: date,
    zone: ZoneInfo,
) -> dict[str, str]:
    """E.g. title "Bedtime for Sam in 10 minutes", body "🛁 Starts at 19:30.".

    The tag names the occurrence's own day (``occurrence_date``), not the local date of its
    resolved start: Saturday's 23:30 in a spring-forward gap starts at Sunday 00:00, and is
    still Saturday's routine.
    """
    who = join_names(child_names)
    subject = (
        _("%(routine)s for %(children)s") % {"routine": routine_name, "children": who}
        if who
        else routine_name
    )
    when = in_words(offset_minutes)
    if offset_minutes == 0:
        title = _("%(subject)s: time to start") % {"subject": subject}
    elif offset_minutes < 0:
        title = _("%(subject)s started %(when)s") % {"subject": subject, "when": when}
    else:
        title = _("%(subject)s %(when)s") % {"subject": subject, "when": when}
    local = occurrence_at.astimezone(zone)
    starts = _("Starts at %(time)s.") % {"time": local.strftime("%H:%M")}
    body = f"{icon} {starts}".strip()
    tag = f"routine-{routine_id}-{occurrence_date:%Y-%m-%d}"
    return {
        "title": title,
        "body": body,
        "url": f"/#/families/{family_id}/today?routine={routine_id}",
        "tag": tag,
        "topic": topic_for(f"{tag}-{occurrence_at.timestamp():.0f}"),
    }


def away_note(child_names: Sequence[str]) -> str:
    """Why a routine reminder was not sent: every child it is for is away that day."""
    return (_("Away that day: %(names)s.") % {"names": join_names(child_names)})[:300]


def follow_up_payload(
    *,
    family_id: int,
    checkin_id: str,
    child_name: str | None,
    strategy_title: str | None,
) -> dict[str, str]:
    """E.g. title "How is Sam now?", body "You tried Box breathing. Did it help?"."""
    title = (
        _("How is %(child)s now?") % {"child": child_name}
        if child_name
        else _("How are you feeling now?")
    )
    body = (
        _("You tried %(strategy)s. Did it help?") % {"strategy": strategy_title}
        if strategy_title
        else _("Take a moment to note how things went.")
    )
    tag = f"checkin-{checkin_id}"
    return {
        "title": title,
        "body": body,
        "url": f"/#/families/{family_id}/checkins/{checkin_id}/follow-up",
        "tag": tag,
        "topic": topic_for(tag),
    }


def handover_payload(
    *, family_id: int, handover_id: int, from_name: str, child_names: Sequence[str], note: str
) -> dict[str, str]:
    """E.g. title "Handover from Grandma: Sam", body the note (or "See what happened.")."""
    tag = f"handover-{handover_id}"
    body = note.strip() or _("See how the time went.")
    title = _("Handover from %(from)s: %(children)s") % {
        "from": from_name,
        "children": join_names(child_names),
    }
    return {
        "title": title,
        "body": body[:180],
        "url": f"/#/families/{family_id}/today",
        "tag": tag,
        "topic": topic_for(tag),
    }


def _lower_first(text: str) -> str:
    """``Box breathing`` → ``box breathing`` mid-sentence; ``TV time`` stays. German keeps
    its capitals: its nouns are written so."""
    if translation.get_language() == "de":
        return text
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def digest_line(
    *,
    child_name: str,
    checkin_days: int,
    calm_days: int,
    helped: Mapping[str, Any] | None,
    routine: Mapping[str, Any] | None,
) -> str:
    """E.g. "Sam's week: 5 calm days, bedtime kept 6 of 7, box breathing helped 3 of 4".

    A part without data is left out (no check-ins: no calm days; no routine scheduled; no
    strategy that helped).
    """
    parts = []
    if checkin_days:
        parts.append(ngettext("%(n)s calm day", "%(n)s calm days", calm_days) % {"n": calm_days})
    if routine:
        parts.append(
            _("%(routine)s kept %(kept)s of %(scheduled)s")
            % {
                "routine": _lower_first(routine["name"]),
                "kept": routine["kept"],
                "scheduled": routine["scheduled"],
            }
        )
    if helped:
        parts.append(
            _("%(strategy)s helped %(helped)s of %(tried)s")
            % {
                "strategy": _lower_first(helped["title"]),
                "helped": helped["helped"],
                "tried": helped["tried"],
            }
        )
    summary = ", ".join(parts) if parts else _("nothing recorded")
    return _("%(child)s's week: %(summary)s") % {"child": child_name, "summary": summary}


def digest_payload(
    *, family_id: int, week_start: date, lines: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """The weekly digest: title "Your week with Sam", one ``digest_line`` per child
    (``lines`` holds (child name, line)), opening the digest screen of that week."""
    tag = f"digest-{family_id}-{week_start:%Y-%m-%d}"
    return {
        "title": _("Your week with %(children)s")
        % {"children": join_names([name for name, _line in lines])},
        "body": "\n".join(line for _name, line in lines)[:1000],
        "url": f"/#/families/{family_id}/digest?week={week_start:%Y-%m-%d}",
        "tag": tag,
        "topic": topic_for(tag),
    }


def test_payload(*, reminder_id: int, family_id: int | None) -> dict[str, str]:
    """The "send a test" notification."""
    tag = f"test-{reminder_id}"
    return {
        "title": _("Tandem test notification"),
        "body": _("Notifications work on this device."),
        "url": f"/#/families/{family_id}/settings" if family_id else "/",
        "tag": tag,
        "topic": topic_for(tag),
    }


def size_word(intensity: int) -> str:
    """The child's circle for an intensity: small (1–2), medium (3), big (4–5)."""
    if intensity <= 2:
        return _("small")
    return _("medium") if intensity == 3 else _("big")


def child_checkin_payload(
    *,
    family_id: int,
    checkin_id: str,
    child_id: int,
    child_name: str,
    emotion: str,
    kid_word: str,
    intensity: int,
) -> dict[str, str]:
    """E.g. title "Sam says: mad, big" (``kid_word`` is the vocabulary's English word,
    translated here), opening the coregulation check-in for Sam with
    that feeling and size chosen."""
    tag = f"child-checkin-{checkin_id}"
    query = urlencode(
        {"child": child_id, "emotion": emotion, "intensity": intensity, "from": checkin_id}
    )
    return {
        "title": _("%(child)s says: %(feeling)s, %(size)s")
        % {"child": child_name, "feeling": _(kid_word), "size": size_word(intensity)},
        "body": _("%(child)s asked for a grown-up. Check in together.") % {"child": child_name},
        "url": f"/#/families/{family_id}/checkin?{query}",
        "tag": tag,
        "topic": topic_for(tag),
    }


def localized(build: Callable[[], dict[str, str]], languages: Iterable[str]) -> dict[str, Any]:
    """One reminder's payload for recipients who speak different languages.

    The payload is built in English, plus ``localized``: the ``title`` and ``body`` in each
    other language among ``languages``; the sender picks the recipient's (sending.py).
    """
    with translation.override(DEFAULT_LANGUAGE):
        payload: dict[str, Any] = build()
    others = {}
    for language in sorted(set(languages) - {DEFAULT_LANGUAGE}):
        with translation.override(language):
            built = build()
        others[language] = {"title": built["title"], "body": built["body"]}
    if others:
        payload["localized"] = others
    return payload


def in_language(payload: dict[str, Any], language: str) -> dict[str, Any]:
    """What one recipient's device gets: the payload in their language, without the
    other languages and the ``topic`` (a header, not content)."""
    mine = {k: v for k, v in payload.items() if k not in ("topic", "localized")}
    mine.update(payload.get("localized", {}).get(language, {}))
    return mine
