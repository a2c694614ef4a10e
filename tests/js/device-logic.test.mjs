import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const { countdownText, deviceHome, deviceMayOpen, SIZES } = await load("device-logic.js");

describe("a child's tablet", () => {
  test("lands on its one child's view, or on the chooser of several", () => {
    assert.equal(deviceHome({ family: { id: 3 }, children: [{ id: 7 }] }), "child/3/7");
    assert.equal(deviceHome({ family: { id: 3 }, children: [{ id: 7 }, { id: 8 }] }), "child/3");
  });

  test("opens only the child view and the pairing screen", () => {
    for (const path of ["child/3/7", "child/3/7/feel", "child/3", "pair-device", "pair-device/ABCD2345"]) {
      assert.equal(deviceMayOpen(path), true, path);
    }
    for (const path of ["families/3/today", "families/3/family", "login", "", "pair-devices", "childish"]) {
      assert.equal(deviceMayOpen(path), false, path);
    }
  });

  test("counts a code down in minutes and seconds, never below zero", () => {
    const at = Date.parse("2026-12-01T12:00:00Z");
    assert.equal(countdownText("2026-12-01T12:10:00Z", at), "10:00");
    assert.equal(countdownText("2026-12-01T12:10:00Z", at + 61_500), "8:59");
    assert.equal(countdownText("2026-12-01T12:10:00Z", at + 11 * 60_000), "0:00");
  });

  test("the circles record the intensities the push words small, medium and big", () => {
    assert.deepEqual(SIZES.map((s) => [s.key, s.intensity]), [["small", 1], ["medium", 3], ["big", 5]]);
  });
});
