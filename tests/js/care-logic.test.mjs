import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const care = await load("care-logic.js");

const MADRID = "Europe/Madrid";
const at = (iso) => Date.parse(iso);

describe("family-local time", () => {
  test("reads the wall clock and the offset in the family's zone", () => {
    assert.deepEqual(care.wallClock(MADRID, at("2026-07-01T16:30:00Z")), { date: "2026-07-01", time: "18:30", offset: 120 });
    assert.deepEqual(care.wallClock(MADRID, at("2026-01-01T23:30:00Z")), { date: "2026-01-02", time: "00:30", offset: 60 });
    assert.deepEqual(care.wallClock("America/New_York", at("2026-01-01T03:00:00Z")), { date: "2025-12-31", time: "22:00", offset: -300 });
  });

  test("a family-local date and time become an ISO instant with the family's offset", () => {
    assert.equal(care.zonedIso("2026-07-01", "18:00", MADRID), "2026-07-01T18:00:00+02:00");
    assert.equal(care.zonedIso("2026-01-15", "23:30", MADRID), "2026-01-15T23:30:00+01:00");
    assert.equal(care.zonedIso("2026-01-15", "18:00", "Asia/Kolkata"), "2026-01-15T18:00:00+05:30");
    assert.equal(care.zonedIso("2026-01-15", "18:00", "UTC"), "2026-01-15T18:00:00+00:00");
    assert.equal(Date.parse(care.zonedIso("2026-03-29", "18:00", MADRID)), at("2026-03-29T16:00:00Z")); // DST day
  });

  test("a time skipped by the spring change lands after the gap", () => {
    assert.equal(care.zonedIso("2026-03-29", "02:30", MADRID), "2026-03-29T03:30:00+02:00");
  });

  test("datetime-local values go both ways", () => {
    assert.equal(care.localInputToIso("2026-07-01T18:00", MADRID), "2026-07-01T18:00:00+02:00");
    assert.equal(care.localInputToIso("", MADRID), "");
    assert.equal(care.isoToLocalInput("2026-07-01T16:00:00Z", MADRID), "2026-07-01T18:00");
    assert.equal(care.nextDay("2026-12-31"), "2027-01-01");
  });

  test("times of today read as a clock, other days with the day", () => {
    const now = at("2026-04-03T10:00:00Z");
    assert.equal(care.clockText("2026-04-03T14:00:00Z", MADRID, now), "16:00");
    assert.equal(care.clockText("2026-04-04T14:00:00Z", MADRID, now), "Sat 4 Apr 16:00");
    assert.equal(care.familyToday(MADRID, at("2026-04-03T22:30:00Z")), "2026-04-04");
  });
});

describe("the default pass window", () => {
  test("is tonight 18:00 to 23:30 in the family's zone", () => {
    const w = care.tonightWindow(MADRID, at("2026-07-01T08:00:00Z"));
    assert.deepEqual(w, {
      start: "2026-07-01T18:00", end: "2026-07-01T23:30",
      starts_at: "2026-07-01T18:00:00+02:00", ends_at: "2026-07-01T23:30:00+02:00",
    });
  });

  test("is still tonight once it has begun, and tomorrow once it has ended", () => {
    assert.equal(care.tonightWindow(MADRID, at("2026-07-01T19:00:00Z")).start, "2026-07-01T18:00"); // 21:00 local
    assert.equal(care.tonightWindow(MADRID, at("2026-07-01T21:45:00Z")).start, "2026-07-02T18:00"); // 23:45 local
  });

  test("follows the family's day, not the phone's", () => {
    // 23:00 UTC on 1 July is already 2 July in Tokyo (08:00): tonight there is 2 July.
    assert.equal(care.tonightWindow("Asia/Tokyo", at("2026-07-01T23:00:00Z")).starts_at, "2026-07-02T18:00:00+09:00");
  });
});

describe("passes in words", () => {
  const now = at("2026-04-03T10:00:00Z");
  test("status labels", () => {
    assert.equal(care.passStatusLabel("upcoming"), "Upcoming");
    assert.equal(care.passStatusLabel("active"), "Active now");
    assert.equal(care.passStatusLabel("ended"), "Ended");
    assert.equal(care.passStatusLabel("revoked"), "Revoked");
    assert.equal(care.passStatusLabel("other"), "other");
  });

  test("the window, on one day or across midnight", () => {
    assert.equal(care.passWindowText({ starts_at: "2026-04-03T16:00:00Z", ends_at: "2026-04-03T21:30:00Z" }, MADRID, now), "18:00–23:30 today");
    assert.equal(care.passWindowText({ starts_at: "2026-04-04T16:00:00Z", ends_at: "2026-04-04T21:30:00Z" }, MADRID, now), "Sat 4 Apr 18:00–23:30");
    assert.equal(care.passWindowText({ starts_at: "2026-04-03T18:00:00Z", ends_at: "2026-04-03T23:00:00Z" }, MADRID, now), "Fri 3 Apr 20:00 – Sat 4 Apr 01:00");
  });

  test("uses", () => {
    assert.equal(care.passUseText({ uses: 0, last_used_at: null }, MADRID, now), "Not opened yet");
    assert.equal(care.passUseText({ uses: 1, last_used_at: "2026-04-03T09:05:00Z" }, MADRID, now), "Opened once, last at 11:05");
    assert.equal(care.passUseText({ uses: 3, last_used_at: "2026-04-03T09:05:00Z" }, MADRID, now), "Opened 3 times, last at 11:05");
  });

  test("what the sitter looks after", () => {
    assert.equal(care.lookingAfterText(["Sam", "Lu"], "2026-04-03T21:30:00Z", MADRID, now), "You're looking after Sam and Lu until 23:30.");
    assert.equal(care.lookingAfterText([], null, MADRID, now), "You're looking after the children.");
  });
});

