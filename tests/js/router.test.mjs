import assert from "node:assert/strict";
import { test } from "node:test";

import { load } from "./support.mjs";

const router = await load("router.js");
const root = { name: "main" };

test("a route's parameters come from its pattern", () => {
  const mount = () => {};
  router.route("families/:family/routines/:routine", mount);
  const found = router.match("families/3/routines/12");
  assert.equal(found.mount, mount);
  assert.deepEqual(found.params, { family: "3", routine: "12" });
  assert.equal(found.auth, true);
  assert.deepEqual(router.match("nowhere/1").params, {});
});

test("entering a screen unmounts the one before, once", async () => {
  const log = [];
  const screen = (name) => (into, params) => {
    log.push(`mount ${name} ${into.name} ${params.id}`);
    return () => log.push(`unmount ${name}`);
  };
  await router.enter(screen("a"), root, { id: 1 });
  await router.enter(screen("b"), root, { id: 2 });
  assert.deepEqual(log, ["mount a main 1", "unmount a", "mount b main 2"]);
  router.leave();
  router.leave();
  assert.deepEqual(log.slice(3), ["unmount b"]);
});

test("a screen left while its mount still loads is unmounted when the mount is done", async () => {
  const log = [];
  let finish;
  const slow = () => new Promise((resolve) => { finish = () => resolve(() => log.push("unmount slow")); });
  const entering = router.enter(slow, root, {});
  await router.enter(() => () => log.push("unmount fast"), root, {});
  assert.deepEqual(log, []);
  finish();
  await entering;
  assert.deepEqual(log, ["unmount slow"]);
  router.leave();
  assert.deepEqual(log, ["unmount slow", "unmount fast"]);
});

test("a screen with nothing to release returns nothing", async () => {
  await router.enter(() => undefined, root, {});
  await router.enter(async () => undefined, root, {});
  router.leave(); // nothing to call
});

test("a mount that fails rejects, and the next screen still enters", async () => {
  await assert.rejects(router.enter(async () => { throw new Error("offline"); }, root, {}), /offline/);
  let mounted = false;
  await router.enter(() => { mounted = true; }, root, {});
  assert.equal(mounted, true);
});
