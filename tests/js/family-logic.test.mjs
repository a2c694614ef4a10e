import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const { childrenDataGo, leaveMode, listOf, possessive } = await load("family-logic.js");

describe("words", () => {
  test("lists names with commas and a final and", () => {
    assert.equal(listOf([]), "");
    assert.equal(listOf(["Sam"]), "Sam");
    assert.equal(listOf(["Sam", "Mia"]), "Sam and Mia");
    assert.equal(listOf(["Sam", "Mia", "Lu"]), "Sam, Mia and Lu");
  });

  test("says whose routines, runs and check-ins go, with the comma", () => {
    assert.equal(possessive("James"), "James's");
    assert.equal(childrenDataGo(["Sam"]), "Sam's routines, runs and check-ins go too.");
    assert.equal(childrenDataGo(["Sam", "Mia"]), "Sam's and Mia's routines, runs and check-ins go too.");
    assert.equal(childrenDataGo([]), "");
  });
});

describe("leaveMode", () => {
  const owner = (id, userId) => ({ id, user_id: userId, role: "owner" });
  const caregiver = (id, userId) => ({ id, user_id: userId, role: "caregiver" });

  test("the only member cannot leave (they delete the family instead)", () => {
    assert.equal(leaveMode([owner(1, 10)], 10), "only-member");
  });

  test("the only owner hands over first while others stay", () => {
    assert.equal(leaveMode([owner(1, 10), caregiver(2, 11)], 10), "hand-over");
  });

  test("anyone else just leaves", () => {
    assert.equal(leaveMode([owner(1, 10), owner(2, 11)], 10), "leave");
    assert.equal(leaveMode([owner(1, 10), caregiver(2, 11)], 11), "leave");
  });
});
