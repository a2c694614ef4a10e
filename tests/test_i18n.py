"""Four languages: each member's choice, Accept-Language before one is made, pushes and
e-mails in the recipient's language, the vocabulary and built-in strategies translated
by key, the PWA's versioned catalog, and catalogs that are complete and up to date."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import translation

from checkins.strategy_catalogue import BUILTIN_STRATEGIES
from families.models import Family, User

from .conftest import client_for
from .support.factories import RoutineFactory, StrategyFactory, UserFactory
from .support.reminder_fixtures import add_device, send_all

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = ["es", "fr", "de"]
DOMAINS = ["django", "djangojs"]


def catalog_path(language: str, domain: str, suffix: str = "po") -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.{suffix}"


# --- the member's language ------------------------------------------------------------


def test_a_member_picks_a_language(owner_client):
    r = owner_client.patch("/api/v1/auth/me/", {"language": "es"}, format="json")
    assert r.status_code == 200
    assert r.json()["language"] == "es"
    assert owner_client.get("/api/v1/auth/me/").json()["language"] == "es"


@pytest.mark.parametrize("bad", ["xx", "", "ES", "es-MX", None, 7])
def test_an_unknown_language_is_a_400_naming_it(owner_client, owner, bad):
    r = owner_client.patch("/api/v1/auth/me/", {"language": bad}, format="json")
    assert r.status_code == 400
    assert "language" in r.json()["errors"]
    owner.refresh_from_db()
    assert owner.language == "en"


def test_a_signed_out_visitor_gets_the_browsers_language(anon_client):
    r = anon_client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert re.search(r'<html lang="es"', r.content.decode())
    assert "Saltar al contenido" in r.content.decode()
    r = anon_client.post(
        "/api/v1/auth/login/",
        {"email": "nobody@example.com", "password": "not the one"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert r.status_code == 400
    assert r.json()["errors"]["email"] == ["El correo o la contraseña no son correctos."]
    assert r.json()["code"] == "invalid"  # machine codes stay English


def test_sign_up_stores_the_browsers_language(anon_client):
    r = anon_client.post(
        "/api/v1/auth/signup/",
        {"email": "ana@example.com", "password": "a long enough phrase", "display_name": "Ana"},
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
    )
    assert r.status_code == 201
    assert r.json()["language"] == "fr"
    assert User.objects.get(email="ana@example.com").language == "fr"


def test_the_members_choice_beats_the_browser(caregiver, family):
    caregiver.language = "es"
    caregiver.save()
    client = client_for(caregiver)
    r = client.post(
        f"/api/v1/families/{family.pk}/routines/",
        {"name": "", "children": [], "days_of_week": [1], "start_time": "19:00", "steps": []},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert r.json()["errors"]["name"] == ["Este campo no puede estar en blanco."]  # DRF's own
    assert r["Content-Language"] == "es"
    r = client.get(f"/api/v1/families/{family.pk + 1000}/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    assert r.json()["detail"] == "Esa familia no existe."


# --- the family's language ----------------------------------------------------------------


def test_a_family_starts_in_its_creators_language_and_owners_change_it(
    owner, owner_client, caregiver_client, family
):
    owner.language = "de"
    owner.save()
    r = owner_client.post(
        "/api/v1/families/", {"name": "Die Müllers", "timezone": "Europe/Berlin"}, format="json"
    )
    assert r.status_code == 201
    assert r.json()["language"] == "de"
    assert Family.objects.get(pk=r.json()["id"]).language == "de"

    assert owner_client.get(f"/api/v1/families/{family.pk}/").json()["language"] == "en"
    r = owner_client.patch(f"/api/v1/families/{family.pk}/", {"language": "fr"}, format="json")
    assert (r.status_code, r.json()["language"]) == (200, "fr")
    r = caregiver_client.patch(f"/api/v1/families/{family.pk}/", {"language": "es"})
    assert r.status_code == 403
    r = owner_client.patch(f"/api/v1/families/{family.pk}/", {"language": "xx"}, format="json")
    assert r.status_code == 400
    assert "language" in r.json()["errors"]
    family.refresh_from_db()
    assert family.language == "fr"


# --- pushes and e-mails in the recipient's language ---------------------------------------


def english_and(language: str, message: str, **values: object) -> tuple[str, str]:
    with translation.override("en"):
        english = translation.gettext(message) % values
    with translation.override(language):
        translated = translation.gettext(message) % values
    assert translated != english, f"{language} has no translation of {message!r}"
    return english, translated


def test_one_routine_reminder_reaches_each_member_in_their_language(
    family, owner, caregiver, child, push, queued, tick
):
    caregiver.language = "es"
    caregiver.save()
    grandpa = UserFactory(display_name="Opa", language="de")
    family.memberships.create(user=grandpa, role="caregiver")
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    add_device(push, grandpa, "opa-phone")
    with time_machine.travel(datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False) as clock:
        RoutineFactory(
            family=family, name="Bedtime", icon="🌙", children=[child], reminder_offsets=[10]
        )
        clock.move_to(datetime(2026, 3, 2, 18, 20, 3, tzinfo=UTC))
        assert tick().deliveries == 3
        assert send_all(queued) == ["sent", "sent", "sent"]
    by_device = {m.device_id: m.payload for m in push.wait_for(3)}

    assert by_device["alice-phone"]["title"] == "Bedtime for Sam in 10 minutes"
    assert by_device["alice-phone"]["body"] == "🌙 Starts at 19:30."
    assert by_device["bob-phone"]["title"] == "Bedtime de Sam en 10 minutos"
    assert by_device["bob-phone"]["body"] == "🌙 Empieza a las 19:30."
    _, german = english_and("de", "Starts at %(time)s.", time="19:30")
    assert by_device["opa-phone"]["body"] == f"🌙 {german}"
    # Each device gets its own words only, and the same occurrence collapses alike.
    assert all("localized" not in p for p in by_device.values())
    assert len({p["tag"] for p in by_device.values()}) == 1


def test_a_handover_push_speaks_the_next_adults_language(
    family, owner, caregiver, child, push, queued, tick
):
    owner.language = "es"
    owner.save()
    add_device(push, owner, "alice-phone")
    r = client_for(caregiver).post(
        f"/api/v1/families/{family.pk}/handovers/", {"children": [child.pk]}, format="json"
    )
    assert r.status_code == 201, r.content
    tick()
    send_all(queued)
    [message] = push.wait_for(1)
    assert message.payload["title"] == "Relevo de Bob: Sam"
    assert message.payload["body"] == "Mira cómo fue el rato."


def test_the_password_reset_mail_is_in_the_account_holders_language(anon_client):
    UserFactory(email="lucia@example.com", display_name="Lucía", language="es")
    r = anon_client.post(
        "/api/v1/auth/password/reset/", {"email": "lucia@example.com"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 200
    assert r.json()["detail"] == "If that address has an account, a reset link is on its way."
    [message] = mail.outbox
    assert message.subject == "Restablece tu contraseña de Tandem"
    assert message.body.startswith("Hola, Lucía:")
    assert "#/reset/" in message.body


# --- vocabulary and strategies, translated by key -------------------------------------------


def vocabulary_in(language: str) -> dict:
    user = UserFactory(language=language)
    return client_for(user).get("/api/v1/emotions/").json()


def test_vocabulary_labels_follow_the_language_and_keys_do_not():
    english, spanish = vocabulary_in("en"), vocabulary_in("es")
    keys = lambda data, part: [item["key"] for item in data[part]]  # noqa: E731
    for part in ("emotions", "quadrants", "body_areas", "sensations"):
        assert keys(spanish, part) == keys(english, part)
    angry_en = next(e for e in english["emotions"] if e["key"] == "angry")
    angry_es = next(e for e in spanish["emotions"] if e["key"] == "angry")
    assert (angry_en["label"], angry_en["kid_label"]) == ("Angry", "mad")
    assert (angry_es["label"], angry_es["kid_label"]) == ("Enojo", "con rabia")
    assert angry_es["quadrant"] == angry_en["quadrant"] == "high_unpleasant"
    assert {a["key"]: a["label"] for a in spanish["body_areas"]}["tummy"] == "Barriga"
    assert spanish["quadrants"][0]["label"] == "Fuerte y desagradable"


def test_built_in_strategies_are_translated_and_a_familys_own_are_not(caregiver, family):
    caregiver.language = "es"
    caregiver.save()
    StrategyFactory(family=family, title="Sing the dinosaur song", steps=["Start slow"])
    r = client_for(caregiver).get(f"/api/v1/families/{family.pk}/strategies/?page_size=100")
    results = r.json()["results"]
    first = next(s for s in results if s["key"] == BUILTIN_STRATEGIES[0]["key"])
    assert first["title"] == "Respira tú primero, tres veces despacio"
    assert first["steps"][0] == "Haz una pausa antes de hablar o actuar."
    assert first["not_medical_advice"].startswith("Ideas cotidianas para calmarse")
    ours = next(s for s in results if not s["builtin"])
    assert (ours["title"], ours["steps"]) == ("Sing the dinosaur song", ["Start slow"])


# --- the PWA's catalog ------------------------------------------------------------------


def shell_catalogs(client, **headers) -> dict[str, str]:
    page = client.get("/", **headers).content.decode()
    found = re.search(r'data-catalogs="([^"]*)"', page)
    assert found
    return json.loads(html.unescape(found.group(1)))


def test_the_catalog_url_is_versioned_long_cached_and_translates(anon_client):
    urls = shell_catalogs(anon_client)
    assert set(urls) == {"en", "es", "fr", "de"}
    assert all(re.fullmatch(rf"/i18n/{code}\.[0-9a-f]{{12}}\.json", u) for code, u in urls.items())
    r = anon_client.get(urls["es"])
    assert r.status_code == 200
    assert r["Cache-Control"] == "public, max-age=31536000, immutable"
    data = r.json()
    assert data["catalog"]["Welcome back"] == "Hola de nuevo"
    assert data["catalog"]["%(n)s step"][:2] == ["%(n)s paso", "%(n)s pasos"]
    assert data["plural"]  # the PWA's plural rules come from the catalog
    # Whoever asks, a URL always answers its own language.
    assert anon_client.get(urls["es"], HTTP_ACCEPT_LANGUAGE="de").json() == data


def test_an_old_catalog_url_leads_to_the_current_one_and_a_strange_one_is_404(anon_client):
    urls = shell_catalogs(anon_client)
    r = anon_client.get("/i18n/es.000000000000.json")
    assert (r.status_code, r["Location"]) == (302, urls["es"])
    assert anon_client.get("/i18n/xx.000000000000.json").status_code == 404


# --- the catalogs themselves ------------------------------------------------------------


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated_and_none_is_fuzzy(language, domain):
    po = polib.pofile(str(catalog_path(language, domain)))
    assert po.metadata.get("Language") == language
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    if shutil.which("msgfmt"):  # placeholders and plural forms, as GNU gettext checks them
        subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(catalog_path(language, domain))],
            check=True,
            capture_output=True,
        )


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogs_match_their_sources(language, domain):
    """``.mo`` files are committed (``make run`` needs no GNU gettext): each must hold
    exactly what its ``.po`` says (``make messages`` recompiles them)."""
    po = polib.pofile(str(catalog_path(language, domain)))
    mo_path = catalog_path(language, domain, "mo")
    assert mo_path.exists(), f"run: python manage.py compilemessages -l {language}"
    mo = polib.mofile(str(mo_path))

    def entries(catalog) -> dict:
        found = {}
        for e in catalog:
            plural = tuple(sorted((int(k), v) for k, v in e.msgstr_plural.items()))
            translated = e.msgstr or any(v for _k, v in plural)
            if e.msgid and translated and not e.obsolete and "fuzzy" not in e.flags:
                found[(e.msgctxt, e.msgid)] = (e.msgstr, plural)
        return found

    assert entries(mo) == entries(po)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[tuple[str, str], set[tuple[str | None, str]]]:
    """``makemessages`` run over a copy of the source: what the catalogs should hold."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path_factory.mktemp("source") / "tandem"
    skip = shutil.ignore_patterns(".venv", ".git", "data", "staticfiles", "node_modules", "*.mo")
    shutil.copytree(root, copy, ignore=skip, symlinks=True)
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    command += [f"--ignore={p}" for p in ("bench", "tests", "testing", "staticfiles", "data")]
    command += [f"--locale={language}" for language in SHIPPED]
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(copy / "data"), "DJANGO_ENV": "development"}
    for domain in DOMAINS:
        subprocess.run([*command, f"--domain={domain}"], cwd=copy, env=env, check=True)
    return {
        (language, domain): msgids(copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po")
        for language in SHIPPED
        for domain in DOMAINS
    }


def msgids(path: Path) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_catalogs_hold_exactly_what_the_source_says(extracted, language, domain):
    committed = msgids(catalog_path(language, domain))
    wanted = extracted[(language, domain)]
    assert not wanted - committed, f"not in the catalog yet: {sorted(wanted - committed)[:10]}"
    assert not committed - wanted, f"no longer in the source: {sorted(committed - wanted)[:10]}"


def test_extraction_finds_the_strings_of_several_screens(extracted):
    found = {msgid for _context, msgid in extracted[("es", "djangojs")]}
    assert {
        "Welcome back",  # sign-in
        "How is %(child)s feeling?",  # check-in
        "%(done)s of %(total)s done",  # Today (an interpolation inside a template literal)
        "Use this language",  # settings
        "New routine",  # routines
        "Hand over",  # the tabs
    } <= found
    assert ("whose", "%(name)s's") in extracted[("es", "djangojs")]
    server = {msgid for _context, msgid in extracted[("es", "django")]}
    assert {"mad", "Take three slow breaths yourself first", "Reset your Tandem password"} <= server