describe("who sees which children", () => {
  const kids = [{ id: 1, name: "Sam" }, { id: 2, name: "Lu" }, { id: 3, name: "Mia" }];
  test("[] is every child", () => {
    assert.equal(care.seesText([], kids), "all children");
    assert.equal(care.seesText([2, 1], kids), "Sam and Lu");
    assert.equal(care.seesText([{ id: 3, name: "Mia" }], kids), "Mia");
    assert.equal(care.seesText([{ id: 9, name: "Zoe" }], kids), "Zoe");
  });

  test("every child ticked sends [], none is refused before sending", () => {
    assert.deepEqual(care.accessBody([1, 2, 3], kids), []);
    assert.deepEqual(care.accessBody([3, 1], kids), [1, 3]);
    assert.equal(care.accessBody([], kids), null);
  });

  test("child names keep the family's order", () => {
    assert.deepEqual(care.childNames([3, 1], kids), ["Sam", "Mia"]);
  });
});

describe("duty", () => {
  const now = at("2026-04-03T16:00:00Z");
  const duty = [
    { child: 1, members: [{ id: 5, name: "Grandma", since: "2026-04-03T14:00:00Z" }] },
    { child: { id: 2, name: "Lu" }, members: [] },
  ];
  test("who is on duty since when, me first as 'you'", () => {
    assert.equal(care.dutyText(care.dutyOf(duty, 1), null, MADRID, now), "On duty: Grandma since 16:00");
    assert.equal(care.dutyText(care.dutyOf(duty, 2), null, MADRID, now), "Nobody on duty");
    assert.equal(care.dutyText(care.dutyOf(duty, 3), null, MADRID, now), "Nobody on duty");
    const two = [...care.dutyOf(duty, 1), { id: 7, name: "Ana", since: "2026-04-03T15:00:00Z" }];
    assert.equal(care.dutyText(two, 7, MADRID, now), "On duty: you since 17:00 and Grandma since 16:00");
    assert.equal(care.onDuty(two, 7), true);
    assert.equal(care.onDuty(two, null), false);
  });

  test("a sitter finds their member id on the duty list by name", () => {
    assert.equal(care.memberIdByName(duty, "Grandma"), 5);
    assert.equal(care.memberIdByName(duty, "Zoe"), null);
  });

  test("a handover covers the children I am on duty for, else all I see", () => {
    const kids = [{ id: 1, name: "Sam" }, { id: 2, name: "Lu" }];
    assert.deepEqual(care.defaultHandoverChildren(duty, 5, kids), [1]);
    assert.deepEqual(care.defaultHandoverChildren(duty, 7, kids), [1, 2]);
  });
});

