"""The PWA: app shell, web app manifest and service worker, all served from the site root.

The service worker must live at ``/sw.js`` so that its scope is the whole app; it is a
template so that it precaches exactly the hashed static names WhiteNoise serves.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from django.views.i18n import JSONCatalog

from core.languages import CODES

THEME_COLOUR = "#3d6b8f"
BACKGROUND_COLOUR = "#f6f3ee"


@functools.cache
def shell_assets() -> tuple[str, ...]:
    """Every file of the PWA (``tandem/...``): the service worker precaches exactly these."""
    names = {
        path
        for finder in finders.get_finders()
        for path, _storage in finder.list(ignore_patterns=["*.map", ".*"])
        if path.startswith("tandem/")
    }
    return tuple(sorted(names))


def shell_urls() -> list[str]:
    """Static URLs of the shell assets, hashed in production (manifest storage)."""
    return [static(name) for name in shell_assets()]


@functools.cache
def catalog_version(language: str) -> str:
    """A hash of the compiled ``djangojs`` catalog of ``language`` (what the answer is
    made of): a new translation gets a new URL, so the old one may be cached for ever."""
    digest = hashlib.sha256(language.encode())
    for root in settings.LOCALE_PATHS:
        mo = root / language / "LC_MESSAGES" / "djangojs.mo"
        if mo.exists():
            digest.update(mo.read_bytes())
    return digest.hexdigest()[:12]


def catalog_urls() -> dict[str, str]:
    """The versioned URL of each language's PWA catalog (the shell tells the PWA)."""
    return {
        code: reverse("i18n-catalog", kwargs={"language": code, "version": catalog_version(code)})
        for code in sorted(CODES)
    }


@require_GET
def catalog(request: HttpRequest, language: str, version: str) -> HttpResponse:
    """The PWA's translations (Django's JSON catalog, ``djangojs`` domain) for one
    language, at a URL naming its version: cached for a year, never revalidated."""
    if language not in CODES:
        raise Http404
    if version != catalog_version(language):
        return redirect(catalog_urls()[language])  # a page from before the last deploy
    with translation.override(language):
        response: HttpResponse = JSONCatalog.as_view(domain="djangojs")(request)  # type: ignore[assignment]  # a JsonResponse
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
@ensure_csrf_cookie
@cache_control(no_cache=True)
def app_shell(request: HttpRequest) -> HttpResponse:
    """The single page every screen renders into."""
    context = {"theme_colour": THEME_COLOUR, "catalogs": json.dumps(catalog_urls())}
    return HttpResponse(render_to_string("frontend/index.html", context, request=request))


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    urls = ["/", *shell_urls(), "/manifest.webmanifest", *catalog_urls().values()]
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    body = render_to_string(
        "frontend/sw.js",
        {
            "precache": json.dumps(urls),
            "version": version,
            "icon": static("tandem/icons/icon-192.png"),
            "badge": static("tandem/icons/badge-72.png"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("Tandem — family routines and check-ins"),
        "short_name": "Tandem",
        "description": _("Predictable routines and calm emotional check-ins for the whole family."),
        "id": "/",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["lifestyle", "health", "kids"],
        "icons": [
            {
                "src": static("tandem/icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("tandem/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("tandem/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")
