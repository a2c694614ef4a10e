"""The languages Tandem speaks, and how a request or a recipient picks one."""

from __future__ import annotations

from django.db import models
from django.utils import translation


class Language(models.TextChoices):
    # Each written in its own language: that is how a reader finds theirs in a list.
    EN = "en", "English"
    ES = "es", "Español"
    FR = "fr", "Français"
    DE = "de", "Deutsch"


CODES = frozenset(Language.values)
DEFAULT = Language.EN.value


def supported(code: str | None) -> str:
    """``code`` reduced to one of ours (``es-MX`` → ``es``), else English."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in CODES else DEFAULT


def current() -> str:
    """The active language of this request or task, as one of our codes."""
    return supported(translation.get_language())
