"""Accessibility as a gate: every route the PWA registers, as the persona who uses it,
with the longest names and a busy month, in light and dark at 360 px. axe-core must find
no serious or critical violation and nothing may scroll sideways.

The routes come from the router at run time, so a new screen without a visit here fails
``test_every_registered_route_is_visited`` instead of going unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from families import devices, pin
from families.models import Child, Family, Membership, Role

from .helpers import log_in
from .screens import LONG_CHILD, LONG_FAMILY, Busy, busy_family, open_hash, settle
from .test_phone_layout_flows import axe_problems, check_no_sideways_scroll

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.gate]

WIDTH = 360


@dataclass(frozen=True)
class Visit:
    persona: str  # "owner", "guest" (signed out), "sitter", "child" (owner in the child
    # view), "device" (a child's tablet paired for two children)
    path: str  # with {f}, {child}, {routine}, {strategy}, {checkin}, {join}, {pass} filled in
    heading: str


# Every route pattern → how to see it. "" is the home route: it opens Today.
VISITS: dict[str, Visit] = {
    "login": Visit("guest", "login", "Welcome back"),
    "signup": Visit("guest", "signup", "Create your account"),
    "forgot": Visit("guest", "forgot", "Reset your password"),
    "reset/:uid/:token": Visit("guest", "reset/MQ/set-password", "Choose a new password"),
    "join/:token": Visit("guest", "join/{join}", "Join"),
    "pass/:token": Visit("sitter", "pass/{pass}", "Looking after the children?"),
    "families/new": Visit("owner", "families/new", "Create your family"),
    "families/:family/family": Visit("owner", "families/{f}/family", LONG_FAMILY[:20]),
    "": Visit("owner", "", "Today"),
    "families/:family/today": Visit("owner", "families/{f}/today", "Today"),
    "families/:family/checkin": Visit("owner", "families/{f}/checkin", "Check-in"),
    "families/:family/checkins/:id/follow-up": Visit(
        "owner", "families/{f}/checkins/{checkin}/follow-up", "now?"
    ),
    "families/:family/insights": Visit(
        "owner", "families/{f}/insights?child={child}&period=week", "Insights"
    ),
    "families/:family/reports": Visit("owner", "families/{f}/reports", "PDF report"),
    "families/:family/shares": Visit("owner", "families/{f}/shares", "Share with a professional"),
    "import": Visit("owner", "import", "New family from an export"),
    "families/:family/routines": Visit("owner", "families/{f}/routines", "Routines"),
    "families/:family/routines/new": Visit("owner", "families/{f}/routines/new", "New routine"),
    "families/:family/routines/:routine": Visit("owner", "families/{f}/routines/{routine}", "Edit"),
    "families/:family/settings": Visit("owner", "families/{f}/settings", "Settings"),
    "families/:family/strategies": Visit("owner", "families/{f}/strategies", "Strategies"),
    "families/:family/strategies/:id": Visit(
        "owner",
        "families/{f}/strategies/{strategy}?checkin={checkin}&who=" + LONG_CHILD,
        "Box breathing",
    ),
    "families/:family/handover": Visit("owner", "families/{f}/handover", "Hand over"),
    "families/:family/children/:child/log": Visit(
        "owner", "families/{f}/children/{child}/log", "care log"
    ),
    "families/:family/digest": Visit("owner", "families/{f}/digest", "Your week"),
    "child/:family/:child": Visit("child", "child/{f}/{child}", LONG_CHILD[:20]),
    "child/:family/:child/feel": Visit("device", "child/{f}/{child}/feel", "How do you feel?"),
    "pair-device": Visit("guest", "pair-device", "This is a child's tablet"),
    "pair-device/:code": Visit("guest", "pair-device/ABCDEFGH", "This is a child's tablet"),
    "child/:family": Visit("device", "child/{f}", "Who are you?"),
}

# Targets smaller than 44 × 44 px (links inside a sentence excepted, as WCAG 2.5.8 does),
# anything draggable, live regions that interrupt, and anything moving although the
# phone asks for reduced motion.
TARGETS = """() => {
  const small = [];
  const selector = 'button, a[href], input:not([type=hidden]), select, textarea, summary, '
    + '[role=button], [tabindex="0"]';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= 0) continue; // not shown, or off-screen
    if (el.closest('.sr-only, [hidden], [inert]')) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (el.matches('a') && el.closest('p, li') && !el.matches('.button')
        && el.closest('p, li').textContent.trim() !== el.textContent.trim()) continue;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) {
      const label = el.closest('label').getBoundingClientRect();
      if (label.width >= 44 && label.height >= 44) continue;
    }
    if (box.width < 43.5 || box.height < 43.5) {
      const name = `${el.tagName.toLowerCase()}.${el.className || ''}#${el.id || ''}`;
      small.push(`${name} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return {
    small: small.slice(0, 6),
    draggable: document.querySelectorAll('[draggable=true]').length,
    assertive: document.querySelectorAll('[aria-live=assertive]').length,
    moving: document.getAnimations().filter((a) => a.playState === 'running').length,
  };
}"""

ROUTER_PATTERNS = """async () => {
  const app = document.querySelector('script[type=module]').src;
  const router = await import(new URL('router.js', app).href);
  return router.patterns();
}"""


@pytest.fixture
def busy() -> Busy:
    data = busy_family()
    pin.set_pin(Family.objects.get(pk=data.family_id), "2468")  # the child view asks for it
    return data


def fill_path(template: str, busy: Busy) -> str:
    return template.format(
        f=busy.family_id,
        child=busy.child_id,
        routine=busy.routine_id,
        strategy=busy.strategy_id,
        checkin=busy.checkin_id,
        join=busy.join_token,
        **{"pass": busy.pass_token},
    )


def check(page: Page, where: str, problems: list[str]) -> None:
    problems.extend(axe_problems(page, where))
    check_no_sideways_scroll(page, where, problems)
    found = page.evaluate(TARGETS)
    if found["small"]:
        problems.append(f"{where}: targets under 44 px: {found['small']}")
    if found["draggable"]:
        problems.append(f"{where}: {found['draggable']} element(s) need dragging")
    if found["assertive"]:
        problems.append(f"{where}: assertive live regions (use polite)")
    if found["moving"]:
        problems.append(f"{where}: {found['moving']} animation(s) despite reduced motion")


def test_every_registered_route_is_visited(page, app_url):
    page.goto(f"{app_url}/#/login")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    registered = page.evaluate(ROUTER_PATTERNS)
    assert "child/:family/:child" in registered  # the router answered (same module as the app)
    missing = sorted(set(registered) - set(VISITS))
    assert not missing, f"add a visit to VISITS in {__name__} for: {missing}"
    gone = sorted(set(VISITS) - set(registered))
    assert not gone, f"no such route any more: {gone}"


def phone(new_context, scheme: str) -> Page:
    page = new_context().new_page()
    page.set_viewport_size({"width": WIDTH, "height": 740})
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_route_has_a_serious_accessibility_problem(new_context, app_url, busy, scheme):
    problems: list[str] = []
    by_persona: dict[str, list[tuple[str, Visit]]] = {}
    for pattern, visit in VISITS.items():
        by_persona.setdefault(visit.persona, []).append((pattern, visit))

    guest = phone(new_context, scheme)
    guest.goto(f"{app_url}/#/login")
    for pattern, visit in by_persona["guest"]:
        open_hash(guest, fill_path(visit.path, busy))
        settle(guest, visit.heading)
        check(guest, f"{pattern or 'home'} ({scheme})", problems)

    owner = phone(new_context, scheme)
    log_in(owner, app_url, busy.email)
    expect(owner.get_by_role("heading", name="Today")).to_be_visible()
    for pattern, visit in by_persona["owner"]:
        open_hash(owner, fill_path(visit.path, busy))
        settle(owner, visit.heading)
        check(owner, f"{pattern or 'home'} ({scheme})", problems)

    sitter = phone(new_context, scheme)
    [(pattern, visit)] = by_persona["sitter"]
    sitter.goto(f"{app_url}/#/{fill_path(visit.path, busy)}")
    settle(sitter, visit.heading)
    check(sitter, f"{pattern} ({scheme})", problems)

    tablet = phone(new_context, scheme)
    code = devices.create_device(
        membership=Membership.objects.get(family_id=busy.family_id, role=Role.OWNER),
        name="Tablet",
        children=list(Child.objects.filter(family_id=busy.family_id)),
    ).code
    tablet.goto(f"{app_url}/#/pair-device/{code}")
    expect(tablet.locator(".child-view, .child-chooser")).to_be_visible()
    for pattern, visit in by_persona["device"]:
        open_hash(tablet, fill_path(visit.path, busy))
        settle(tablet, visit.heading)
        check(tablet, f"{pattern} ({scheme})", problems)

    # The child view (locked, so on a phone of its own): the board, the PIN pad, the end.
    child = phone(new_context, scheme)
    log_in(child, app_url, busy.email)
    expect(child.get_by_role("heading", name="Today")).to_be_visible()
    [(pattern, visit)] = by_persona["child"]
    open_hash(child, fill_path(visit.path, busy))
    expect(child.get_by_role("heading", level=1).filter(has_text=visit.heading)).to_be_visible()
    expect(child.locator(".child-now-title")).to_be_visible()
    check(child, f"{pattern} ({scheme})", problems)
    grown_ups = child.get_by_role("button", name="Grown-ups")
    grown_ups.focus()
    child.keyboard.down("Enter")
    child.wait_for_timeout(1700)
    child.keyboard.up("Enter")
    expect(child.get_by_role("dialog")).to_be_visible()
    check(child, f"{pattern}: PIN pad ({scheme})", problems)
    child.get_by_role("button", name="Cancel").click()
    done = child.locator(".child-done")
    for _ in range(6):  # the routine on display has 2 or 4 steps
        if not done.count():
            break
        done.click()
        child.wait_for_timeout(750)  # a new tap, not a double tap
    expect(child.get_by_text("All done!", exact=True).first).to_be_visible()
    check(child, f"{pattern}: all done ({scheme})", problems)

    assert not problems, "\n".join(problems)
