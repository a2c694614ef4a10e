"""PDF reports (rendered by the worker's service, read back with pdftotext) and read-only
share links for a professional: only the chosen children, range and sections; noindex,
never cached, every visit recorded; expired or revoked → 410."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from checkins.models import Strategy
from families.models import hash_token
from reports import services, tasks
from reports.models import Report, Share, ShareVisit

from .conftest import client_for
from .support.factories import CheckInFactory, ChildFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(tasks.render_report, "delay", ids.append)
    return ids


@pytest.fixture
def data(family, child):
    """Sam: 3 big unpleasant feelings (2 in May, 1 in April), box breathing helped 2 of 3;
    his sister Lea has her own check-ins, with a note nobody outside may read."""
    box = Strategy.objects.get(family=None, key="box_breathing")
    for day, outcome in ((4, "better"), (5, "better"), (6, "worse")):
        CheckInFactory(
            family=family,
            child=child,
            emotion="angry",
            strategy=box,
            outcome=outcome,
            occurred_at=datetime(2026, 5, day, 17, tzinfo=UTC),
            note="Sam's private note" if day == 4 else "",
        )
    CheckInFactory(
        family=family, child=child, emotion="angry", occurred_at=datetime(2026, 4, 2, 9, tzinfo=UTC)
    )
    lea = ChildFactory(family=family, name="Leandra")
    CheckInFactory(
        family=family,
        child=lea,
        emotion="sad",
        note="Leandra's secret",
        occurred_at=datetime(2026, 5, 5, 9, tzinfo=UTC),
    )
    return lea


def pdf_text(content: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_a_report_is_queued_rendered_with_progress_and_downloaded(
    owner_client, family, child, data, queued, django_capture_on_commit_callbacks, tmp_path
):
    url = f"/api/v1/families/{family.pk}/reports/"
    body = {"children": [child.pk], "from": "2026-05-01", "to": "2026-05-31"}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, body, format="json")
    assert response.status_code == 202, response.json()
    answer = response.json()
    assert (answer["status"], answer["progress"], answer["pdf_url"]) == ("pending", 0, None)
    assert queued == [answer["id"]]
    assert owner_client.get(f"{url}{answer['id']}/pdf/").status_code == 404  # not yet

    services.run_report(answer["id"])  # what the worker runs
    done = owner_client.get(f"{url}{answer['id']}/").json()
    assert (done["status"], done["progress"]) == ("done", 100)
    assert done["pdf_url"] == f"{url}{answer['id']}/pdf/"
    pdf = owner_client.get(done["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "Sam" in text
    assert "1 May 2026 – 31 May 2026" in text
    assert "Page 1 of" in text
    assert "not medical advice" in text.lower()
    assert "3 check-ins" in text  # Sam's May, not April's
    assert "better 2 of 3 (67%)" in text
    assert "Leandra" not in text
    assert "private note" not in text  # notes only when asked


def test_a_report_with_notes_and_two_children(owner_client, family, child, data, queued, tmp_path):
    report = services.create_report(
        family=family,
        user=family.memberships.first().user,
        children=[child, data],
        first=date(2026, 5, 1),
        last=date(2026, 5, 31),
        sections=["what_helps"],
        include_notes=True,
        enqueue=lambda pk: None,
    )
    services.run_report(report.pk)
    report.refresh_from_db()
    text = pdf_text(bytes(report.pdf), tmp_path)
    assert "Sam's private note" in text
    assert "Leandra's secret" in text
    assert "Hard moments" not in text  # a section not chosen


def test_a_failed_rendering_is_recorded(family, child, monkeypatch):
    report = Report.objects.create(family=family, first=NOW.date(), last=NOW.date())
    report.children.set([child])
    monkeypatch.setattr(services.rendering, "render_pdf", lambda context: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == "failed"
    assert "division" in report.error


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"children": []}, "children"),
        ({"sections": ["diary"]}, "sections.0"),
        ({"from": "2026-06-01"}, "from"),
    ],
)
def test_bad_report_requests_name_the_field(owner_client, family, child, queued, change, field):
    body = {"children": [child.pk], "from": "2026-05-01", "to": "2026-05-31", **change}
    response = owner_client.post(f"/api/v1/families/{family.pk}/reports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_another_familys_child_cannot_be_in_a_report(owner_client, family, other_family, queued):
    theirs = ChildFactory(family=other_family)
    body = {"children": [theirs.pk], "from": "2026-05-01", "to": "2026-05-31"}
    response = owner_client.post(f"/api/v1/families/{family.pk}/reports/", body, format="json")
    assert response.status_code == 400
    assert "children" in response.json()["errors"]


# --- shares ----------------------------------------------------------------------------


def make_share(client, family, child, **extra):
    body = {
        "children": [child.pk],
        "from": "2026-05-01",
        "to": "2026-05-31",
        "expires_at": (NOW + timedelta(days=30)).isoformat(),
        "label": "Dr. Chen",
        **extra,
    }
    response = client.post(f"/api/v1/families/{family.pk}/shares/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_share_link_shows_only_its_child_range_and_sections_to_anyone(
    owner_client, owner, family, child, data
):
    made = make_share(owner_client, family, child)
    assert len(made["token"]) >= 43  # 32 random bytes: 256 bits
    assert made["url"].endswith(f"/share/{made['token']}/")
    share = Share.objects.get(pk=made["id"])
    assert share.token_hash == hash_token(made["token"])
    assert made["token"] not in str(Share.objects.values().get(pk=share.pk))

    anonymous = client_for(None)
    page = anonymous.get(f"/share/{made['token']}/", HTTP_USER_AGENT="Clinic browser")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sam" in html
    assert "Leandra" not in html
    assert "private note" not in html
    assert owner.email not in html
    assert "noindex" in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert page["Cache-Control"] == "private, no-store"
    assert "better 2 of 3" in html

    api = anonymous.get(f"/api/v1/share/{made['token']}/")
    assert api.status_code == 200
    assert [c["child"]["name"] for c in api.json()["children"]] == ["Sam"]
    assert api["Cache-Control"] == "private, no-store"

    pdf = anonymous.get(f"/share/{made['token']}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"

    # The family sees each visit; the list shows the share's status, never its token.
    visits = owner_client.get(f"/api/v1/families/{family.pk}/shares/{share.pk}/visits/").json()
    assert [v["user_agent"] for v in visits][-1] == "Clinic browser"
    assert len(visits) == 3
    listed = owner_client.get(f"/api/v1/families/{family.pk}/shares/").json()["results"]
    assert [(s["id"], s["status"], s["visits"]) for s in listed] == [(share.pk, "active", 3)]
    assert "token" not in listed[0]


def test_notes_only_when_ticked(owner_client, family, child, data):
    made = make_share(owner_client, family, child, include_notes=True)
    html = client_for(None).get(f"/share/{made['token']}/").content.decode()
    assert "Sam&#x27;s private note" in html or "Sam's private note" in html


def test_a_revoked_or_expired_link_is_gone_at_once(owner_client, family, child, data):
    made = make_share(owner_client, family, child)
    anonymous = client_for(None)
    assert anonymous.get(f"/share/{made['token']}/").status_code == 200
    response = owner_client.delete(f"/api/v1/families/{family.pk}/shares/{made['id']}/")
    assert response.status_code == 204
    for path in (f"/share/{made['token']}/", f"/share/{made['token']}/report.pdf",
                 f"/api/v1/share/{made['token']}/"):  # fmt: skip
        gone = anonymous.get(path)
        assert gone.status_code == 410
        assert "expired or was revoked" in gone.content.decode()
        assert gone["Cache-Control"] == "private, no-store"
    listed = owner_client.get(f"/api/v1/families/{family.pk}/shares/").json()["results"]
    assert listed[0]["status"] == "revoked"

    later = make_share(
        owner_client, family, child, expires_at=(NOW + timedelta(days=1)).isoformat()
    )
    with time_machine.travel(NOW + timedelta(days=1, seconds=1), tick=False):
        assert anonymous.get(f"/share/{later['token']}/").status_code == 410
    assert anonymous.get("/share/not-a-token/").status_code == 410
    assert ShareVisit.objects.filter(share_id=made["id"]).count() == 1


@pytest.mark.parametrize(
    ("expires", "ok"),
    [(timedelta(days=90), True), (timedelta(days=91), False), (-timedelta(hours=1), False)],
)
def test_a_link_lasts_at_most_90_days(owner_client, family, child, expires, ok):
    body = {
        "children": [child.pk],
        "from": "2026-05-01",
        "to": "2026-05-31",
        "expires_at": (timezone.now() + expires).isoformat(),
    }
    response = owner_client.post(f"/api/v1/families/{family.pk}/shares/", body, format="json")
    assert response.status_code == (201 if ok else 400)
    if not ok:
        assert "expires_at" in response.json()["errors"]


def test_the_link_is_throttled(owner_client, family, child, settings):
    made = make_share(owner_client, family, child)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "share": "2/hour",
        },
    }
    ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        anonymous = client_for(None)
        codes = [anonymous.get(f"/share/{made['token']}/").status_code for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [200, 200, 429]


def test_outsiders_cannot_see_or_revoke_a_familys_shares(
    owner_client, outsider_client, family, child
):
    made = make_share(owner_client, family, child)
    base = f"/api/v1/families/{family.pk}/shares/{made['id']}/"
    assert outsider_client.get(base).status_code == 404
    assert outsider_client.delete(base).status_code == 404
    assert client_for(None).get(f"/share/{made['token']}/").status_code == 200
