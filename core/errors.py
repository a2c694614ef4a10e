"""Django's own error answers (no URL matched, a bad or oversized request, a CSRF
failure) in the API's one error shape for ``/api/`` paths; other paths keep Django's pages.

``config/urls.py`` names ``not_found`` and ``bad_request`` as ``handler404``/``handler400``;
``CSRF_FAILURE_VIEW`` is ``csrf_failure``. Errors inside DRF views never come here: they
go through ``core.api.exception_handler``, which answers the same shape.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import csrf, defaults

from .parsers import PayloadTooLarge


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def error_response(status: int, detail: str, code: str) -> JsonResponse:
    """``{"detail", "code", "errors": {}}`` with ``status``."""
    return JsonResponse({"detail": detail, "code": code, "errors": {}}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """No URL matched, e.g. ``families/abc/`` or an id out of range: a 404."""
    if is_api(request):
        return error_response(404, _("Not found."), "not_found")
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused before any view ran; over the size limit it is a 413."""
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return error_response(
                PayloadTooLarge.status_code,
                str(PayloadTooLarge.default_detail),
                PayloadTooLarge.default_code,
            )
        return error_response(400, _("Bad request."), "bad_request")
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]  # takes None too


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF failure (login and signup check it before DRF runs): a 403, as DRF says it."""
    if is_api(request):
        return error_response(
            403, _("CSRF Failed: %(reason)s") % {"reason": reason}, "permission_denied"
        )
    return csrf.csrf_failure(request, reason)
