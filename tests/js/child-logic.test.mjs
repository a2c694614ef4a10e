import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load, pythonInteger } from "./support.mjs";

const logic = await load("child-logic.js");
const today = await load("today-logic.js");

const step = (id, extra = {}) => ({ id, title: `Step ${id}`, icon: "⭐", duration_minutes: null, done: false, ...extra });
const entry = (id, steps, { start = "07:00", since = null } = {}) => {
  const e = { routine: { id, name: `Routine ${id}`, icon: "", start_time: start }, steps, now_since: since };
  today.derive(e);
  return e;
};

describe("which routine", () => {
  const morning = entry(1, [step(1)], { start: "07:00" });
  const evening = entry(2, [step(2)], { start: "19:00" });
  test("the one asked for, when the child has it", () => {
    assert.equal(logic.routineFor([morning, evening], 2, "08:00"), evening);
  });
  test("else the one due now, as Today picks it", () => {
    assert.equal(logic.routineFor([morning, evening], 99, "08:00"), morning);
    assert.equal(logic.routineFor([morning, evening], null, "19:30"), evening);
  });
  test("none without routines", () => {
    assert.equal(logic.routineFor([], null, "08:00"), null);
  });
  test("a child this member does not see is not on the board", () => {
    const board = { children: [{ child: { id: 7, name: "Sam", avatar: "" }, routines: [] }] };
    assert.equal(logic.childOf(board, 7).child.name, "Sam");
    assert.equal(logic.childOf(board, 8), null);
  });
});

describe("the shrinking timer", () => {
  test("counts the planned seconds down from when the step began", () => {
    const e = entry(1, [step(1, { planned_seconds: 100 }), step(2)], { since: "2026-01-01T10:00:00Z" });
    const at = (s) => logic.childTimer(e, Date.parse("2026-01-01T10:00:00Z") + s * 1000, 0);
    assert.deepEqual(at(0), { total: 100, left: 100, fraction: 1, ended: false });
    assert.equal(at(25).fraction, 0.75);
    assert.equal(at(100).ended, true);
    assert.equal(at(500).fraction, 0); // never below empty, never "late"
  });
  test("counts from the opening of the view before the routine started", () => {
    const e = entry(1, [step(1, { planned_seconds: 60 })]);
    assert.equal(logic.childTimer(e, 30_000, 0).fraction, 0.5);
  });
  test("falls back to the step's own duration, then to the server's default", async () => {
    assert.equal(logic.plannedSeconds(step(1, { duration_minutes: 3 })), 180);
    const minutes = pythonInteger("routines", "DEFAULT_STEP_MINUTES");
    assert.equal(logic.plannedSeconds(step(1)), minutes * 60);
    assert.equal(logic.DEFAULT_STEP_SECONDS, minutes * 60);
  });
  test("no timer once everything is done", () => {
    assert.equal(logic.childTimer(entry(1, [step(1, { done: true })]), 0, 0), null);
  });
  test("chimes once per step, when its time is up", () => {
    assert.equal(logic.shouldChime({ ended: false }, 1, null), false);
    assert.equal(logic.shouldChime({ ended: true }, 1, null), true);
    assert.equal(logic.shouldChime({ ended: true }, 1, 1), false);
    assert.equal(logic.shouldChime({ ended: true }, 2, 1), true);
    assert.equal(logic.shouldChime(null, 2, 1), false);
  });
});

describe("saying it aloud", () => {
  test("the now step, with its recorded voice when there is one", () => {
    const e = entry(1, [step(1, { title: "Teeth", voice_url: "/media/teeth.webm" }), step(2)]);
    assert.deepEqual(logic.toSay(e, "All done!"), { key: "step:1:1", text: "Teeth", voiceUrl: "/media/teeth.webm" });
    e.steps[0].done = true;
    today.derive(e);
    assert.deepEqual(logic.toSay(e, "All done!"), { key: "step:1:2", text: "Step 2", voiceUrl: null });
  });
  test("the end, once", () => {
    const e = entry(1, [step(1, { done: true })]);
    assert.deepEqual(logic.toSay(e, "All done!"), { key: "done:1", text: "All done!", voiceUrl: null });
    assert.equal(logic.toSay(null, "x"), null);
  });
  test("in the page's language", () => {
    assert.equal(logic.speechLang("es"), "es");
    assert.equal(logic.speechLang(""), "en");
    assert.equal(logic.speechLang(undefined), "en");
  });
});

describe("the grown-ups' way out", () => {
  test("the long press completes after HOLD_MS", () => {
    assert.equal(logic.HOLD_MS >= 1500, true);
    assert.deepEqual(logic.holdProgress(null, 5000), { fraction: 0, complete: false });
    assert.equal(logic.holdProgress(1000, 1000 + logic.HOLD_MS / 2).fraction, 0.5);
    assert.equal(logic.holdProgress(1000, 1000 + logic.HOLD_MS - 1).complete, false);
    assert.equal(logic.holdProgress(1000, 1000 + logic.HOLD_MS).complete, true);
  });
  test("the digit pad takes 4 to 8 digits", () => {
    let pin = "";
    for (const key of "123456789".split("")) pin = logic.padPress(pin, key);
    assert.equal(pin, "12345678");
    assert.equal(logic.padPress(pin, "back"), "1234567");
    assert.equal(logic.padPress(pin, "clear"), "");
    assert.equal(logic.padPress("12", "x"), "12");
    assert.equal(logic.pinReady("123"), false);
    assert.equal(logic.pinReady("1234"), true);
    assert.equal(logic.pinReady("12345678"), true);
  });
  test("while locked, every other route goes back to the child view", () => {
    const lock = { familyId: 3, childId: 7 };
    assert.equal(logic.lockedRedirect("families/3/today", lock), "child/3/7");
    assert.equal(logic.lockedRedirect("child/3/8", lock), "child/3/7");
    assert.equal(logic.lockedRedirect("child/3/77", lock), "child/3/7");
    assert.equal(logic.lockedRedirect("child/3/7", lock), null);
    assert.equal(logic.lockedRedirect("child/3/7/feel", lock), null);
    assert.equal(logic.lockedRedirect("families/3/today", null), null);
  });
  test("a stored lock is read back, anything else is no lock", () => {
    assert.deepEqual(logic.parseLock('{"familyId":3,"childId":7}'), { familyId: 3, childId: 7 });
    for (const text of [null, "", "nonsense", '{"familyId":"3","childId":7}', "[]"]) assert.equal(logic.parseLock(text), null);
  });
});
