"""The PWA in the member's language: switching to Español in Settings turns every screen
Spanish at once (dates through Intl too), and the longer German words still fit a 320 px
phone without sideways scrolling; axe finds nothing serious in either."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from checkins.strategies import sync_builtin_strategies
from families.models import Role, User
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import log_in
from .test_phone_layout_flows import axe_problems, check_no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)

SPANISH_DATE = re.compile(
    r"^(lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d{1,2} de "
    r"(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)$"
)


@pytest.fixture
def home():
    sync_builtin_strategies()
    family = FamilyFactory(name="Los Rivera", timezone="Europe/Madrid")
    owner = MembershipFactory(family=family, role=Role.OWNER, user__display_name="Ana").user
    sam = ChildFactory(family=family, name="Sam")
    RoutineFactory(family=family, name="Bedtime", children=[sam], steps=3)
    return family, owner


def test_switching_to_spanish_in_settings_turns_the_app_spanish(page, app_url, home):
    family, owner = home
    log_in(page, app_url, owner.email)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.goto(f"{app_url}/#/families/{family.pk}/settings")
    language = page.get_by_role("combobox", name="Language", exact=True)
    expect(language).to_be_visible()
    # Each language is offered in its own words.
    assert language.locator("option").all_text_contents() == [
        "English",
        "Español",
        "Français",
        "Deutsch",
    ]
    language.select_option(label="Español")
    page.get_by_role("button", name="Use this language").click()

    expect(page.get_by_role("heading", name="Ajustes", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    owner.refresh_from_db()
    assert owner.language == "es"
    problems = axe_problems(page, "settings")

    tabs = page.get_by_role("navigation", name="Principal")
    expect(tabs).to_contain_text("Hoy")
    expect(tabs).to_contain_text("Emociones")
    tabs.get_by_role("link", name="Hoy").click()
    expect(page.get_by_role("heading", name="Hoy", exact=True)).to_be_visible()
    day = page.locator(".today-date").inner_text()
    assert SPANISH_DATE.match(day), day  # Intl, in Spanish
    expect(page.locator("main")).to_contain_text("de 3 hechos")
    problems += axe_problems(page, "today")

    tabs.get_by_role("link", name="Emociones").click()
    expect(page.get_by_role("heading", name="¿Quién cuenta cómo se siente?")).to_be_visible()
    page.get_by_role("button", name="Sam", exact=True).click()
    expect(page.get_by_role("heading", name="¿Cómo se siente Sam?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("con rabia")  # the kid words are Spanish
    problems += axe_problems(page, "check-in")
    assert not problems, "\n".join(problems)

    # The choice is the member's: a fresh start on this phone is Spanish from the first
    # screen (the catalog comes before it renders).
    page.reload()
    expect(page.get_by_role("heading", name="¿Quién cuenta cómo se siente?")).to_be_visible()


def test_german_fits_a_320_px_phone(page, app_url, home):
    family, owner = home
    User.objects.filter(pk=owner.pk).update(language="de")
    page.set_viewport_size({"width": 320, "height": 740})
    log_in(page, app_url, owner.email)  # the sign-in screen follows the browser: English
    expect(page.locator("html")).to_have_attribute("lang", "de")  # then the member's choice
    failures: list[str] = []
    problems: list[str] = []
    for screen in ("today", "checkin", "settings"):
        page.goto(f"{app_url}/#/families/{family.pk}/{screen}")
        expect(page.locator("main h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
        check_no_sideways_scroll(page, f"{screen} in German at 320px", failures)
        problems += axe_problems(page, f"{screen} in German")
    assert not failures, "\n".join(failures)
    assert not problems, "\n".join(problems)
