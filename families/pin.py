"""The family PIN: what a grown-up types to leave the child view.

An owner sets or clears it; any member's device checks it. It is stored only as a
Django password hash (never the digits), and wrong tries slow down like sign-ins
(``throttling.PinAttempt``).
"""

from __future__ import annotations

import re

from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled

from core.api import validation_error

from .models import Family
from .throttling import PinAttempt

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")


def _checked(pin: str) -> str:
    if not PIN_PATTERN.fullmatch(pin):
        raise validation_error("pin", _("A PIN is 4 to 8 digits."))
    return pin


def set_pin(family: Family, pin: str) -> None:
    """Give ``family`` a new PIN (4–8 digits), replacing any before it."""
    family.pin_hash = make_password(_checked(pin))
    family.save(update_fields=["pin_hash"])


def clear_pin(family: Family) -> None:
    """No PIN any more: the long press alone leaves the child view."""
    family.pin_hash = ""
    family.save(update_fields=["pin_hash"])


def check_pin(family: Family, user_id: int, pin: str) -> None:
    """Pass if ``pin`` is the family's PIN (or the family has none), else a 400 naming
    ``pin``; too many wrong tries in a row are a 429 (``Throttled``) until the wait ends."""
    _checked(pin)
    if not family.pin_hash:
        return
    attempt = PinAttempt(family_id=family.pk, user_id=user_id)
    wait = attempt.wait()
    if wait is not None:
        raise Throttled(wait=wait)
    if not check_password(pin, family.pin_hash):
        attempt.record_failure()
        raise validation_error("pin", _("That is not the family's PIN."))
    attempt.record_success()
