"""The child view in Chromium: a caregiver hands the phone to Sam. The step is said aloud
and its timer shrinks; Done ticks it (on the server too) and the next is said; the end
is a calm celebration; mute silences it; only a long press and the family PIN get out."""

import re

import pytest
from playwright.sync_api import expect

from families import pin
from families.models import Role
from routines.models import RoutineStep, StepCompletion
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = [("🧼", "Wash", 1), ("👕", "Dress", 2), ("👟", "Shoes", 1)]

# Records what the page says aloud and every tone it makes, instead of making sounds.
LISTEN = """
window.__spoken = [];
window.__tones = 0;
const realSpeak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (utterance) => {
  window.__spoken.push({ text: utterance.text, lang: utterance.lang });
  try { realSpeak(utterance); } catch (e) {}
};
const realTone = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__tones += 1;
  return realTone.call(this);
};
"""


@pytest.fixture
def morning():
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    ana = MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    sam = ChildFactory(family=family, name="Sam", avatar="🦊")
    routine = RoutineFactory(family=family, name="Morning", children=[sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=routine, position=i, icon=icon, title=title, duration_minutes=minutes)
        for i, (icon, title, minutes) in enumerate(STEPS)
    )
    return family, ana.user, sam, routine


def spoken(page) -> list[str]:
    return [s["text"] for s in page.evaluate("() => window.__spoken")]


def open_child_view(page, app_url, email="ana@example.com"):
    page.add_init_script(LISTEN)
    page.clock.install()
    log_in(page, app_url, email)
    page.get_by_role("link", name="Child view for Sam").click()
    expect(page.get_by_role("heading", level=1, name="Sam: Morning")).to_be_visible()


def hold(page, button, ms: int) -> None:
    """Press and hold ``button`` for ``ms`` of the page's time, then let go."""
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.clock.run_for(ms)
    page.mouse.up()
    page.clock.resume()


def test_a_child_follows_the_routine_spoken_timed_and_celebrated(page, app_url, morning):
    _family, _ana, sam, _routine = morning
    open_child_view(page, app_url)
    # Full screen: no tabs, no top bar.
    expect(page.locator("#tabs")).to_be_hidden()
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".child-now-title")).to_have_text("Wash")
    expect(page.locator(".child-emoji.big")).to_have_text("🧼")
    expect(page.locator(".child-next")).to_contain_text("Dress")
    # Said aloud on opening, in the page's language.
    wait_until(lambda: spoken(page) == ["Wash"], 10, interval=0.1)
    assert page.evaluate("() => window.__spoken[0].lang") == "en"
    done = page.get_by_role("button", name="Done: Wash")
    box = done.bounding_box()
    assert box["height"] >= 88
    assert box["width"] >= 88

    # The timer shrinks as the minute passes, and a soft chime ends it (no alarm, no red).
    timer = page.get_by_role("progressbar", name="Time for this step")
    start = int(timer.get_attribute("aria-valuenow"))
    assert start >= 95
    page.clock.run_for(30_000)
    half = int(timer.get_attribute("aria-valuenow"))
    assert 40 <= half <= 55, half
    assert page.evaluate("() => window.__tones") == 0
    page.clock.run_for(31_000)
    page.clock.resume()
    expect(timer).to_have_attribute("aria-valuenow", "0")
    expect(page.locator(".child-timer-words")).to_have_text("Take your time")
    wait_until(lambda: page.evaluate("() => window.__tones") == 2, 5, interval=0.1)
    colour = page.locator(".child-timer-fill").evaluate(
        "(el) => getComputedStyle(el).backgroundColor"
    )
    assert colour == "rgb(0, 114, 178)"  # the colour-blind-safe blue

    # Done: ticked on the server through the outbox, the next step is said.
    done.click()
    expect(page.locator(".child-now-title")).to_have_text("Dress")
    wait_until(lambda: spoken(page)[-1:] == ["Dress"], 10, interval=0.1)
    wait_until(lambda: StepCompletion.objects.filter(run__child=sam).count() == 1, 10)
    expect(page.get_by_role("status").filter(has_text="Now: Dress")).to_be_attached()

    # Muted (and remembered on this device): the next step is not said.
    sound = page.get_by_role("button", name="Sound")
    expect(sound).to_have_attribute("aria-pressed", "true")
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => localStorage.getItem('tandem-child-muted')") == "1"
    page.clock.run_for(1000)  # not a double tap
    page.clock.resume()
    page.get_by_role("button", name="Done: Dress").click()
    expect(page.locator(".child-now-title")).to_have_text("Shoes")
    expect(page.locator(".child-next")).to_have_text("This is the last step")
    page.wait_for_timeout(300)
    assert spoken(page) == ["Wash", "Dress"]
    sound.click()  # sound back on: the step on display is said again
    wait_until(lambda: spoken(page)[-1:] == ["Shoes"], 10, interval=0.1)

    # The end: a calm celebration, said aloud; it moves only without reduced motion.
    page.clock.run_for(1000)
    page.clock.resume()
    page.get_by_role("button", name="Done: Shoes").click()
    expect(page.get_by_text("All done!", exact=True).first).to_be_visible()
    expect(page.get_by_text("Well done, Sam!")).to_be_visible()
    wait_until(lambda: spoken(page)[-1:] == ["All done!"], 10, interval=0.1)
    star = page.locator(".child-star")
    assert star.evaluate("(el) => getComputedStyle(el).animationName") == "child-glow"
    page.emulate_media(reduced_motion="reduce")
    assert star.evaluate("(el) => getComputedStyle(el).animationName") == "none"
    wait_until(lambda: StepCompletion.objects.filter(run__child=sam).count() == 3, 10)
    # The child's own check-in is a tablet's (it pushes to the grown-ups); on a grown-up's
    # phone the grown-up is there (test_child_device_flows follows the tablet's button).
    expect(page.get_by_role("link", name="How do I feel?")).to_have_count(0)