describe("handovers", () => {
  test("the summary as lines per child", () => {
    const lines = care.summaryLines({
      children: [
        {
          child: 1, name: "Sam", routines_done: [{ name: "Bedtime", icon: "🌙" }], steps_done: ["Bath", { title: "Teeth" }],
          checkins: [{ emotion: "worried", label: "Worried", intensity: 3, strategy: { title: "Box breathing" }, outcome: "better", at: "2026-04-03T19:00:00Z" }],
          open_follow_up: true,
        },
        { child: { id: 2, name: "Lu" }, steps_done: [], routines_done: [], checkins: [], open_follow_up: false },
        { child: 3, name: "Mia", checkins: [{ emotion: "tired", intensity: 2, strategy: "Rest", outcome: null }] },
      ],
    });
    assert.deepEqual(lines, [
      { child: 1, name: "Sam", lines: [
        "Bedtime done", "Steps done: Bath, Teeth", "Check-in: Worried (3 of 5), tried Box breathing: better after",
        "A follow-up is still open: how are they now?",
      ] },
      { child: 2, name: "Lu", lines: ["Nothing recorded"] },
      { child: 3, name: "Mia", lines: ["Check-in: Tired (2 of 5), tried Rest"] },
    ]);
    assert.deepEqual(care.summaryLines(null), []);
  });

  test("a busy evening's check-ins: the last three, then how many more", () => {
    const checkins = ["sad", "angry", "calm", "happy", "tired"].map((emotion) => ({ emotion, intensity: 2 }));
    const [sam] = care.summaryLines({ children: [{ child: 1, name: "Sam", checkins }] });
    assert.deepEqual(sam.lines, [
      "Check-in: Calm (2 of 5)", "Check-in: Happy (2 of 5)", "Check-in: Tired (2 of 5)", "and 2 earlier check-ins",
    ]);
    const [one] = care.summaryLines({ children: [{ child: 1, name: "Sam", checkins: checkins.slice(0, 4) }] });
    assert.equal(one.lines.at(-1), "and 1 earlier check-in");
  });

  test("titles name who handed over to whom", () => {
    const h = { id: 1, children: [1], from: { id: 5, name: "Grandma" }, to: { id: 7, name: "Ana" }, created_at: "" };
    assert.equal(care.handoverTitle(h, null), "Handover from Grandma to Ana");
    assert.equal(care.handoverTitle(h, 7), "Handover from Grandma to you");
    assert.equal(care.handoverTitle({ ...h, to: null }, null), "Handover from Grandma");
    assert.equal(care.handoverTitle({ ...h, from: null, to: null }, null), "Handover from a former member");
  });

  test("Today shows the newest of the last day per visible child, once each", () => {
    const now = at("2026-04-03T22:00:00Z");
    const ho = (id, children, created, from = 5) => ({ id, children, from: { id: from, name: "X" }, to: null, created_at: created });
    const list = [
      ho(4, [1, 2], "2026-04-03T21:00:00Z"),
      ho(3, [1], "2026-04-03T20:00:00Z"), // Sam already has a newer one
      ho(2, [3], "2026-04-03T19:00:00Z"), // Mia is not visible to me
      ho(1, [{ id: 2, name: "Lu" }], "2026-04-02T19:00:00Z"), // more than 24 h ago
    ];
    assert.deepEqual(care.latestHandovers(list, [1, 2], now).map((h) => h.id), [4]);
    assert.deepEqual(care.latestHandovers([ho(5, [2], "2026-04-03T21:30:00Z"), ...list], [1, 2], now).map((h) => h.id), [5, 4]);
    // Mine are not news to me, and a dismissed one stays dismissed (the older one does
    // not take its place: it is older news still).
    assert.deepEqual(care.latestHandovers(list, [1, 2], now, { myMemberId: 5 }), []);
    assert.deepEqual(care.latestHandovers(list, [1, 2], now, { dismissed: [4] }), []);
  });
});

describe("care log", () => {
  test("lines in the family's time, oldest first", () => {
    const entries = care.inOrder([
      { at: "2026-04-03T19:00:00Z", kind: "checkin", actor: "Grandma", text: "Worried, 3 of 5" },
      { at: "2026-04-03T16:00:00Z", kind: "duty_start", actor: { id: 5, name: "Grandma" }, text: "On duty" },
    ]);
    assert.deepEqual(entries.map((e) => care.logLine(e, MADRID)), [
      { time: "18:00", icon: "🙋", actor: "Grandma", text: "On duty" },
      { time: "21:00", icon: "💛", actor: "Grandma", text: "Worried, 3 of 5" },
    ]);
    assert.equal(care.logLine({ at: "2026-04-03T19:00:00Z", kind: "new", actor: null, text: "?" }, MADRID).icon, "•");
  });
});

describe("roles", () => {
  const keys = ["today", "checkin", "routines", "insights", "family", "settings", "strategies", "handover"];
  test("a sitter's bar has Today, Check-in, Strategies and Hand over only", () => {
    assert.deepEqual(care.tabsFor("sitter", keys), ["today", "checkin", "strategies", "handover"]);
    assert.deepEqual(care.tabsFor("owner", keys), ["today", "checkin", "routines", "insights", "family", "settings"]);
    assert.deepEqual(care.tabsFor("caregiver", keys), care.tabsFor("owner", keys));
    assert.deepEqual(care.tabsFor(undefined, ["today", "reports"]), ["today", "reports"]); // tabs added later stay
  });

  test("a sitter opens only their family's sitter screens", () => {
    for (const path of ["families/3/today", "families/3/checkin", "families/3/strategies", "families/3/strategies/12",
      "families/3/handover", "families/3/checkins/0b9e-11/follow-up", "pass/abc", "child/3/7", "child/3/7/feel"]) {
      assert.equal(care.sitterMayOpen(path, 3), true, path);
    }
    for (const path of ["families/3/family", "families/3/insights", "families/3/settings", "families/4/today",
      "families/3/children/1/log", "families/new", "login", "", "child/4/7", "child/3/7/other"]) {
      assert.equal(care.sitterMayOpen(path, 3), false, path);
    }
  });

  test("the care log is for owners and caregivers", () => {
    assert.equal(care.seesCareLog("owner"), true);
    assert.equal(care.seesCareLog("caregiver"), true);
    assert.equal(care.seesCareLog("sitter"), false);
  });
});
