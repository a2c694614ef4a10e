"""Where links sent out of the app (invitations, password-reset mails) point."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest) -> str:
    """The app's origin, without a trailing slash: ``SITE_URL`` when set (production
    refuses to start without it), else the scheme and host this request came to, so a
    development server on another port or a phone on the home network gets links that
    work. (A development server trusts any Host header; production never uses it.)"""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
