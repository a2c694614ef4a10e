// Today: a now/next board per child that a child can read without reading.
// Taps go through the offline outbox (idempotent PUT/DELETE addressed by routine, child,
// day and step), so a tap made offline is shown at once and replayed exactly once later.

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { onChange, pending, send } from "../offline-queue.js";
import { query, route } from "../router.js";
import { session, setFamily, tabRegistry } from "../state.js";

tabRegistry.add("today");

const REFRESH_MS = 30000;
let screen = null; // the board on display; null while another screen is shown

const stepKey = (rid, cid, date, sid) => `step:${rid}:${cid}:${date}:${sid}`;
const stepPath = (fid, rid, cid, date, sid) =>
  `families/${fid}/routines/${rid}/children/${cid}/days/${date}/steps/${sid}/completion/`;

function active() {
  if (screen && !screen.root.isConnected) screen = null;
  return screen;
}

// Progress and now/next from the steps' done flags (after taps and queued writes).
function derive(entry) {
  const open = entry.steps.filter((s) => !s.done);
  entry.total = entry.steps.length;
  entry.done = entry.total - open.length;
  entry.complete = entry.total > 0 && open.length === 0;
  entry.now_step = open[0] || null;
  entry.next_step = open[1] || null;
}

function findEntry(board, childId, routineId) {
  const child = board.children.find((c) => c.child.id === childId);
  return child ? child.routines.find((r) => r.routine.id === routineId) : null;
}

// Writes still in the outbox are not on the server yet: show them as already made.
async function overlayPending(board, familyId) {
  let items = [];
  try { items = await pending(); } catch { return; }
  for (const item of items) {
    const m = /^step:(\d+):(\d+):([\d-]+):(\d+)$/.exec(item.key);
    if (!m || m[3] !== board.date || !item.path.startsWith(`families/${familyId}/`)) continue;
    const entry = findEntry(board, Number(m[2]), Number(m[1]));
    const step = entry && entry.steps.find((s) => s.id === Number(m[4]));
    if (step) step.done = item.method === "PUT";
  }
  board.children.forEach((c) => c.routines.forEach(derive));
}

function familyNow(familyId) {
  const family = (session.user.families || []).find((f) => f.id === familyId);
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: family ? family.timezone : undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(new Date());
  } catch { return "00:00"; }
}

// The routine to show first: the latest one already started and not finished, else
// the next one to come, else the last of the day.
function pickRoutine(entries, now) {
  const open = entries.filter((e) => !e.complete);
  const started = open.filter((e) => e.routine.start_time <= now);
  return (started.at(-1) || open[0] || entries.at(-1) || null);
}

function formatDay(iso) {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, {
    weekday: "long", day: "numeric", month: "long", timeZone: "UTC",
  });
}

// --- writes ---------------------------------------------------------------------------

const chains = new Map(); // one write at a time per step, so complete/undo arrive in order
function inOrder(key, fn) {
  const next = (chains.get(key) || Promise.resolve()).catch(() => {}).then(fn);
  chains.set(key, next);
  next.finally(() => { if (chains.get(key) === next) chains.delete(key); }).catch(() => {});
  return next;
}

async function setDone(childId, routineId, stepId, done) {
  const s = active();
  if (!s) return;
  const entry = findEntry(s.board, childId, routineId);
  const step = entry && entry.steps.find((x) => x.id === stepId);
  if (!step || step.done === done) return;
  const wasComplete = entry.complete;
  step.done = done;
  if (done) entry.now_since = new Date().toISOString();
  derive(entry);
  s.celebrate = entry.complete && !wasComplete ? routineId : null;
  s.routineFor[childId] = routineId; // stay on this routine (and its celebration) after refreshes
  renderBoard();
  if (done) {
    const next = entry.now_step ? ` Next: ${entry.now_step.title}.` : "";
    toast(`${step.title} done.${next}`, { action: "Undo", onAction: () => setDone(childId, routineId, stepId, false) });
  } else {
    toast(`${step.title} undone`);
  }
  const key = stepKey(routineId, childId, s.board.date, stepId);
  const path = stepPath(s.familyId, routineId, childId, s.board.date, stepId);
  try {
    await inOrder(key, () => send(done ? "PUT" : "DELETE", path, undefined, key));
  } catch (error) {
    toast(error.message); // refused for good (e.g. the routine was deleted): show the truth
    load();
  }
}

function startTimer(childId, routineId) {
  const s = active();
  const entry = s && findEntry(s.board, childId, routineId);
  if (!entry) return;
  entry.now_since = new Date().toISOString();
  renderBoard();
  const key = `run:${routineId}:${childId}:${s.board.date}`;
  send("POST", `families/${s.familyId}/routines/${routineId}/runs/`, { child: childId, date: s.board.date }, key)
    .catch(() => {});
}

// --- rendering ------------------------------------------------------------------------

