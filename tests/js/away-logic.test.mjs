import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const { awayText, feedLabel, rangeText, untilPhrase, upcomingFor } = await load("away-logic.js");

describe("the Today banner", () => {
  // Wednesday 13 January 2027.
  const today = "2027-01-13";

  test("names the weekday within a week, in the UI language", () => {
    assert.equal(untilPhrase("2027-01-17", today, "en"), "until Sunday");
    assert.equal(untilPhrase("2027-01-19", today, "en"), "until Tuesday");
    assert.equal(untilPhrase("2027-01-17", today, "es"), "until domingo");
  });

  test("says today on the last day, and a date further away", () => {
    assert.equal(untilPhrase(today, today, "en"), "until today");
    assert.equal(untilPhrase("2027-01-20", today, "en-GB"), "until 20 January");
    assert.equal(untilPhrase("2027-01-20", today, "en-US"), "until January 20");
    assert.equal(untilPhrase("2028-01-02", today, "en-GB"), "until 2 January 2028");
  });

  test("says where the child is when the note says so", () => {
    assert.equal(awayText("Sam", { until: "2027-01-17", note: "at Dad's" }, today, "en"),
      "Sam is at Dad's until Sunday");
    assert.equal(awayText("Sam", { until: "2027-01-17", note: "" }, today, "en"), "Sam is away until Sunday");
  });
});

describe("the Away control", () => {
  test("lists a child's ranges that have not ended, soonest first", () => {
    const ranges = [
      { id: 1, child: 1, from: "2027-02-01", to: "2027-02-03", note: "" },
      { id: 2, child: 1, from: "2027-01-10", to: "2027-01-14", note: "at Dad's" },
      { id: 3, child: 1, from: "2027-01-01", to: "2027-01-02", note: "" },
      { id: 4, child: 2, from: "2027-01-15", to: "2027-01-16", note: "" },
    ];
    assert.deepEqual(upcomingFor(ranges, 1, "2027-01-13").map((r) => r.id), [2, 1]);
  });

  test("words a range with its note", () => {
    assert.equal(rangeText({ from: "2027-01-15", to: "2027-01-17", note: "at Dad's" }, "en-GB"),
      "15 Jan – 17 Jan · at Dad's");
    assert.equal(rangeText({ from: "2027-01-15", to: "2027-01-15", note: "" }, "en-GB"), "15 Jan");
  });

  test("labels feeds by scope", () => {
    const children = [{ id: 3, name: "Sam" }];
    assert.equal(feedLabel({ scope: "child", child: 3 }, children), "Sam's routines");
    assert.equal(feedLabel({ scope: "family", child: null }, children), "The whole family");
    assert.equal(feedLabel({ scope: "duty", child: null }, children), "The children I'm on duty for");
  });
});
