"""Calendar feeds (iCalendar): what a calendar app subscribing to the URL gets.

The feed is parsed with ``icalendar`` and expanded with ``recurring-ical-events`` (as a
calendar app would) over a year that spans both DST changes, in Europe/Madrid and
America/New_York, and every occurrence is compared with Tandem's own schedule
(``reminders.scheduling.next_routine_fire``): there must be no disagreement at all.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from calendars.models import CalendarFeed
from care import handover
from families import away, sitters
from families.models import Membership, Role, hash_token
from families.services import remove_membership, set_member_children
from reminders.scheduling import next_routine_fire

from .conftest import client_for
from .support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

pytestmark = pytest.mark.django_db

YEAR = 2027
# (name, weekdays, start): 02:30 on Sundays falls in the spring-forward gap in both zones
# and is ambiguous at Madrid's fall-back; 01:30 is ambiguous at New York's.
ROUTINES = [
    ("Morning", [1, 2, 3, 4, 5, 6, 7], time(7, 0), [10, 0]),
    ("Bedtime", [1, 2, 3, 4, 5], time(19, 30), [15]),
    ("Night owl", [7], time(2, 30), [5, -5]),
    ("Late bath", [6, 7], time(1, 30), []),
    ("Midnight", [3], time(0, 5), [10]),
]


def feeds_url(family):
    return f"/api/v1/families/{family.pk}/calendar-feeds/"


def make_feed(user, family, **body):
    response = client_for(user).post(feeds_url(family), body or {"scope": "family"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def fetch(url, **headers):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return client_for(None).get("/" + path, **headers)


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def tandem_starts(routine, zone: ZoneInfo, first: datetime, last: datetime, skip=()) -> set:
    """Every start of ``routine`` in [first, last) by Tandem's scheduler (offset 0)."""
    starts, after = set(), first - timedelta(microseconds=1)
    while True:
        found = next_routine_fire(
            tz=zone,
            weekdays=routine.days_of_week,
            start_time=routine.start_time,
            offset_minutes=0,
            after=after,
        )
        assert found is not None
        fire_at, day = found
        if fire_at >= last:
            return starts
        if day not in skip:
            starts.add(fire_at)
        after = fire_at


@pytest.mark.parametrize("zone_name", ["Europe/Madrid", "America/New_York"])
def test_a_year_of_the_feed_is_exactly_tandems_schedule_across_both_dst_changes(zone_name):
    family = FamilyFactory(timezone=zone_name)
    owner = MembershipFactory(family=family, role=Role.OWNER).user
    sam, alex = ChildFactory(family=family, name="Sam"), ChildFactory(family=family, name="Alex")
    routines = [
        RoutineFactory(
            family=family,
            name=name,
            days_of_week=days,
            start_time=start,
            reminder_offsets=offsets,
            children=[sam, alex],
            created_at=datetime(2026, 6, 1, tzinfo=UTC),
        )
        for name, days, start, offsets in ROUTINES
    ]
    # Sam away over a fortnight that includes both a Sunday and the March change.
    away.add_away(child=sam, first=date(YEAR, 3, 20), last=date(YEAR, 4, 2), note="at Dad's")
    sam_away = {date(YEAR, 3, 20) + timedelta(days=n) for n in range(14)}
    feed = make_feed(owner, family)
    calendar = parse(fetch(feed["url"]))
    zone = ZoneInfo(zone_name)
    first = datetime(YEAR, 1, 1, tzinfo=zone).astimezone(UTC)
    last = datetime(YEAR + 1, 1, 1, tzinfo=zone).astimezone(UTC)

    expanded: dict[str, set[datetime]] = {}
    for event in recurring_ical_events.of(calendar).between(first, last):
        uid = str(event["UID"])
        if uid.startswith("routine-"):
            expanded.setdefault(uid, set()).add(event.decoded("DTSTART").astimezone(UTC))
    disagreements = []
    compared = 0
    for routine in routines:
        for child, skip in ((sam, sam_away), (alex, set())):
            uid = f"routine-{routine.pk}-child-{child.pk}@testserver"
            expected = tandem_starts(routine, zone, first, last, skip)
            got = expanded.get(uid, set())
            compared += len(expected)
            disagreements += [(routine.name, child.name, "missing", t) for t in expected - got]
            disagreements += [(routine.name, child.name, "extra", t) for t in got - expected]
    assert disagreements == []
    assert compared > 1500  # a year of five routines for two children


