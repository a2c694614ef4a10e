"""Every screen on a phone: nothing scrolls sideways at 320–414 px with the longest names
and e-mails and 200 check-ins, and axe-core finds no serious accessibility problem."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import log_in
from .screens import AXE, busy_family, signed_in_screens, signed_out_screens, sitter_screens

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [320, 360, 414]

# What sticks out to the right, for the failure message.
OVERFLOW = """(screenWidth) => {
  const width = Math.min(window.innerWidth, screenWidth);
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !el.closest('.sr-only')) {
      const name = `${el.tagName.toLowerCase()}.${el.className || ''}#${el.id || ''}`;
      out.push(`${name} right=${Math.round(box.right)}`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    culprits: out.slice(0, 8),
  };
}"""


@pytest.fixture
def busy():
    return busy_family()


def check_no_sideways_scroll(page, where: str, failures: list[str]) -> None:
    screen = page.viewport_size["width"]
    found = page.evaluate(OVERFLOW, screen)
    # A phone widens its layout viewport to fit content that is too wide (and zooms out):
    # then innerWidth grows past the screen's width, and scrollWidth with it.
    if found["scrollWidth"] > found["innerWidth"] or found["innerWidth"] > screen:
        failures.append(f"{where}: {found}")


def test_no_screen_scrolls_sideways_on_a_phone(page, new_context, app_url, busy):
    failures: list[str] = []
    log_in(page, app_url, busy.email)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        for name in signed_in_screens(page, busy):
            check_no_sideways_scroll(page, f"{name} at {width}px", failures)

    guest = new_context().new_page()
    for width in WIDTHS:
        guest.set_viewport_size({"width": width, "height": 740})
        for name in signed_out_screens(guest, app_url, busy):
            check_no_sideways_scroll(guest, f"{name} at {width}px", failures)

    sitter = new_context().new_page()
    for width in WIDTHS:
        sitter.set_viewport_size({"width": width, "height": 740})
        for name in sitter_screens(sitter, app_url, busy):
            check_no_sideways_scroll(sitter, f"{name} at {width}px", failures)
    assert not failures, "\n".join(failures)


def axe_problems(page, where: str) -> list[str]:
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script>: the CSP stays on
    result = page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {
              type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa',
                'best-practice', 'experimental'],
            },
            resultTypes: ['violations'],
          });
          return result.violations
            .filter((v) => ['serious', 'critical'].includes(v.impact)
              || v.id === 'label-content-name-mismatch')
            .map((v) => {
              const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
              return `${v.id} (${v.impact}): ${where}`;
            });
        }"""
    )
    return [f"{where}: {problem}" for problem in result]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_problem_on_any_screen(page, new_context, app_url, busy, scheme):
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    problems: list[str] = []
    log_in(page, app_url, busy.email)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    for name in signed_in_screens(page, busy):
        problems += axe_problems(page, name)

    guest = new_context().new_page()
    guest.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    for name in signed_out_screens(guest, app_url, busy):
        problems += axe_problems(guest, name)

    sitter = new_context().new_page()
    sitter.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    for name in sitter_screens(sitter, app_url, busy):
        problems += axe_problems(sitter, name)
    assert not problems, "\n".join(problems)
