"""Child mode end to end, in two Chromium contexts: Ana photographs Sam's first step and
records her voice for it in the routine editor (the fake camera and microphone); a
second context pairs as Sam's tablet with the code and sees only Sam; the tablet shows
the photo, plays Ana's voice, ticks the step and says the next one; Sam makes a picture
check-in and Ana's phone gets "Sam says: mad, big" through the test push service
(decrypted); a long press and the family PIN get the grown-up out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from checkins.models import CheckIn
from families import devices, pin
from families.models import Membership, Role
from routines.models import RoutineStep, StepCompletion
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from tests.support.media import jpeg
from tests.support.reminder_fixtures import add_device

from .helpers import log_in
from .test_child_device_flows import deliver_due_pushes, eventually
from .test_phone_layout_flows import axe_problems

pytestmark = pytest.mark.django_db(transaction=True)

# What the tablet says aloud and which recordings it plays (the test has no ears).
LISTEN = """
window.__spoken = [];
window.__played = [];
speechSynthesis.speak = (utterance) => { window.__spoken.push(utterance.text); };
speechSynthesis.cancel = () => {};
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__played.push(this.src);
  return realPlay.call(this).catch(() => {});
};
"""


@pytest.fixture
def teeth():
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    ana = MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    sam = ChildFactory(family=family, name="Sam", avatar="🦊")
    lu = ChildFactory(family=family, name="Lu", avatar="🐼")
    routine = RoutineFactory(family=family, name="Teeth", children=[sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=routine, position=i, icon=icon, title=title, duration_minutes=2)
        for i, (icon, title) in enumerate([("🪥", "Brush"), ("💧", "Rinse")])
    )
    RoutineFactory(family=family, name="Lu's bath", children=[lu], steps=2)
    pin.set_pin(family, "2468")
    return family, ana, sam, routine


def test_a_photo_and_a_voice_reach_sams_tablet_and_sams_feeling_reaches_ana(
    page, new_context, app_url, teeth, push, tmp_path
):
    family, ana, sam, routine = teeth
    add_device(push, ana.user, "ana-phone")
    photo = tmp_path / "toothbrush.jpg"
    photo.write_bytes(jpeg(800, 600, colour="orange"))

    # Ana adds a photo and her voice to "Brush".
    log_in(page, app_url, "ana@example.com")
    page.goto(f"{app_url}/#/families/{family.pk}/routines/{routine.pk}")
    expect(page.get_by_label("Step 1", exact=True)).to_have_value("Brush")
    page.locator("[id$='-photo-file']").first.set_input_files(str(photo))
    expect(page.get_by_role("img", name="Photo: Step 1")).to_be_visible()
    page.get_by_role("button", name="Record voice (Step 1)").click()
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Stop (Step 1)").click()
    expect(page.get_by_role("button", name="Play voice (Step 1)")).to_be_visible()
    page.get_by_role("button", name="Save routine").click()
    eventually(
        lambda: RoutineStep.objects.filter(
            routine=routine, title="Brush", photo__isnull=False, voice__isnull=False
        ).exists()
    )

    # Sam's tablet pairs with the code (as the QR code's link does) and shows only Sam.
    code = devices.create_device(
        membership=Membership.objects.get(pk=ana.pk), name="Sam's tablet", children=[sam]
    ).code
    tablet_context = new_context()
    tablet_context.add_init_script(LISTEN)
    tablet = tablet_context.new_page()
    tablet.goto(f"{app_url}/#/pair-device/{code}")
    expect(tablet.get_by_role("heading", level=1, name="Sam: Teeth")).to_be_visible()
    expect(tablet.get_by_text("Lu")).to_have_count(0)
    expect(tablet.locator("#tabs")).to_be_hidden()
    picture = tablet.locator(".child-photo.big")
    wait_until(lambda: picture.evaluate("(img) => img.complete && img.naturalWidth > 0"), 10,
               message="the step's photo did not load on the tablet")  # fmt: skip
    voice = RoutineStep.objects.get(routine=routine, title="Brush").voice
    wait_until(
        lambda: any(f"/media/{voice.pk}/" in src for src in tablet.evaluate("window.__played")),
        10,
        message="Ana's recording was not played",
    )
    assert axe_problems(tablet, "the tablet's child view with a photo") == []

    # Done: the step is ticked on the server and the next one is said (no recording).
    tablet.get_by_role("button", name="Done: Brush").click()
    expect(tablet.locator(".child-now-title")).to_have_text("Rinse")
    eventually(lambda: StepCompletion.objects.filter(run__child=sam).count() == 1)
    wait_until(lambda: "Rinse" in tablet.evaluate("window.__spoken"), 10)

    # Sam's own check-in: a face, a size, no typing; Ana's phone is told.
    tablet.get_by_role("link", name="How do I feel?").click()
    tablet.get_by_role("button", name="mad", exact=True).click()
    tablet.get_by_role("button", name="big", exact=True).click()
    expect(tablet.get_by_role("heading", name="Thank you. A grown-up is coming.")).to_be_visible()
    eventually(lambda: CheckIn.objects.filter(by_child=True, child=sam).exists())
    deliver_due_pushes()
    [message] = push.wait_for(1, timeout=10)
    assert message.payload["title"] == "Sam says: mad, big"
    assert f"child={sam.pk}" in message.payload["url"]
    assert "emotion=angry" in message.payload["url"]

    # Back on Sam's view, the grown-up leaves with a long press and the PIN.
    expect(tablet.get_by_role("heading", level=1, name="Sam: Teeth")).to_be_visible(timeout=10_000)
    tablet.get_by_role("button", name="Grown-ups").focus()
    tablet.keyboard.down("Enter")
    tablet.wait_for_timeout(1700)
    tablet.keyboard.up("Enter")
    dialog = tablet.get_by_role("dialog", name="Grown-ups: enter the family PIN")
    expect(dialog).to_be_visible()
    for digit in "2468":
        dialog.get_by_role("button", name=digit, exact=True).click()
    dialog.get_by_role("button", name="Check the PIN").click()
    expect(tablet.get_by_role("heading", level=1, name="Who are you?")).to_be_visible()