function timerState(entry) {
  const step = entry.now_step;
  if (!step || !step.duration_minutes) return null;
  const total = step.duration_minutes * 60;
  if (!entry.now_since) return { total, left: total, started: false };
  const elapsed = (Date.now() - new Date(entry.now_since).getTime()) / 1000;
  return { total, left: Math.max(0, Math.round(total - elapsed)), started: true };
}

function timerText(t) {
  if (!t.started) return `⏱ ${Math.round(t.total / 60)} min`;
  if (t.left <= 0) return "Take your time";
  if (t.left < 60) return "Less than a minute left";
  return `About ${Math.ceil(t.left / 60)} min left`;
}

function timerView(entry, childId) {
  const t = timerState(entry);
  if (!t) return null;
  return h("div", { class: "now-timer", role: "timer", "aria-live": "off" },
    h("progress", { max: t.total, value: t.left, "aria-hidden": "true" }),
    h("span", { class: "timer-text" }, timerText(t)),
    t.started ? null : h("button", { type: "button", class: "secondary", "data-focus": "start",
      onclick: (e) => { e.stopPropagation(); startTimer(childId, entry.routine.id); } }, "Start timer"));
}

function tickTimers() {
  const s = active();
  if (!s || !s.shown) return;
  const el = s.root.querySelector(".now-timer");
  const t = timerState(s.shown);
  if (!el || !t || !t.started) return;
  el.querySelector("progress").value = t.left;
  el.querySelector(".timer-text").textContent = timerText(t);
}

function nowCard(entry, childId) {
  const step = entry.now_step;
  const complete = () => {
    // A child's double tap should not also tick the step that slides into its place.
    if (Date.now() - (screen.lastTap || 0) < 700) return;
    screen.lastTap = Date.now();
    setDone(childId, entry.routine.id, step.id, true);
  };
  return h("section", { class: "now-card", "aria-label": "Now", onclick: complete },
    h("p", { class: "card-label" }, "Now"),
    h("div", { class: "now-emoji", "aria-hidden": "true" }, step.icon || "⭐"),
    h("p", { class: "now-title" }, step.title),
    timerView(entry, childId),
    h("button", { type: "button", class: "done-button", "data-focus": "done",
      "aria-label": `Done: ${step.title}` }, "✓ Done"));
}

function nextCard(entry) {
  const step = entry.next_step;
  if (!step) return h("p", { class: "next-card last-step" }, "This is the last step");
  return h("section", { class: "next-card", "aria-label": "Next" },
    h("p", { class: "card-label" }, "Next"),
    h("span", { class: "next-emoji", "aria-hidden": "true" }, step.icon || "⭐"),
    h("span", { class: "next-title" }, step.title));
}

function celebration(entry, child, fresh) {
  return h("section", { class: `celebration${fresh ? " celebrate" : ""}`, "aria-label": "All done" },
    h("div", { class: "celebration-emoji", "aria-hidden": "true" }, "🎉"),
    h("p", { class: "now-title" }, "All done!"),
    h("p", {}, `${entry.routine.icon || ""} ${entry.routine.name} is finished. Well done, ${child.name}!`.trim()));
}

function stepStrip(entry, childId) {
  return h("ol", { class: "step-strip", "aria-label": "Steps" }, entry.steps.map((step) => {
    const current = entry.now_step && entry.now_step.id === step.id;
    return h("li", {}, h("button", {
      type: "button",
      class: `strip-step${step.done ? " done" : ""}${current ? " current" : ""}`,
      "aria-pressed": step.done ? "true" : "false",
      "aria-label": `${step.title}${step.done ? ", done" : ""}`,
      "data-focus": `step-${step.id}`,
      onclick: () => setDone(childId, entry.routine.id, step.id, !step.done),
    }, h("span", { "aria-hidden": "true" }, step.icon || step.title.slice(0, 1))));
  }));
}

function childSwitcher(board, selected) {
  if (board.children.length < 2) return null;
  return h("div", { class: "child-switcher", role: "group", "aria-label": "Whose day" },
    board.children.map(({ child }) => h("button", {
      type: "button", class: "child-pick", "aria-pressed": child.id === selected ? "true" : "false",
      "data-focus": `child-${child.id}`,
      onclick: () => { screen.childId = child.id; localStorage.setItem(`today-child-${screen.familyId}`, child.id); renderBoard(); },
    }, h("span", { class: "avatar", "aria-hidden": "true" }, child.avatar), child.name)));
}

function routineSwitcher(entries, shown, childId) {
  if (entries.length < 2) return null;
  return h("div", { class: "routine-switcher", role: "group", "aria-label": "Routines today" },
    entries.map((e) => h("button", {
      type: "button", class: "chip", "aria-pressed": e === shown ? "true" : "false",
      "data-focus": `routine-${e.routine.id}`,
      onclick: () => { screen.routineFor[childId] = e.routine.id; renderBoard(); },
    }, `${e.routine.icon || ""} ${e.routine.name} · ${e.routine.start_time} · ${e.complete ? "✓" : `${e.done}/${e.total}`}`.trim())));
}

