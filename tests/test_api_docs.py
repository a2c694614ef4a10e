"""``/api/docs/`` works under the strict CSP: Swagger UI comes from our own static files
(drf-spectacular-sidecar), its init script is a file of its own, nothing is inline."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []  # <script> without src, <style>, style="…", on…=

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        if (tag == "script" and not found.get("src")) or tag == "style":
            self.inline.append(tag)
        self.inline += [f"{tag}[{name}]" for name, _ in attrs if name == "style"]
        self.inline += [f"{tag}[{name}]" for name, _ in attrs if name.startswith("on")]


@pytest.fixture
def docs(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = Assets()
    page.feed(response.content.decode())
    return response, page


def test_the_docs_load_only_same_origin_assets(docs):
    _, page = docs
    assert page.urls
    for url in page.urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    static = [url for url in page.urls if url.startswith("/static/")]
    assert any(url.endswith("swagger-ui-bundle.js") for url in static)
    for url in static:  # each one is a file the app serves
        assert finders.find(url.removeprefix("/static/")), url


def test_the_docs_have_nothing_inline_and_the_csp_allows_nothing_inline(docs):
    response, page = docs
    assert not page.inline
    policy = dict(
        directive.partition(" ")[::2]
        for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_init_script_is_served_as_javascript(docs):
    _, page = docs
    [script] = [url for url in page.urls if url.startswith("/api/docs/")]
    response = Client().get(script)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "SwaggerUIBundle(" in body
    assert '"/api/schema/"' in body
