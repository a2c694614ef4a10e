"""The API's JSON parser: bodies bounded in size and nesting depth before any parsing.

DRF's own parser reads the whole stream (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only
guards ``request.body``, which DRF does not use) and lets ``json`` recurse as deep as the
body says: 1,000 nested brackets were a ``RecursionError``, a 500, even on login. This one
reads at most the limit (over it: 413), then checks the depth in one linear pass (over
``MAX_DEPTH``: 400), and only then decodes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json

# No request needs more: a check-in with its caregiver's and a list in it is 3 deep.
MAX_DEPTH = 32

# A JSON string (its closing quote optional, so an unterminated one is consumed in one
# go instead of being retried from every later quote), or any character but a bracket.
_NOT_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[^"\[\]{}]+', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class PayloadTooLarge(APIException):
    """A 413: the body is over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (refused before parsing).

    (Here, not in ``core.api``: DRF imports the parser while ``core.api`` imports DRF.)
    """

    status_code = 413
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


def nesting_depth(text: str) -> int:
    """How deep ``text``'s arrays and objects nest (brackets in strings do not count)."""
    brackets = _NOT_BRACKETS.sub("", text)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    """``application/json`` bodies, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (413)
    and ``MAX_DEPTH`` levels deep (400)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
        except (ValueError, LookupError) as exc:  # not in that encoding, or no such one
            raise ParseError(f"JSON parse error - {exc}") from exc
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(
                f"The request body is nested too deeply (at most {MAX_DEPTH} levels of "
                "arrays and objects)."
            )
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


class BoundedMultiPartParser(parsers.MultiPartParser):
    """``multipart/form-data`` uploads of at most ``max_bytes`` (a view sets it with
    ``upload_limit``), refused from the declared length before a byte of the body is read:
    a 400 naming ``file`` that the PWA shows next to the picker, not a 413 page."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        context = parser_context or {}
        request = context.get("request")
        view = context.get("view")
        limit = getattr(view, "upload_limit", None)
        if request is not None and limit is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit():
                raise serializers.ValidationError(
                    {
                        "file": [
                            _("The file is too large (at most %(size)s MB).")
                            % {"size": f"{limit() / 1_048_576:.3g}"}
                        ]
                    }
                )
        return super().parse(stream, media_type, parser_context)
