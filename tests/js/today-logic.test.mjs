import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load, pythonDefinition } from "./support.mjs";

const logic = await load("today-logic.js");

const step = (id, done = false, minutes = null) => ({ id, title: `Step ${id}`, icon: "⭐", duration_minutes: minutes, done });
const entry = (id, steps, startTime = "07:00") => {
  const e = { routine: { id, name: `Routine ${id}`, icon: "", start_time: startTime }, steps, now_since: null };
  logic.derive(e);
  return e;
};
const board = (...routines) => ({ date: "2024-05-06", children: [{ child: { id: 7, name: "Sam", avatar: "🦊" }, routines }] });

describe("derive", () => {
  test("counts progress and picks now and next from the open steps", () => {
    const e = entry(1, [step(1, true), step(2), step(3, true), step(4), step(5)]);
    assert.equal(e.total, 5);
    assert.equal(e.done, 2);
    assert.equal(e.complete, false);
    assert.equal(e.now_step.id, 2);
    assert.equal(e.next_step.id, 4);
  });

  test("the last open step has no next; all done is complete", () => {
    const e = entry(1, [step(1, true), step(2)]);
    assert.equal(e.now_step.id, 2);
    assert.equal(e.next_step, null);
    e.steps[1].done = true;
    logic.derive(e);
    assert.deepEqual([e.done, e.complete, e.now_step, e.next_step], [2, true, null, null]);
  });

  test("a routine without steps is never complete", () => {
    const e = entry(1, []);
    assert.deepEqual([e.total, e.done, e.complete], [0, 0, false]);
  });

  test("sets exactly the progress fields the server's board routine has", () => {
    // routines/board.py: the JS copy must fill the same fields the server sends.
    const { text } = pythonDefinition("routines", "BoardRoutine");
    const serverFields = [...text.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
    const e = { routine: {}, steps: [step(1)] };
    logic.derive(e);
    for (const field of Object.keys(e).filter((k) => !["routine", "steps"].includes(k))) {
      assert.ok(serverFields.includes(field), `${field} is not a BoardRoutine field (${serverFields})`);
    }
    const rule = pythonDefinition("routines", "_board_routine").text;
    assert.match(rule, /complete=bool\(board_steps\) and not open_steps/);
    assert.match(rule, /now_step=open_steps\[0\]/);
    assert.match(rule, /next_step=open_steps\[1\]/);
  });
});

describe("markStep", () => {
  test("a tick marks the step, restarts the timer and tells when it finished the routine", () => {
    const e = entry(1, [step(1, true), step(2)]);
    const change = logic.markStep(e, 2, true, "2024-05-06T07:10:00Z");
    assert.equal(change.step.id, 2);
    assert.equal(change.finished, true);
    assert.equal(e.complete, true);
    assert.equal(e.now_since, "2024-05-06T07:10:00Z");
  });

  test("an undo reopens the step without touching the timer", () => {
    const e = entry(1, [step(1, true), step(2, true)]);
    e.now_since = "earlier";
    const change = logic.markStep(e, 1, false, "later");
    assert.deepEqual([change.finished, e.complete, e.now_step.id, e.now_since], [false, false, 1, "earlier"]);
  });

  test("nothing changes for an unknown step or one already so", () => {
    const e = entry(1, [step(1, true), step(2)]);
    assert.equal(logic.markStep(e, 1, true, "now"), null);
    assert.equal(logic.markStep(e, 99, true, "now"), null);
    assert.equal(e.done, 1);
  });
});

describe("outbox keys", () => {
  test("a step key names routine, child, day and step, and parses back", () => {
    const key = logic.stepKey(3, 7, "2024-05-06", 12);
    assert.equal(key, "step:3:7:2024-05-06:12");
    assert.deepEqual(logic.parseStepKey(key), { routineId: 3, childId: 7, date: "2024-05-06", stepId: 12 });
    assert.equal(logic.parseStepKey("run:3:7:2024-05-06"), null);
    assert.equal(logic.parseStepKey("checkin 1234"), null);
  });

  test("paths and the run key", () => {
    assert.equal(logic.stepPath(1, 3, 7, "2024-05-06", 12),
      "families/1/routines/3/children/7/days/2024-05-06/steps/12/completion/");
    assert.equal(logic.runKey(3, 7, "2024-05-06"), "run:3:7:2024-05-06");
  });
});

describe("applyPending", () => {
  const write = (method, key, path = "families/1/x/") => ({ key, method, path, queuedAt: 0, stamp: "s" });

  test("a queued tick shows as done and a queued undo as not done", () => {
    const b = board(entry(3, [step(1, true), step(2), step(3)]));
    logic.applyPending(b, 1, [
      write("DELETE", logic.stepKey(3, 7, "2024-05-06", 1)),
      write("PUT", logic.stepKey(3, 7, "2024-05-06", 2)),
    ]);
    const e = b.children[0].routines[0];
    assert.deepEqual(e.steps.map((s) => s.done), [false, true, false]);
    assert.equal(e.done, 1);
    assert.equal(e.now_step.id, 1);
  });

  test("writes of another day, family, child or of something else are left out", () => {
    const b = board(entry(3, [step(1)]));
    logic.applyPending(b, 1, [
      write("PUT", logic.stepKey(3, 7, "2024-05-05", 1)),
      write("PUT", logic.stepKey(3, 7, "2024-05-06", 1), "families/2/x/"),
      write("PUT", logic.stepKey(3, 8, "2024-05-06", 1)),
      write("POST", "checkin 1"),
    ]);
    assert.equal(b.children[0].routines[0].steps[0].done, false);
    assert.equal(b.children[0].routines[0].done, 0);
  });
});

describe("pickRoutine", () => {
  const morning = () => entry(1, [step(1)], "07:00");
  const afternoon = () => entry(2, [step(2)], "15:00");
  const bedtime = () => entry(3, [step(3)], "19:30");

  test("the latest routine already started and not finished", () => {
    assert.equal(logic.pickRoutine([morning(), afternoon(), bedtime()], "16:00").routine.id, 2);
  });

  test("a finished routine gives way to the next one to come", () => {
    const entries = [morning(), afternoon(), bedtime()];
    logic.markStep(entries[1], 2, true, "now");
    assert.equal(logic.pickRoutine(entries, "16:00").routine.id, 1);
    logic.markStep(entries[0], 1, true, "now");
    assert.equal(logic.pickRoutine(entries, "16:00").routine.id, 3);
  });

  test("before the first start: the first; all finished: the last; none: null", () => {
    assert.equal(logic.pickRoutine([morning(), bedtime()], "06:00").routine.id, 1);
    const done = [morning(), bedtime()];
    done.forEach((e) => logic.markStep(e, e.steps[0].id, true, "now"));
    assert.equal(logic.pickRoutine(done, "12:00").routine.id, 3);
    assert.equal(logic.pickRoutine([], "12:00"), null);
  });
});

describe("timer", () => {
  const NOW = Date.parse("2024-05-06T07:10:00Z");

  test("no timer for a step without minutes, or when nothing is open", () => {
    assert.equal(logic.timerState(entry(1, [step(1)]), NOW), null);
    assert.equal(logic.timerState(entry(1, [step(1, true, 5)]), NOW), null);
  });

  test("not started, running, and past its time", () => {
    const e = entry(1, [step(1, false, 15)]);
    assert.deepEqual(logic.timerState(e, NOW), { total: 900, left: 900, started: false });
    e.now_since = "2024-05-06T07:00:00Z";
    assert.deepEqual(logic.timerState(e, NOW), { total: 900, left: 300, started: true });
    e.now_since = "2024-05-06T06:00:00Z";
    assert.equal(logic.timerState(e, NOW).left, 0);
  });

  test("a routine with a finish time runs on the server's planned seconds", () => {
    const e = entry(1, [step(1, false, 15)]);
    e.steps[0].planned_seconds = 450;
    logic.derive(e);
    e.now_since = "2024-05-06T07:05:00Z";
    assert.deepEqual(logic.timerState(e, NOW), { total: 450, left: 150, started: true });
  });

  test("words, not seconds", () => {
    assert.equal(logic.timerText({ total: 900, left: 900, started: false }), "⏱ 15 min");
    assert.equal(logic.timerText({ total: 900, left: 301, started: true }), "About 6 min left");
    assert.equal(logic.timerText({ total: 900, left: 59, started: true }), "Less than a minute left");
    assert.equal(logic.timerText({ total: 900, left: 0, started: true }), "Take your time");
  });
});

test("a second tap within 700 ms is a double tap", () => {
  assert.equal(logic.isDoubleTap(10_000, 10_699), true);
  assert.equal(logic.isDoubleTap(10_000, 10_700), false);
  assert.equal(logic.isDoubleTap(undefined, 10_000), false);
});

test("the family's clock, and midnight for a zone the browser does not know", () => {
  const date = new Date("2024-05-06T17:05:00Z");
  assert.equal(logic.clockIn("Europe/Madrid", date), "19:05");
  assert.equal(logic.clockIn("UTC", date), "17:05");
  assert.equal(logic.clockIn("Not/AZone", date), "00:00");
});

describe("pollDelay", () => {
  test("polls every two seconds while reads succeed", () => {
    assert.equal(logic.POLL_MS, 2000);
    assert.equal(logic.pollDelay(0), 2000);
  });

  test("backs off after failures, up to a minute", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map(logic.pollDelay), [4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });
});
