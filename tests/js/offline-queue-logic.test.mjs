import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const logic = await load("offline-queue-logic.js");
const { isNewest, keyedSerializer, replayOrder, retriable, waitingText } = logic;

const deferred = () => {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("keyedSerializer", () => {
  test("writes of one key run one at a time, in the order they were made", async () => {
    const run = keyedSerializer();
    const log = [];
    const first = deferred();
    const a = run("step:1", async () => { log.push("tick starts"); await first.promise; log.push("tick ends"); return "ticked"; });
    const b = run("step:1", async () => { log.push("undo starts"); return "undone"; });
    await tick();
    assert.deepEqual(log, ["tick starts"]); // the undo waits for the tick on the wire
    first.resolve();
    assert.deepEqual(await Promise.all([a, b]), ["ticked", "undone"]);
    assert.deepEqual(log, ["tick starts", "tick ends", "undo starts"]);
  });

  test("other keys do not wait", async () => {
    const run = keyedSerializer();
    const blocker = deferred();
    const log = [];
    run("step:1", () => blocker.promise);
    await run("step:2", () => log.push("other key"));
    assert.deepEqual(log, ["other key"]);
    blocker.resolve();
  });

  test("a failed write fails its caller but does not stop the next one", async () => {
    const run = keyedSerializer();
    const failing = run("k", async () => { throw new Error("refused"); });
    const next = run("k", async () => "sent");
    await assert.rejects(failing, /refused/);
    assert.equal(await next, "sent");
  });

  test("a key idle again starts at once", async () => {
    const run = keyedSerializer();
    await run("k", () => "one");
    const log = [];
    const p = run("k", () => log.push("two"));
    await tick();
    assert.deepEqual(log, ["two"]);
    await p;
  });
});

test("only the newest write of a key is sent, and only it is removed by its success", () => {
  const tick = { key: "k", stamp: "1" };
  const undo = { key: "k", stamp: "2" };
  assert.equal(isNewest(tick, tick), true);
  assert.equal(isNewest(undo, tick), false); // superseded: latest intent wins
  assert.equal(isNewest(undefined, tick), false); // already sent or forgotten
});

test("retried: no answer, timeouts, throttling and server trouble; other refusals are for good", () => {
  for (const status of [undefined, 408, 429, 500, 503]) assert.equal(retriable(status), true, String(status));
  for (const status of [400, 401, 403, 404, 409]) assert.equal(retriable(status), false, String(status));
});

test("a flush replays the oldest write first, without reordering the outbox itself", () => {
  const items = [{ key: "b", queuedAt: 30 }, { key: "a", queuedAt: 10 }, { key: "c", queuedAt: 20 }];
  assert.deepEqual(replayOrder(items).map((i) => i.key), ["a", "c", "b"]);
  assert.deepEqual(items.map((i) => i.key), ["b", "a", "c"]);
});

test("the sync line", () => {
  assert.equal(waitingText(0), "");
  assert.equal(waitingText(1), "1 change waiting to sync");
  assert.equal(waitingText(3), "3 changes waiting to sync");
});

describe("syncText", () => {
  test("says nothing online with nothing waiting, the count when something waits", () => {
    assert.equal(logic.syncText(0, { online: true }), "");
    assert.equal(logic.syncText(2, { online: true }), "2 changes waiting to sync");
  });

  test("always says the phone is offline, and that it is back", () => {
    assert.equal(logic.syncText(0, { online: false }), "You're offline. Changes are kept on this phone.");
    assert.equal(logic.syncText(1, { online: false }), "You're offline. 1 change waiting to sync.");
    assert.equal(logic.syncText(0, { online: true, back: true }), "Back online.");
    assert.equal(logic.syncText(3, { online: true, back: true }), "Back online. 3 changes waiting to sync.");
  });
});

import { justEmptied } from "../../frontend/static/tandem/js/offline-queue-logic.js";

test("a reload's replay of writes left by the page before counts as the outbox emptying", () => {
  // A fresh page found 1 write at start (left by the page before): sending it empties the outbox.
  assert.equal(justEmptied(1, 0), true);
  assert.equal(justEmptied(0, 0), false);
  assert.equal(justEmptied(2, 1), false);
});
