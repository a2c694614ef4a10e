import assert from "node:assert/strict";
import { test } from "node:test";

import { load, pythonDefinition } from "./support.mjs";

const { offlineSuggestions, strategyFit, SUGGESTION_LIMIT } = await load("checkin-logic.js");

const worried = { key: "worried", label: "Worried", quadrant: "high_unpleasant" };
const strategy = (id, fits = [], energy = [], extra = {}) => ({
  id, title: `Strategy ${id}`, fits, energy_fit: energy, caregiver_first: false, ...extra,
});

test("a strategy naming the feeling fits best, one suiting its quadrant next", () => {
  assert.equal(strategyFit(strategy(1, ["worried"], ["low_pleasant"]), worried), 2);
  assert.equal(strategyFit(strategy(2, ["sad"], ["high_unpleasant"]), worried), 1);
  assert.equal(strategyFit(strategy(3, ["sad"], ["low_pleasant"]), worried), 0);
});

test("offline suggestions: best fit first, cached order within a fit, with a reason", () => {
  const list = offlineSuggestions([
    strategy(1, [], ["high_unpleasant"]),
    strategy(2, ["worried"]),
    strategy(3, ["happy"], ["high_pleasant"]),
    strategy(4, [], ["high_unpleasant"]),
    strategy(5, ["worried"], ["high_unpleasant"]),
  ], worried);
  assert.deepEqual(list.map((s) => s.strategy.id), [2, 5, 1, 4]);
  assert.equal(list[0].reason, "fits feeling worried");
  assert.equal(list[2].reason, "fits this kind of feeling");
  assert.ok(list.every((s) => s.pinned === false));
});

test("caregiver-first strategies are left to the server, and at most five are shown", () => {
  const many = Array.from({ length: 8 }, (_, i) => strategy(i + 1, ["worried"]));
  many[0].caregiver_first = true;
  const list = offlineSuggestions(many, worried);
  assert.equal(list.length, 5);
  assert.deepEqual(list.map((s) => s.strategy.id), [2, 3, 4, 5, 6]);
});

test("the limit and the fit rule are the server's", () => {
  const rank = pythonDefinition("checkins", "rank_strategies").text;
  const limit = /\blimit: int = (\d+)/.exec(rank);
  assert.ok(limit, "rank_strategies has no default limit any more");
  assert.equal(SUGGESTION_LIMIT, Number(limit[1]));
  assert.match(rank, /if strategy\.caregiver_first:[^]*?continue/, "caregiver-first no longer skipped in ranking");

  const fit = pythonDefinition("checkins", "strategy_fit").text;
  assert.match(fit, /emotion\.key in \(strategy\.fits[^]*?return 2[^]*?emotion\.quadrant in \(strategy\.energy_fit[^]*?return 1[^]*?return 0/,
    "strategy_fit changed: update strategyFit in checkin-logic.js to match");
});
