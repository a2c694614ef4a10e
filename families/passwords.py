"""Password rules of our own, beside Django's (``AUTH_PASSWORD_VALIDATORS``).

Registered in settings, so signup, password change, reset confirmation and the admin's
user forms all apply them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotOnlyWhitespaceValidator:
    """Refuses a password made of spaces (or other white space) only: it passes the
    length check yet is one of the first things anyone guesses."""

    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(
                _("Your password cannot be only spaces."), code="password_only_whitespace"
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be only spaces.")
