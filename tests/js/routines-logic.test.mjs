import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load, pythonInteger } from "./support.mjs";

const logic = await load("routines-logic.js");

test("the step limits are the server's", () => {
  assert.equal(logic.MAX_STEPS, pythonInteger("routines", "MAX_STEPS"));
  assert.equal(logic.MAX_STEP_MINUTES, pythonInteger("routines", "MAX_STEP_MINUTES"));
});

describe("the step list", () => {
  const steps = (n) => Array.from({ length: n }, (_, i) => logic.editorStep(`s${i}`, { title: `T${i}` }));

  test("steps may be added up to the limit", () => {
    assert.equal(logic.canAdd(steps(logic.MAX_STEPS - 1)), true);
    assert.equal(logic.canAdd(steps(logic.MAX_STEPS)), false);
  });

  test("the last step cannot be removed", () => {
    assert.equal(logic.canRemove(steps(1)), false);
    assert.equal(logic.canRemove(steps(2)), true);
  });

  test("the first cannot move up, the last cannot move down", () => {
    const list = steps(3);
    assert.deepEqual([logic.canMove(list, 0, -1), logic.canMove(list, 0, 1)], [false, true]);
    assert.deepEqual([logic.canMove(list, 2, -1), logic.canMove(list, 2, 1)], [true, false]);
  });

  test("moving a step keeps the others in order", () => {
    const list = steps(4);
    logic.moveStep(list, 3, -1);
    assert.deepEqual(list.map((s) => s.key), ["s0", "s1", "s3", "s2"]);
    logic.moveStep(list, 0, 1);
    assert.deepEqual(list.map((s) => s.key), ["s1", "s0", "s3", "s2"]);
  });
});

test("an editor step from a saved one, and a blank one", () => {
  assert.deepEqual(logic.editorStep("s1", { id: 4, title: "Bath", icon: "🛁", duration_minutes: 15 }),
    { key: "s1", id: 4, title: "Bath", icon: "🛁", duration: "15", picking: false, photo: null, voice: null });
  assert.deepEqual(logic.editorStep("s2"),
    { key: "s2", id: null, title: "", icon: "⭐", duration: "", picking: false, photo: null, voice: null });
  assert.deepEqual(logic.editorStep("s4", { photo: 7, photo_url: "/p", photo_thumbnail_url: "/t", voice: 8, voice_url: "/v" }).photo,
    { id: 7, url: "/p", thumbnail_url: "/t" });
  assert.equal(logic.editorStep("s3", { duration_minutes: 0 }).duration, "0");
});

test("the steps as the API takes them", () => {
  const body = logic.stepsBody([
    { key: "a", id: 4, title: "  Bath ", icon: "🛁", duration: "15", picking: false },
    { key: "b", id: null, title: "Story", icon: "📖", duration: "", picking: true },
  ]);
  assert.deepEqual(body, [
    { id: 4, title: "Bath", icon: "🛁", duration_minutes: 15 },
    { title: "Story", icon: "📖", duration_minutes: null },
  ]);
  const withMedia = logic.stepsBody([{ key: "c", id: 5, title: "Teeth", icon: "🪥", duration: "", photo: { id: 7 }, voice: null }]);
  assert.deepEqual(withMedia, [{ id: 5, title: "Teeth", icon: "🪥", duration_minutes: null, photo: 7, voice: null }]);
});

test("days in words", () => {
  assert.equal(logic.daysSummary([7, 6, 5, 4, 3, 2, 1]), "Every day");
  assert.equal(logic.daysSummary([1, 2, 3, 4, 5]), "Weekdays");
  assert.equal(logic.daysSummary([7, 6]), "Weekends");
  assert.equal(logic.daysSummary([1, 3]), "Mon, Wed");
  assert.equal(logic.daysSummary([5, 1]), "Fri, Mon");
});

describe("routineErrors", async () => {
  const { routineErrors } = await load("routines-logic.js");
  const good = () => ({
    name: "Bedtime", children: [3], days_of_week: [1, 2], start_time: "19:30",
    steps: [{ title: "Bath", icon: "🛁", duration_minutes: 15 }, { title: "Story", icon: "📖", duration_minutes: null }],
  });

  test("a complete routine has none", () => {
    assert.deepEqual(routineErrors(good(), { hasChildren: true }), {});
  });

  test("names every missing field at once, an empty start time as 'Choose a start time'", () => {
    const body = { ...good(), name: "  ", children: [], days_of_week: [], start_time: "",
      steps: [{ title: "", icon: "⭐", duration_minutes: 500 }, { title: "Story", icon: "📖", duration_minutes: 0 }] };
    assert.deepEqual(Object.keys(routineErrors(body, { hasChildren: true })).sort(), [
      "children", "days_of_week", "name", "start_time", "steps.0.duration_minutes", "steps.0.title", "steps.1.duration_minutes",
    ]);
    assert.deepEqual(routineErrors(body, { hasChildren: true }).start_time, ["Choose a start time."]);
  });

  test("a routine needs a child, and says where to add one when there is none", () => {
    assert.match(routineErrors({ ...good(), children: [] }, { hasChildren: true }).children[0], /at least one child/);
    assert.match(routineErrors({ ...good(), children: [] }, { hasChildren: false }).children[0], /Family tab/);
  });
});