def test_the_feed_carries_timezone_steps_alarms_exdates_and_stable_uids(owner, family, child):
    routine = RoutineFactory(
        family=family, name="Bedtime", children=[child], reminder_offsets=[10, 0], steps=0
    )
    routine.steps.create(position=0, title="Bath", icon="🛁", duration_minutes=20)
    routine.steps.create(position=1, title="Story", icon="📖", duration_minutes=None)
    today = timezone.now().astimezone(family.zone).date()
    away.add_away(child=child, first=today + timedelta(days=3), last=today + timedelta(days=4))
    feed = make_feed(owner, family)
    first = fetch(feed["url"])
    calendar = parse(first)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    [event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("routine-")]
    assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert event.decoded("DTSTART").time() == time(19, 30)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert sorted(event["RRULE"]["BYDAY"]) == sorted(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
    assert "1. 🛁 Bath (20 minutes)" in str(event["DESCRIPTION"])
    assert "2. 📖 Story" in str(event["DESCRIPTION"])
    triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
    assert triggers == [timedelta(minutes=-10), timedelta(0)]
    exdates = [d.dt for d in event["EXDATE"].dts]
    assert [d.date() for d in exdates] == [today + timedelta(days=3), today + timedelta(days=4)]
    assert all(d.time() == time(19, 30) for d in exdates)
    [away_event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("away-")]
    assert away_event.decoded("DTSTART") == today + timedelta(days=3)
    # The same feed twice: byte for byte the same, so the same UIDs and ETag.
    again = fetch(feed["url"])
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert first["Cache-Control"].startswith("private, max-age=")
    assert "Set-Cookie" not in first


def test_conditional_requests_answer_304_until_the_feed_changes(owner, family, child):
    routine = RoutineFactory(family=family, children=[child])
    feed = make_feed(owner, family)
    first = fetch(feed["url"])
    etag, modified = first["ETag"], first["Last-Modified"]
    assert fetch(feed["url"], HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert fetch(feed["url"], HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert fetch(feed["url"], HTTP_IF_NONE_MATCH='"other"').status_code == 200
    routine.name = "Renamed"
    routine.save()
    changed = fetch(feed["url"], HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Renamed" in changed.content.decode()
    # A deletion leaves no timestamp: the new content is noticed all the same.
    gone = away.add_away(child=child, first=date(2026, 1, 1), last=date(2026, 1, 2))
    with_away = fetch(feed["url"])
    gone.delete()
    assert fetch(feed["url"], HTTP_IF_NONE_MATCH=with_away["ETag"]).status_code == 200


def test_the_token_is_long_hashed_and_revocable_and_regenerable(owner, family, child):
    feed = make_feed(owner, family)
    token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 256 bits in URL-safe base64
    assert feed["webcal_url"] == "webcal://" + feed["url"].split("://", 1)[1]
    stored = CalendarFeed.objects.get(pk=feed["id"])
    assert stored.token_hash == hash_token(token)
    assert token not in {stored.token_hash, str(stored.__dict__)}
    listed = client_for(owner).get(feeds_url(family)).json()["results"]
    assert [f["id"] for f in listed] == [feed["id"]]
    assert "url" not in listed[0]

    renewed = client_for(owner).post(f"{feeds_url(family)}{feed['id']}/regenerate/")
    assert renewed.status_code == 200
    assert renewed.json()["url"] != feed["url"]
    assert fetch(feed["url"]).status_code == 404
    assert fetch(renewed.json()["url"]).status_code == 200

    assert client_for(owner).delete(f"{feeds_url(family)}{feed['id']}/").status_code == 204
    assert fetch(renewed.json()["url"]).status_code == 404
    assert client_for(owner).get(feeds_url(family)).json()["results"] == []
    assert fetch("https://testserver/api/v1/cal/nonsense.ics").status_code == 404


def _uids(response) -> set[str]:
    return {str(e["UID"]) for e in parse(response).walk("VEVENT")}


def test_scopes_and_limited_members_see_only_their_children(owner, family):
    sam, alex = ChildFactory(family=family, name="Sam"), ChildFactory(family=family, name="Alex")
    r_sam = RoutineFactory(family=family, children=[sam])
    r_alex = RoutineFactory(family=family, children=[alex])
    limited = MembershipFactory(family=family, role=Role.CAREGIVER)
    set_member_children(limited, [sam])
    family_feed = make_feed(limited.user, family)
    assert _uids(fetch(family_feed["url"])) == {f"routine-{r_sam.pk}-child-{sam.pk}@testserver"}
    # Another child's feed is refused as another family's child is.
    refused = client_for(limited.user).post(
        feeds_url(family), {"scope": "child", "child": alex.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "child" in refused.json()["errors"]
    missing = client_for(owner).post(feeds_url(family), {"scope": "child"}, format="json")
    assert missing.status_code == 400
    assert "child" in missing.json()["errors"]
    bad = client_for(owner).post(feeds_url(family), {"scope": "week"}, format="json")
    assert bad.status_code == 400
    assert "scope" in bad.json()["errors"]

    alex_feed = make_feed(owner, family, scope="child", child=alex.pk)
    assert (alex_feed["scope"], alex_feed["child"]) == ("child", alex.pk)
    assert _uids(fetch(alex_feed["url"])) == {f"routine-{r_alex.pk}-child-{alex.pk}@testserver"}

    owner_membership = Membership.objects.get(family=family, user=owner)
    duty_feed = make_feed(owner, family, scope="duty")
    assert _uids(fetch(duty_feed["url"])) == set()
    handover.start_duty(owner_membership, sam)
    assert _uids(fetch(duty_feed["url"])) == {f"routine-{r_sam.pk}-child-{sam.pk}@testserver"}

    # Each member lists only their own feeds; another's is 404 to them.
    mine = client_for(limited.user).get(feeds_url(family)).json()["results"]
    assert [f["id"] for f in mine] == [family_feed["id"]]
    other = client_for(limited.user).delete(f"{feeds_url(family)}{alex_feed['id']}/")
    assert other.status_code == 404

    # What a feed shows is decided when it is read: the member now sees Alex too...
    sam_feed = make_feed(limited.user, family, scope="child", child=sam.pk)
    set_member_children(limited, [sam, alex])
    assert _uids(fetch(family_feed["url"])) == {
        f"routine-{r_sam.pk}-child-{sam.pk}@testserver",
        f"routine-{r_alex.pk}-child-{alex.pk}@testserver",
    }
    # ...and no longer Sam: Sam's own feed of theirs is gone.
    set_member_children(limited, [alex])
    assert fetch(sam_feed["url"]).status_code == 404


def test_a_sitter_cannot_make_feeds_and_removing_a_member_kills_theirs(owner, family, child):
    issued = sitters.create_pass(
        membership=Membership.objects.get(family=family, user=owner),
        children=[child],
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=3),
    )
    sitter = sitters.redeem(token=issued.token, name="Grandma").user
    refused = client_for(sitter).post(feeds_url(family), {"scope": "duty"}, format="json")
    assert refused.status_code == 403

    member = MembershipFactory(family=family, role=Role.CAREGIVER)
    feed = make_feed(member.user, family)
    assert fetch(feed["url"]).status_code == 200
    remove_membership(member)
    assert fetch(feed["url"]).status_code == 404
    assert not CalendarFeed.objects.filter(pk=feed["id"]).exists()


def test_a_paused_routine_leaves_the_feed(owner, family, child):
    routine = RoutineFactory(family=family, children=[child])
    feed = make_feed(owner, family)
    assert len(_uids(fetch(feed["url"]))) == 1
    routine.is_active = False
    routine.save()
    assert _uids(fetch(feed["url"])) == set()


def test_the_feed_costs_the_same_queries_for_many_routines(owner, family):
    children = [ChildFactory(family=family) for _ in range(3)]
    feed = make_feed(owner, family)
    RoutineFactory(family=family, children=children[:1])
    with CaptureQueriesContext(connection) as small:
        fetch(feed["url"])
    for _ in range(8):
        RoutineFactory(family=family, children=children)
    away.add_away(child=children[0], first=date(2026, 12, 24), last=date(2026, 12, 26))
    with CaptureQueriesContext(connection) as large:
        fetch(feed["url"])
    assert len(large.captured_queries) <= len(small.captured_queries) + 1  # content changed


def test_the_feed_is_throttled_per_address(owner, family, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "calendar", "2/hour")
    feed = make_feed(owner, family)
    assert fetch(feed["url"]).status_code == 200
    assert fetch(feed["url"]).status_code == 200
    throttled = fetch(feed["url"])
    assert throttled.status_code == 429
    assert "Retry-After" in throttled
    # Another address is counted on its own.
    assert fetch(feed["url"], REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_feed_speaks_its_members_language_whatever_the_calendar_app_asks(owner, family, child):
    RoutineFactory(family=family, name="Bedtime", children=[child])
    feed = make_feed(owner, family)
    english = parse(fetch(feed["url"]))
    [event] = english.walk("VEVENT")
    assert str(event["SUMMARY"]).endswith(f"Bedtime for {child.name}")
    owner.language = "es"
    owner.save(update_fields=["language"])
    spanish = parse(fetch(feed["url"], HTTP_ACCEPT_LANGUAGE="de"))
    [event] = spanish.walk("VEVENT")
    assert f"for {child.name}" not in str(event["SUMMARY"])  # "… para Sam"
    assert child.name in str(event["SUMMARY"])
    assert "Bedtime" in str(event["SUMMARY"])  # the family's own words stay theirs
