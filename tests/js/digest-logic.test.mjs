import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const { digestLine, lowerFirst, mondayOf } = await load("digest-logic.js");

describe("the weekly digest's line", () => {
  test("says it as the push does (reminders/messages.py digest_line)", () => {
    const summary = {
      checkin_days: 6,
      calm_days: 5,
      routine: { name: "Bedtime", kept: 6, scheduled: 7 },
      helped: { title: "Box breathing", helped: 3, tried: 4 },
    };
    assert.equal(digestLine("Sam", summary), "Sam's week: 5 calm days, bedtime kept 6 of 7, box breathing helped 3 of 4");
  });

  test("leaves out a part without data", () => {
    assert.equal(digestLine("Lea", { checkin_days: 1, calm_days: 1, routine: null, helped: null }), "Lea's week: 1 calm day");
    assert.equal(digestLine("Max", { checkin_days: 0, calm_days: 0, routine: null, helped: null }), "Max's week: nothing recorded");
    assert.equal(lowerFirst("TV time"), "TV time");
    assert.equal(lowerFirst("Schlafenszeit", "de"), "Schlafenszeit"); // German nouns keep their capital
  });

  test("names a week by its Monday", () => {
    assert.equal(mondayOf("2026-03-29"), "2026-03-23");
    assert.equal(mondayOf("2026-03-23"), "2026-03-23");
  });
});
