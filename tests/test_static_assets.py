"""Static files in production: hashed names, compressed, cached for a year and immutable,
and the service worker precaches exactly those hashed files.

Production settings are read once at start-up (WhiteNoise indexes STATIC_ROOT then), so
collectstatic and the requests run in subprocesses with a fresh environment.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, re, django
django.setup()
from django.test import Client

client = Client(HTTP_ACCEPT_ENCODING="gzip")
shell = client.get("/").content.decode()
sw = client.get("/sw.js").content.decode()
precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw).group(1))
app_js = re.search(r'src="(/static/tandem/js/app\.[0-9a-f]{12}\.js)"', shell).group(1)
asset = client.get(app_js)
original = client.get("/static/tandem/js/app.js")
print(json.dumps({
    "precache": precache,
    "app_js": app_js,
    "headers": dict(asset.headers),
    "status": asset.status_code,
    "original_cache_control": original.headers.get("Cache-Control"),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "http://testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "true",
        "STATIC_ROOT": str(tmp / "static"),
        "DATA_DIR": str(tmp / "data"),
        # Its own database, also in the suite's PostgreSQL pass.
        "DATABASE_URL": f"sqlite:///{tmp / 'tandem.sqlite3'}",
        "LOG_LEVEL": "ERROR",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True
    )
    manifest = json.loads((tmp / "static" / "staticfiles.json").read_text())
    return {**json.loads(probe.stdout), "manifest": manifest["paths"], "root": tmp / "static"}


def test_hashed_assets_are_cached_for_a_year_and_immutable(production):
    assert production["status"] == 200
    cache_control = production["headers"]["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "immutable" in cache_control
    # The unhashed name may change under the same URL, so it is not cached forever.
    assert "immutable" not in (production["original_cache_control"] or "")


def test_assets_are_served_compressed(production):
    assert production["headers"].get("Content-Encoding") in {"gzip", "br"}
    assert (production["root"] / (production["app_js"].removeprefix("/static/") + ".gz")).exists()


def test_module_imports_point_at_hashed_names(production):
    app_js = production["root"] / production["app_js"].removeprefix("/static/")
    imports = re.findall(r"""import\s[^"']*["']([^"']+)["']""", app_js.read_text())
    assert imports
    assert all(re.search(r"\.[0-9a-f]{12}\.js$", name) for name in imports), imports


def test_the_service_worker_precaches_exactly_the_hashed_files(production):
    hashed = {
        f"/static/{name}"
        for original, name in production["manifest"].items()
        if original.startswith("tandem/")
    }
    static = {url for url in production["precache"] if url.startswith("/static/")}
    assert static == hashed
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", url) for url in static)
    others = set(production["precache"]) - static - {"/", "/manifest.webmanifest"}
    # ...and each language's versioned translation catalog, for offline use.
    assert {re.sub(r"\.[0-9a-f]{12}\.json$", "", url) for url in others} == {
        "/i18n/en",
        "/i18n/es",
        "/i18n/fr",
        "/i18n/de",
    }
