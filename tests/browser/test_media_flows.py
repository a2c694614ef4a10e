"""Step media in Chromium: a caregiver adds a photo to a step (a real JPEG through the file
input) and records a voice prompt (the fake microphone through MediaRecorder); the step
shows the thumbnail and plays the voice, and axe finds nothing serious on the editor."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from families.models import Media, Role
from routines.models import RoutineStep
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from tests.support.media import jpeg, make_media, sample

from .helpers import log_in, wait_for_service_worker
from .test_phone_layout_flows import axe_problems

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bedtime():
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    MembershipFactory(family=family, role=Role.CAREGIVER, user__email="bob@example.com")
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(family=family, name="Bedtime", children=[sam], steps=2)
    return family, routine


def saved(routine) -> bool:
    try:
        return RoutineStep.objects.filter(routine=routine, photo__isnull=False).exists()
    except OperationalError:  # the in-memory database is busy with the live server
        return False


def test_a_caregiver_adds_a_step_photo_and_records_a_voice_prompt(page, app_url, bedtime, tmp_path):
    family, routine = bedtime
    photo = tmp_path / "toothbrush.jpg"
    photo.write_bytes(jpeg(800, 600, colour="orange"))
    log_in(page, app_url, "bob@example.com")
    page.goto(f"{app_url}/#/families/{family.pk}/routines/{routine.pk}")
    expect(page.get_by_label("Step 1", exact=True)).to_have_value("Step 1")

    page.locator("#s1-photo-file, [id$='-photo-file']").first.set_input_files(str(photo))
    thumbnail = page.get_by_role("img", name="Photo: Step 1")
    expect(thumbnail).to_be_visible()
    wait_until(lambda: thumbnail.evaluate("(img) => img.complete && img.naturalWidth > 0"), 10,
               message="the thumbnail did not load")  # fmt: skip

    page.get_by_role("button", name="Record voice (Step 1)").click()
    expect(page.get_by_text("s left").first).to_be_visible()  # the countdown
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Stop (Step 1)").click()
    play = page.get_by_role("button", name="Play voice (Step 1)")
    expect(play).to_be_visible()
    play.click()
    audio = page.locator(".media-recorder audio").first
    wait_until(lambda: audio.evaluate("(a) => a.currentTime > 0 || a.ended"), 10,
               message="the voice prompt did not play")  # fmt: skip

    problems = axe_problems(page, "routine editor with media")
    assert not problems, problems
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width

    page.get_by_role("button", name="Save routine").click()
    wait_until(lambda: saved(routine), 10)
    step = RoutineStep.objects.select_related("photo", "voice").get(routine=routine, position=0)
    assert step.photo.kind == "image"
    assert step.voice.kind == "audio"
    assert step.voice.content_type == "audio/webm"
    assert 1 <= step.voice.duration_ms / 1000 <= 4
    assert Media.objects.filter(family=family).count() == 2


def test_an_owner_gives_a_child_a_photo_in_the_family_screen(page, app_url, bedtime, tmp_path):
    family, _routine = bedtime
    photo = tmp_path / "sam.jpg"
    photo.write_bytes(jpeg(400, 400, colour="skyblue"))
    log_in(page, app_url, "ana@example.com")
    page.goto(f"{app_url}/#/families/{family.pk}/family")
    page.get_by_role("button", name="Edit Sam").click()
    page.locator("[id$='-photo-file']").first.set_input_files(str(photo))
    expect(page.get_by_role("img", name="Photo: Sam")).to_be_visible()
    problems = axe_problems(page, "child editor with a photo")
    assert not problems, problems
    page.get_by_role("form", name="Edit Sam").get_by_role("button", name="Save").click()
    expect(page.locator("#children-list img.avatar-photo")).to_be_visible()
    child = family.children.get(name="Sam")
    assert child.photo is not None
    assert child.photo.kind == "image"


def test_the_service_worker_keeps_media_for_offline_and_drops_them_on_sign_out(
    page, context, app_url, bedtime
):
    family, _routine = bedtime
    owner = family.memberships.get(role=Role.OWNER).user
    voice = make_media(family, kind="audio", data=sample("voice.webm"), user=owner)
    url = f"/api/v1/families/{family.pk}/media/{voice.pk}/{voice.file.rsplit('/', 1)[-1]}"
    log_in(page, app_url, "ana@example.com")
    expect(page.get_by_role("link", name="Routines")).to_be_visible()
    wait_for_service_worker(page)
    page.reload()
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    fetch = """async ([url, range]) => {
      const r = await fetch(url, range ? { headers: { Range: range } } : {});
      return [r.status, (await r.arrayBuffer()).byteLength];
    }"""
    whole = len(sample("voice.webm"))
    assert page.evaluate(fetch, [url, None]) == [200, whole]
    context.set_offline(True)
    assert page.evaluate(fetch, [url, None]) == [200, whole]  # from the media cache
    assert page.evaluate(fetch, [url, "bytes=0-99"]) == [206, 100]
    context.set_offline(False)
    assert page.evaluate("() => caches.has('tandem-media')")
    page.evaluate("() => navigator.serviceWorker.controller.postMessage('logout')")
    wait_until(
        lambda: not page.evaluate("() => caches.has('tandem-media')"),
        10,
        message="the media cache outlived sign-out",
    )
