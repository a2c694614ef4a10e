"""Every screen of the PWA, filled with the longest names, e-mails and a busy month, for the
tests that walk them all (phone widths, accessibility)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from care.handover import hand_over, start_duty
from checkins.models import Strategy
from checkins.strategies import sync_builtin_strategies
from families import services, sitters
from families.models import Role
from routines.models import RoutineStep
from tests.support.factories import (
    CheckInFactory,
    ChildFactory,
    DeliveryFactory,
    FamilyFactory,
    MembershipFactory,
    RoutineFactory,
)

# The longest each field takes, without a space to break at (the schema's maxLength).
LONG_CHILD = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"[:60]
LONG_PERSON = ("Bartholomew-Maximilian Wolfeschlegelsteinhausenbergerdorffvoralternwaren" * 2)[:80]
LONG_FAMILY = ("The Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh-Cholmondeley" * 2)[:80]
LONG_ROUTINE = ("Bedtime-after-swimming-and-homework-and-the-long-drive-back-home" * 2)[:80]
LONG_EMAIL = (
    "bartholomew.maximilian.wolfeschlegelsteinhausenbergerdorff"
    "@a-very-long-subdomain.of-a-family-provider-with-a-long-name.example.com"
)
LONG_STEP = ("Brush-your-teeth-up-and-down-and-round-and-round-for-two-whole-minutes" * 2)[:80]

AXE = Path(__file__).with_name("vendor") / "axe.min.js"


@dataclass
class Busy:
    family_id: int
    child_id: int
    routine_id: int
    strategy_id: int
    checkin_id: str
    join_token: str
    email: str
    pass_token: str = ""
    revoked_pass_token: str = ""


def busy_family() -> Busy:
    """A family where everything is as long as it may be, with 200 check-ins this week."""
    sync_builtin_strategies()
    family = FamilyFactory(name=LONG_FAMILY, timezone="Europe/Madrid")
    owner = MembershipFactory(
        family=family, role=Role.OWNER, user__email=LONG_EMAIL, user__display_name=LONG_PERSON
    )
    caregiver = MembershipFactory(
        family=family,
        role=Role.CAREGIVER,
        user__email=f"x{LONG_EMAIL}",
        user__display_name=f"{LONG_PERSON[:-1]}2",
    )
    child = ChildFactory(family=family, name=LONG_CHILD)
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(family=family, name=LONG_ROUTINE, children=[child, sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=routine, position=i, icon="🪥", title=f"{LONG_STEP[:-1]}{i}")
        for i in range(4)
    )
    RoutineFactory(family=family, name=f"{LONG_ROUTINE[:-1]}2", children=[child], steps=2)
    strategy = Strategy.objects.get(family=None, key="box_breathing")
    now = timezone.now()
    emotions = ["angry", "worried", "happy", "calm", "sad", "excited", "tired", "frustrated"]
    checkins = [
        CheckInFactory(
            family=family,
            child=child,
            emotion=emotions[i % len(emotions)],
            intensity=1 + i % 5,
            strategy=strategy,
            occurred_at=now - _dt.timedelta(minutes=7 * i),
            created_by=owner.user,
            note=LONG_STEP,
        )
        for i in range(200)
    ]
    DeliveryFactory(
        reminder__family=family, subscription__user=owner.user, user=owner.user, error=LONG_STEP
    )
    # An invitation to another long-named family, from a long-named owner.
    other = FamilyFactory(name=f"{LONG_FAMILY[:-1]}2")
    inviter = MembershipFactory(
        family=other, role=Role.OWNER, user__email=f"y{LONG_EMAIL}", user__display_name=LONG_PERSON
    )
    issued = services.create_invitation(membership=inviter, role=Role.OWNER)
    # The care team: a long handover from the caregiver to the owner (who is on duty since),
    # the caregiver on duty for Sam, a sitter pass for tonight and a revoked one.
    hand_over(membership=caregiver, children=[child, sam], note=LONG_STEP * 12, to=owner)
    start_duty(caregiver, sam)
    sitter_pass = sitters.create_pass(
        membership=owner,
        children=[child, sam],
        starts_at=now - _dt.timedelta(minutes=5),
        ends_at=now + _dt.timedelta(hours=4),
        name=LONG_PERSON,
    )
    revoked = sitters.create_pass(
        membership=owner,
        children=[sam],
        starts_at=now - _dt.timedelta(minutes=5),
        ends_at=now + _dt.timedelta(hours=4),
    )
    sitters.revoke(revoked.sitter_pass)
    return Busy(
        family_id=family.id,
        child_id=child.id,
        routine_id=routine.id,
        strategy_id=strategy.id,
        checkin_id=str(checkins[0].id),
        join_token=issued.token,
        email=LONG_EMAIL,
        pass_token=sitter_pass.token,
        revoked_pass_token=revoked.token,
    )


def open_hash(page: Page, path: str) -> None:
    page.evaluate("(path) => { location.hash = path; }", f"#/{path}")


def settle(page: Page, heading: str | None = None) -> None:
    if heading:
        expect(page.get_by_role("heading", level=1).filter(has_text=heading)).to_be_visible()
    else:
        expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main .loading")).to_have_count(0)
    page.wait_for_timeout(150)  # fonts and late layout


def signed_in_screens(page: Page, busy: Busy):
    """Shows each signed-in screen in turn, yielding its name once it is on display."""
    f = f"families/{busy.family_id}"
    plain = [
        ("Today", f"{f}/today", "Today"),
        ("Insights (week)", f"{f}/insights?child={busy.child_id}&period=week", "Insights"),
        ("Insights (month)", f"{f}/insights?child={busy.child_id}&period=month", "Insights"),
        ("Routines", f"{f}/routines", "Routines"),
        ("Routine editor", f"{f}/routines/{busy.routine_id}", "Edit"),
        ("New routine", f"{f}/routines/new", "New routine"),
        ("Settings", f"{f}/settings", "Settings"),
        (
            "Strategy",
            f"{f}/strategies/{busy.strategy_id}?checkin={busy.checkin_id}&who={LONG_CHILD}",
            "Box breathing",
        ),
        ("Follow-up", f"{f}/checkins/{busy.checkin_id}/follow-up", "now?"),
        ("Join", f"join/{busy.join_token}", "Join"),
        ("Hand over", f"{f}/handover", "Hand over"),
        ("Care log", f"{f}/children/{busy.child_id}/log", "care log"),
        ("Strategies", f"{f}/strategies", "Strategies"),
        ("New family", "families/new", "Create your family"),
    ]
    for name, path, heading in plain:
        open_hash(page, path)
        settle(page, heading)
        yield name

    open_hash(page, f"{f}/family")
    settle(page, LONG_FAMILY)
    yield "Family"
    page.get_by_role("button", name="New sitter pass").click()
    expect(page.get_by_role("form", name="New sitter pass")).to_be_visible()
    yield "Family: new sitter pass"
    page.get_by_role("button", name="Create pass").click()
    expect(page.get_by_role("img", name=re.compile("^QR code"))).to_be_visible()
    yield "Family: send the pass"
    page.get_by_role("button", name=f"Change which children {LONG_PERSON[:-1]}2 sees").click()
    expect(page.get_by_role("form", name=f"Children {LONG_PERSON[:-1]}2 sees")).to_be_visible()
    yield "Family: which children a caregiver sees"
    page.get_by_role("button", name=f"Edit {LONG_CHILD}").click()
    yield "Family: edit a child"
    page.get_by_role("button", name="Delete my account…").click()
    expect(page.get_by_role("form", name="Delete your account?")).to_be_visible()
    yield "Your data: delete my account"
    page.get_by_role("button", name="Leave family…").click()
    expect(page.get_by_role("form", name="Hand over and leave")).to_be_visible()
    yield "Family: hand over and leave"
    page.get_by_role("button", name="Delete family…").click()
    expect(page.get_by_role("form", name="Delete this family?")).to_be_visible()
    yield "Family: delete family"

    open_hash(page, f"{f}/checkin")
    settle(page, "Check-in")
    expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()
    yield "Check-in: who"
    page.get_by_role("button", name=f"{LONG_CHILD} + me").click()
    expect(page.get_by_role("heading", name="How are you feeling?")).to_be_visible()
    yield "Check-in: my feeling"
    page.get_by_role("button", name="Frustrated").click()
    page.get_by_role("button", name="Angry (mad)").click()
    expect(page.get_by_role("heading", name=f"How big is {LONG_CHILD}'s feeling?")).to_be_visible()
    yield "Check-in: how big"
    page.get_by_role("button", name="4 a lot").click()
    expect(page.locator(".suggestion").first).to_be_visible()
    yield "Check-in: suggestions"


def sitter_screens(page: Page, app_url: str, busy: Busy):
    """A sitter's screens: the pass opened, their Today, Check-in, Strategies, Hand over,
    and a revoked pass refused."""
    page.goto(f"{app_url}/#/pass/{busy.pass_token}")
    settle(page, "Looking after the children?")
    yield "Sitter pass"
    page.get_by_label("Your first name").fill(LONG_CHILD)
    page.get_by_role("button", name="Start").click()
    settle(page, "Today")
    expect(page.locator(".sitter-welcome")).to_be_visible()
    yield "Sitter: Today"
    f = f"families/{busy.family_id}"
    for name, path, heading in [
        ("Sitter: Check-in", f"{f}/checkin", "Check-in"),
        ("Sitter: Strategies", f"{f}/strategies", "Strategies"),
        ("Sitter: Hand over", f"{f}/handover", "Hand over"),
    ]:
        open_hash(page, path)
        settle(page, heading)
        yield name
    open_hash(page, f"pass/{busy.revoked_pass_token}")
    settle(page, "Looking after the children?")
    page.get_by_label("Your first name").fill(LONG_CHILD)
    page.get_by_role("button", name="Start").click()
    settle(page, "This pass cannot be used now")
    yield "Sitter pass: refused"


def signed_out_screens(page: Page, app_url: str, busy: Busy):
    page.goto(f"{app_url}/#/login")
    for name, path, heading in [
        ("Log in", "login", "Welcome back"),
        ("Sign up", "signup", "Create your account"),
        ("Forgot password", "forgot", "Reset your password"),
        ("Join (signed out)", f"join/{busy.join_token}", "Join"),
    ]:
        open_hash(page, path)
        settle(page, heading)
        yield name