def test_only_a_long_press_and_the_pin_leave_the_child_view(page, app_url, morning):
    family, _ana, sam, _routine = morning
    pin.set_pin(family, "2468")
    open_child_view(page, app_url)
    heading = page.get_by_role("heading", level=1, name="Sam: Morning")

    # The back button alone does not leave.
    page.go_back()
    expect(heading).to_be_visible()
    assert re.search(rf"#/child/{family.id}/{sam.id}", page.url)
    # Neither does a link typed in (another screen of the app).
    page.evaluate(f"() => {{ location.hash = '#/families/{family.id}/settings'; }}")
    expect(heading).to_be_visible()

    grown_ups = page.get_by_role("button", name="Grown-ups")
    box = grown_ups.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 44
    hold(page, grown_ups, 800)  # too short: nothing
    dialog = page.get_by_role("dialog", name="Grown-ups: enter the family PIN")
    expect(dialog).to_have_count(0)
    # The press shows its progress while held.
    grown_ups.hover()
    page.mouse.down()
    page.clock.run_for(750)
    held = float(grown_ups.evaluate("(el) => el.style.getPropertyValue('--hold')"))
    assert 0.3 < held < 0.7, held
    page.clock.run_for(900)
    page.mouse.up()
    page.clock.resume()
    expect(dialog).to_be_visible()

    # A wrong PIN stays in the child view.
    for digit in "1111":
        dialog.get_by_role("button", name=digit, exact=True).click()
    dialog.get_by_role("button", name="Check the PIN").click()
    expect(dialog.get_by_role("alert")).to_have_text("That is not the PIN. Try again.")
    expect(heading).to_be_attached()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(grown_ups).to_be_focused()

    # Press and hold with the keyboard, then the right PIN: back to Today.
    page.keyboard.down("Enter")
    page.clock.run_for(1600)
    page.keyboard.up("Enter")
    page.clock.resume()
    expect(dialog).to_be_visible()
    for digit in "2468":
        dialog.get_by_role("button", name=digit, exact=True).click()
    dialog.get_by_role("button", name="Check the PIN").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page.locator("#tabs")).to_be_visible()
    # Unlocked: the back button now goes where it says.
    page.go_back()
    expect(heading).to_be_visible()


def test_without_a_pin_the_long_press_leaves_and_the_owner_is_nudged(page, app_url, morning):
    assert not morning[0].has_pin
    open_child_view(page, app_url)
    hold(page, page.get_by_role("button", name="Grown-ups"), 1600)
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page.locator("#toast")).to_contain_text("Set a family PIN in Family")


def test_a_caregiver_gives_the_routine_a_finish_time_in_the_editor(page, app_url, morning):
    family, _ana, _sam, routine = morning
    log_in(page, app_url, "ana@example.com")
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    page.evaluate(f"() => {{ location.hash = '#/families/{family.id}/routines/{routine.id}'; }}")
    finish = page.get_by_label("Finish by (optional)")
    finish.fill("19:33")
    page.get_by_role("button", name="Save routine").click()
    expect(page.get_by_role("heading", level=1, name="Routines")).to_be_visible()
    routine.refresh_from_db()
    assert routine.finish_by.strftime("%H:%M") == "19:33"
    # Three minutes from the 19:30 start for four minutes of steps: a minute each, the
    # plan the child view's timer runs on.
    board = page.evaluate(
        f"() => fetch('/api/v1/families/{family.id}/today/').then((r) => r.json())"
    )
    steps = board["children"][0]["routines"][0]["steps"]
    assert [s["planned_seconds"] for s in steps] == [60, 60, 60]
    page.evaluate(f"() => {{ location.hash = '#/families/{family.id}/routines/{routine.id}'; }}")
    expect(page.get_by_label("Finish by (optional)")).to_have_value("19:33")
    page.get_by_label("Finish by (optional)").fill("")
    page.get_by_role("button", name="Save routine").click()
    expect(page.get_by_role("heading", level=1, name="Routines")).to_be_visible()
    routine.refresh_from_db()
    assert routine.finish_by is None