function renderBoard() {
  const s = active();
  if (!s) return;
  const { board, familyId } = s;
  const focused = document.activeElement && s.root.contains(document.activeElement)
    ? document.activeElement.dataset.focus : null;
  const parts = [h("p", { class: "muted today-date" }, formatDay(board.date))];
  s.shown = null;
  if (!board.children.length) {
    parts.push(h("p", {}, "Add your children first, then build their routines."),
      h("a", { class: "button", href: `#/families/${familyId}/family` }, "Add a child"));
    s.root.replaceChildren(...parts);
    return;
  }
  const current = board.children.find((c) => c.child.id === s.childId) || board.children[0];
  s.childId = current.child.id;
  const entries = current.routines;
  parts.push(childSwitcher(board, s.childId));
  if (!entries.length) {
    parts.push(h("div", { class: "card" },
      h("p", {}, `No routines for ${current.child.name} today.`),
      h("a", { class: "button secondary", href: `#/families/${familyId}/routines/new` }, "Make a routine")));
  } else {
    const wanted = entries.find((e) => e.routine.id === s.routineFor[s.childId]);
    const shown = wanted || pickRoutine(entries, familyNow(familyId));
    s.shown = shown;
    parts.push(routineSwitcher(entries, shown, s.childId));
    parts.push(h("h2", { class: "routine-heading" },
      h("span", { "aria-hidden": "true" }, shown.routine.icon || ""), ` ${shown.routine.name}`,
      h("span", { class: "muted small" }, ` · ${shown.routine.start_time}`)));
    if (shown.complete) {
      parts.push(celebration(shown, current.child, s.celebrate === shown.routine.id));
      s.celebrate = null; // animate once, not on every refresh
    } else {
      parts.push(nowCard(shown, s.childId), nextCard(shown));
    }
    parts.push(h("p", { class: "progress-text" }, `${shown.done} of ${shown.total} done`),
      stepStrip(shown, s.childId));
  }
  s.root.replaceChildren(...parts.filter(Boolean));
  if (focused) {
    const again = s.root.querySelector(`[data-focus="${CSS.escape(focused)}"]`) || s.root.querySelector(".done-button");
    if (again) again.focus({ preventScroll: true });
  }
}

// --- loading and refreshing -----------------------------------------------------------

async function load() {
  const s = active();
  if (!s) return;
  // Asked again while a read is on its way (a tap synced, the app came back): that read
  // may predate the change, so read once more when it is done rather than drop the ask.
  if (s.loading) { s.readAgain = true; return; }
  s.loading = true;
  s.readAgain = false;
  try {
    const board = await api.get(`families/${s.familyId}/today/${s.date ? `?date=${s.date}` : ""}`);
    await overlayPending(board, s.familyId);
    if (active() !== s) return;
    s.board = board;
    renderBoard();
  } catch (error) {
    if (!s.board) {
      s.root.replaceChildren(h("p", {}, navigator.onLine
        ? `Today could not be loaded: ${error.message}`
        : "You're offline and Today hasn't been loaded on this phone yet."));
    }
  } finally {
    s.loading = false;
    if (s.readAgain && active() === s) load();
  }
}

// Another caregiver's taps show up when the screen comes back and every 30 s while visible.
document.addEventListener("visibilitychange", () => { if (!document.hidden && active()) load(); });
window.addEventListener("focus", () => { if (active()) load(); });
setInterval(() => { if (!document.hidden && active()) load(); }, REFRESH_MS);
setInterval(tickTimers, 1000);
let hadPending = false;
onChange((items) => {
  // The outbox just emptied: our queued taps reached the server; show its truth.
  if (hadPending && !items.length && active()) load();
  hadPending = items.length > 0;
});

route("families/:family/today", async ({ family }) => {
  const familyId = Number(family);
  setFamily(familyId);
  const q = query();
  const root = h("div", { id: "today-board", class: "today" }, h("p", { class: "loading" }, "Loading…"));
  const wantedChild = Number(q.get("child")) || Number(localStorage.getItem(`today-child-${familyId}`)) || null;
  screen = { familyId, root, board: null, date: q.get("date"), childId: wantedChild, routineFor: {}, shown: null };
  mount(h("h1", {}, "Today"), root);
  await load();
  const routineId = Number(q.get("routine"));
  if (routineId && screen && screen.board) {
    // Opened from a reminder: show that routine (for the first child who has it).
    const holder = screen.board.children.find((c) => c.routines.some((r) => r.routine.id === routineId));
    if (holder) { screen.childId = holder.child.id; screen.routineFor[holder.child.id] = routineId; renderBoard(); }
  }
});
