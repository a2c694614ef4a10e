"""Reports and shares: the rules (who, what, how long), each in one transaction.

A report is rendered by a worker (``tasks.render_report``) that records its progress; a
share is a link whose token (32 random bytes, 256 bits) is shown once and stored only as
its SHA-256. An expired, revoked or unknown token answers the same "gone" (410), so a
link cannot be probed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checkins.insights import check_range
from core.api import validation_error
from families.models import Child, Family, User, hash_token

from . import rendering
from .models import SECTIONS, Report, ReportStatus, Share, ShareVisit

logger = logging.getLogger(__name__)

MAX_SHARE_DAYS = 90


def _check(children: Sequence[Child], first: date, last: date, sections: Sequence[str]) -> None:
    if not children:
        raise validation_error("children", _("Choose at least one child."))
    check_range(first, last)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise validation_error("sections", _("Unknown section %(value)r.") % {"value": unknown[0]})
    if not sections:
        raise validation_error("sections", _("Choose at least one section."))


def create_report(
    *,
    family: Family,
    user: User,
    children: Sequence[Child],
    first: date,
    last: date,
    sections: Sequence[str],
    enqueue: Callable[[int], object],
    include_notes: bool = False,
) -> Report:
    """A pending report; ``enqueue(report id)`` (``tasks.render_report.delay``) queues its
    rendering once the row is committed."""
    _check(children, first, last, sections)
    with transaction.atomic():
        report = Report.objects.create(
            family=family,
            created_by=user,
            first=first,
            last=last,
            sections=list(sections),
            include_notes=include_notes,
        )
        report.children.set(children)
        transaction.on_commit(lambda: enqueue(report.pk))
    return report


def _progress(report_id: int, value: int) -> None:
    Report.objects.filter(pk=report_id).update(progress=min(100, value))


def run_report(report_id: int) -> Report:
    """Render a report's PDF (what the worker runs): running → done, or failed saying why."""
    updated = Report.objects.filter(
        pk=report_id, status__in=[ReportStatus.PENDING, ReportStatus.RUNNING]
    ).update(status=ReportStatus.RUNNING, progress=5)
    report = Report.objects.select_related("family", "created_by").get(pk=report_id)
    if not updated:
        return report  # done or failed already: a repeated task does nothing
    # The PDF speaks the language of whoever asked for it (the worker has no request).
    language = report.created_by.language if report.created_by else report.family.language
    try:
        with translation.override(language):
            context = rendering.page_context(
                family=report.family,
                children=list(report.children.order_by("name", "id")),
                first=report.first,
                last=report.last,
                sections=report.sections,
                include_notes=report.include_notes,
                progress=lambda value: _progress(report_id, value),
            )
            _progress(report_id, 75)
            pdf = rendering.render_pdf(context)
    except Exception as error:
        logger.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    Report.objects.filter(pk=report_id).update(
        status=ReportStatus.DONE, progress=100, pdf=pdf, finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report


@dataclass(frozen=True)
class NewShare:
    share: Share
    token: str  # shown once, never stored


def create_share(
    *,
    family: Family,
    user: User,
    children: Sequence[Child],
    first: date,
    last: date,
    sections: Sequence[str],
    expires_at: datetime,
    include_notes: bool = False,
    label: str = "",
) -> NewShare:
    """A read-only link until ``expires_at`` (in the future, at most 90 days away)."""
    _check(children, first, last, sections)
    now = timezone.now()
    if expires_at <= now:
        raise validation_error("expires_at", _("Choose a time in the future."))
    if expires_at > now + timedelta(days=MAX_SHARE_DAYS):
        raise validation_error(
            "expires_at",
            ngettext(
                "A link lasts at most %(n)s day.",
                "A link lasts at most %(n)s days.",
                MAX_SHARE_DAYS,
            )
            % {"n": MAX_SHARE_DAYS},
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        share = Share.objects.create(
            family=family,
            created_by=user,
            label=label,
            first=first,
            last=last,
            sections=list(sections),
            include_notes=include_notes,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=expires_at,
        )
        share.children.set(children)
    return NewShare(share=share, token=token)


def revoke_share(share: Share) -> None:
    """The link answers 410 from now on (idempotent)."""
    Share.objects.filter(pk=share.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def live_share(token: str) -> Share | None:
    """The share a token opens, or None when it is unknown, expired or revoked."""
    share = (
        Share.objects.select_related("family")
        .filter(
            token_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )
    return share


def record_visit(share: Share, *, user_agent: str, what: str) -> None:
    ShareVisit.objects.create(share=share, user_agent=user_agent[:300], what=what)
