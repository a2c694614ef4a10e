"""Middleware that turns an unavailable database into a clear 503."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import is_valid_path
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """A locked or unreachable database answers 503 with a message, never a stack trace.

    The PWA keeps queued writes and retries them, so a short outage loses nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable: %s", exception)
            response = JsonResponse(
                {
                    "detail": _(
                        "The service is briefly unavailable. Your changes are kept; "
                        "please try again in a moment."
                    ),
                    "code": "service_unavailable",
                    "errors": {},
                },
                status=503,
            )
            response["Retry-After"] = "5"
            return response
        return None


class ApiAppendSlashMiddleware:
    """Accept API paths without their trailing slash, for POST too.

    Django's APPEND_SLASH answers with a redirect, which a POST cannot follow; DRF routers
    write paths with the slash. Rewriting the path internally serves both spellings.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/") and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                request.path_info = f"{path}/"
                request.path = f"{request.path}/"
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` (Django has no setting for it): the PWA needs no camera,
    microphone, location or payment, so nothing embedded can ask for them either."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class UserLanguageMiddleware:
    """A signed-in member's chosen ``language`` wins over the browser's Accept-Language.

    Runs after Django's LocaleMiddleware (which picked from Accept-Language) and the
    authentication middleware; a signed-out visitor keeps what LocaleMiddleware chose.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # nobody signed in: no session or user to read
        try:
            language = getattr(getattr(request, "user", None), "language", None)
        except (OperationalError, InterfaceError):
            language = None  # the view meets the outage too and answers 503
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers["Content-Language"] = language
        return response
