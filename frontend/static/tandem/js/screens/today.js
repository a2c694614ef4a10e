// Today: a now/next board per child that a child can read without reading.
// Taps go through the offline outbox (idempotent PUT/DELETE addressed by routine, child,
// day and step), so a tap made offline is shown at once and replayed exactly once later;
// the outbox keeps a step's ticks and undos in order. The rules live in today-logic.js.
// Above the board, the care team: the newest handover for each child from the last day
// (first of all), who is on duty ("I have Sam now" / "Stop"), and for a sitter what they
// look after until when; those rules live in care-logic.js.

import { api, getIfChanged } from "../api.js";
import { fill, h, toast } from "../dom.js";
import { formatDate, gettext, interpolate } from "../i18n.js";
import { onChange, pending, send } from "../offline-queue.js";
import { query } from "../router.js";
import { session, setFamily } from "../state.js";
import { currentSubscription, enable as enablePush, pushSupported } from "../push.js";
import { dutyOf, dutyText, latestHandovers, memberIdByName, onDuty, seesCareLog } from "../care-logic.js";
import { careContext, summaryView } from "./handover.js";
import { awayText } from "../away-logic.js";
import { refusedSitter, sitterWelcome } from "./pass.js";
import {
  applyPending, clockIn, findEntry, isDoubleTap, markStep, pickRoutine, POLL_MS, pollDelay, runKey, stepKey, stepPath,
  timerState, timerText,
} from "../today-logic.js";

export const tab = "today";

let screen = null; // the board on display; null while another screen is shown

function active() {
  if (screen && !screen.root.isConnected) screen = null;
  return screen;
}

// Writes still in the outbox are not on the server yet: show them as already made.
async function overlayPending(board, familyId) {
  let items = [];
  try { items = await pending(); } catch { return; }
  applyPending(board, familyId, items);
}

function familyNow(familyId) {
  const family = (session.user.families || []).find((f) => f.id === familyId);
  return clockIn(family ? family.timezone : undefined, new Date());
}

function formatDay(iso) {
  return formatDate(new Date(`${iso}T12:00:00Z`), { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
}

// --- writes ---------------------------------------------------------------------------

async function setDone(childId, routineId, stepId, done) {
  const s = active();
  if (!s) return;
  const entry = findEntry(s.board, childId, routineId);
  const change = entry && markStep(entry, stepId, done, new Date().toISOString());
  if (!change) return;
  const { step } = change;
  s.celebrate = change.finished ? routineId : null;
  s.routineFor[childId] = routineId; // stay on this routine (and its celebration) after refreshes
  renderBoard();
  if (done) {
    const message = entry.now_step
      ? interpolate(gettext("%(step)s done. Next: %(next)s."), { step: step.title, next: entry.now_step.title })
      : interpolate(gettext("%(step)s done."), { step: step.title });
    toast(message, { action: gettext("Undo"), onAction: () => setDone(childId, routineId, stepId, false) });
  } else {
    toast(interpolate(gettext("%(step)s undone"), { step: step.title }));
  }
  const key = stepKey(routineId, childId, s.board.date, stepId);
  const path = stepPath(s.familyId, routineId, childId, s.board.date, stepId);
  try {
    await send(done ? "PUT" : "DELETE", path, undefined, key);
  } catch (error) {
    toast(error.message); // refused for good (e.g. the routine was deleted): show the truth
    load({ fresh: true });
  }
}

function startTimer(childId, routineId) {
  const s = active();
  const entry = s && findEntry(s.board, childId, routineId);
  if (!entry) return;
  entry.now_since = new Date().toISOString();
  renderBoard();
  const key = runKey(routineId, childId, s.board.date);
  send("POST", `families/${s.familyId}/routines/${routineId}/runs/`, { child: childId, date: s.board.date }, key)
    .catch(() => {});
}

// --- rendering ------------------------------------------------------------------------

function timerView(entry, childId) {
  const t = timerState(entry, Date.now());
  if (!t) return null;
  return h("div", { class: "now-timer", role: "timer", "aria-live": "off" },
    h("progress", { max: t.total, value: t.left, "aria-hidden": "true" }),
    h("span", { class: "timer-text" }, timerText(t)),
    t.started ? null : h("button", { type: "button", class: "secondary", "data-focus": "start",
      onclick: (e) => { e.stopPropagation(); startTimer(childId, entry.routine.id); } }, gettext("Start timer")));
}

function tickTimers() {
  const s = active();
  if (!s || !s.shown) return;
  const el = s.root.querySelector(".now-timer");
  const t = timerState(s.shown, Date.now());
  if (!el || !t || !t.started) return;
  el.querySelector("progress").value = t.left;
  el.querySelector(".timer-text").textContent = timerText(t);
}

function nowCard(s, entry, childId) {
  const step = entry.now_step;
  const complete = () => {
    // A child's double tap should not also tick the step that slides into its place;
    // the card says why nothing happened, and the next tap counts.
    if (isDoubleTap(s.lastTap, Date.now())) {
      const note = s.root.querySelector(".tap-note");
      if (note) note.textContent = interpolate(gettext("%(done)s is already done. Tap again for %(step)s."), { done: s.lastTitle, step: step.title });
      s.lastTap = 0;
      return;
    }
    s.lastTap = Date.now();
    s.lastTitle = step.title;
    setDone(childId, entry.routine.id, step.id, true);
  };
  return h("section", { class: "now-card", "aria-label": gettext("Now"), onclick: complete },
    h("p", { class: "card-label" }, gettext("Now")),
    h("div", { class: "now-emoji", "aria-hidden": "true" }, step.icon || "⭐"),
    h("p", { class: "now-title" }, step.title),
    timerView(entry, childId),
    h("button", { type: "button", class: "done-button", "data-focus": "done",
      "aria-label": interpolate(gettext("Done: %(step)s"), { step: step.title }) }, gettext("✓ Done")),
    h("p", { class: "tap-note", role: "status" }));
}

function nextCard(entry) {
  const step = entry.next_step;
  if (!step) return h("p", { class: "next-card last-step" }, gettext("This is the last step"));
  return h("section", { class: "next-card", "aria-label": gettext("Next") },
    h("p", { class: "card-label" }, gettext("Next")),
    h("span", { class: "next-emoji", "aria-hidden": "true" }, step.icon || "⭐"),
    h("span", { class: "next-title" }, step.title));
}

function celebration(entry, child, fresh) {
  return h("section", { class: `celebration${fresh ? " celebrate" : ""}`, "aria-label": gettext("All done") },
    h("div", { class: "celebration-emoji", "aria-hidden": "true" }, "🎉"),
    h("p", { class: "now-title" }, gettext("All done!")),
    h("p", {}, `${entry.routine.icon || ""} ${interpolate(gettext("%(routine)s is finished. Well done, %(child)s!"), { routine: entry.routine.name, child: child.name })}`.trim()));
}

function stepStrip(entry, childId) {
  return h("ol", { class: "step-strip", "aria-label": gettext("Steps") }, entry.steps.map((step) => {
    const current = entry.now_step && entry.now_step.id === step.id;
    return h("li", {}, h("button", {
      type: "button",
      class: `strip-step${step.done ? " done" : ""}${current ? " current" : ""}`,
      "aria-pressed": step.done ? "true" : "false",
      "aria-label": step.done ? interpolate(gettext("%(step)s, done"), { step: step.title }) : step.title,
      "data-focus": `step-${step.id}`,
      onclick: () => setDone(childId, entry.routine.id, step.id, !step.done),
    }, h("span", { "aria-hidden": "true" }, step.icon || step.title.slice(0, 1))));
  }));
}

function childSwitcher(s, board, selected) {
  if (board.children.length < 2) return null;
  return h("div", { class: "child-switcher", role: "group", "aria-label": gettext("Whose day") },
    board.children.map(({ child }) => h("button", {
      type: "button", class: "child-pick", "aria-pressed": child.id === selected ? "true" : "false",
      "data-focus": `child-${child.id}`,
      onclick: () => { s.childId = child.id; localStorage.setItem(`today-child-${s.familyId}`, child.id); renderBoard(); },
    }, h("span", { class: "avatar", "aria-hidden": "true" }, child.avatar), child.name)));
}

function routineSwitcher(s, entries, shown, childId) {
  if (entries.length < 2) return null;
  return h("div", { class: "routine-switcher", role: "group", "aria-label": gettext("Routines today") },
    entries.map((e) => h("button", {
      type: "button", class: "chip", "aria-pressed": e === shown ? "true" : "false",
      "data-focus": `routine-${e.routine.id}`,
      onclick: () => { s.routineFor[childId] = e.routine.id; renderBoard(); },
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
    if (s.role === "sitter") parts.push(h("p", {}, gettext("There are no children to look after here.")));
    else {
      parts.push(h("p", {}, gettext("Add your children first, then build their routines.")),
        h("a", { class: "button", href: `#/families/${familyId}/family` }, gettext("Add a child")));
    }
    s.root.replaceChildren(...parts);
    return;
  }
  const current = board.children.find((c) => c.child.id === s.childId) || board.children[0];
  s.childId = current.child.id;
  const entries = current.routines;
  parts.push(childSwitcher(s, board, s.childId));
  if (current.away) {
    // Away that day: no routines, only where the child is and until when.
    const lang = document.documentElement.lang || navigator.language;
    parts.push(h("div", { class: "card away-banner", id: "away-banner" },
      h("span", { class: "now-emoji", "aria-hidden": "true" }, "🧳"),
      h("p", { class: "now-title" }, awayText(current.child.name, current.away, board.date, lang))));
  } else if (!entries.length) {
    parts.push(h("div", { class: "card" },
      h("p", {}, interpolate(gettext("No routines for %(child)s today."), { child: current.child.name })),
      s.role === "sitter" ? null
        : h("a", { class: "button secondary", href: `#/families/${familyId}/routines/new` }, gettext("Make a routine"))));
  } else {
    const wanted = entries.find((e) => e.routine.id === s.routineFor[s.childId]);
    const shown = wanted || pickRoutine(entries, familyNow(familyId));
    s.shown = shown;
    parts.push(routineSwitcher(s, entries, shown, s.childId));
    parts.push(h("h2", { class: "routine-heading" },
      h("span", { "aria-hidden": "true" }, shown.routine.icon || ""), ` ${shown.routine.name}`,
      h("span", { class: "muted small" }, ` · ${shown.routine.start_time}`)));

    if (shown.complete) {
      parts.push(celebration(shown, current.child, s.celebrate === shown.routine.id));
      s.celebrate = null; // animate once, not on every refresh
    } else {
      parts.push(nowCard(s, shown, s.childId), nextCard(shown));
    }
    parts.push(h("p", { class: "progress-text" }, interpolate(gettext("%(done)s of %(total)s done"), { done: shown.done, total: shown.total })),
      stepStrip(shown, s.childId));
    // The child's own full-screen board, to hand the phone over or open on a tablet.
    parts.push(h("a", {
      class: "button secondary child-view-link", "data-focus": "child-view",
      href: `#/child/${familyId}/${s.childId}?routine=${shown.routine.id}`,
    }, h("span", { "aria-hidden": "true" }, "🧒"), " ",
    interpolate(gettext("Child view for %(name)s"), { name: current.child.name })));
  }
  s.root.replaceChildren(...parts.filter(Boolean));
  if (focused) {
    const again = s.root.querySelector(`[data-focus="${CSS.escape(focused)}"]`) || s.root.querySelector(".done-button");
    if (again) again.focus({ preventScroll: true });
  }
}

// --- loading and refreshing -----------------------------------------------------------

// Reads the board if it changed since the copy on display (its ETag: the server answers
// 304 without a body otherwise); `fresh` reads it whatever (our own view may be wrong).
async function load({ fresh = false } = {}) {
  const s = active();
  if (!s) return;
  // Asked again while a read is on its way (a tap synced, the app came back): that read
  // may predate the change, so read once more when it is done rather than drop the ask.
  if (s.loading) { s.readAgain = true; s.readFresh = s.readFresh || fresh; return; }
  s.loading = true;
  s.readAgain = false;
  s.readFresh = false;
  try {
    const path = `families/${s.familyId}/today/${s.date ? `?date=${s.date}` : ""}`;
    const answer = await getIfChanged(path, fresh || !s.board ? null : s.etag);
    s.failures = 0;
    s.pollAt = Date.now() + pollDelay(0);
    // Unchanged (a 304, or the same board again from the offline cache): nothing to draw.
    if (!answer.changed || (!fresh && answer.etag && answer.etag === s.etag)) return;
    const board = answer.data;
    await overlayPending(board, s.familyId);
    if (active() !== s) return;
    s.board = board;
    s.etag = answer.etag;
    renderBoard();
    renderCare();
  } catch (error) {
    if (refusedSitter(s.main, error)) { screen = null; return; } // the pass ended or was revoked
    s.failures = (s.failures || 0) + 1;
    s.pollAt = Date.now() + pollDelay(s.failures);
    if (!s.board) {
      s.root.replaceChildren(h("p", {}, navigator.onLine
        ? interpolate(gettext("Today could not be loaded: %(error)s"), { error: error.message })
        : gettext("You're offline and Today hasn't been loaded on this phone yet.")));
    }
  } finally {
    s.loading = false;
    if (s.readAgain && active() === s) load({ fresh: s.readFresh });
  }
}

// --- the care team: handovers, duty, the sitter's welcome ---------------------------------

const CARE_POLL_MS = 30000;

const seenKey = (familyId) => `handovers-seen-${familyId}`;
function dismissed(familyId) {
  try { return JSON.parse(localStorage.getItem(seenKey(familyId)) || "[]"); } catch { return []; }
}
function dismiss(familyId, id) {
  localStorage.setItem(seenKey(familyId), JSON.stringify([...dismissed(familyId), id].slice(-50)));
  renderCare({ force: true });
}

// The children this phone shows: the board's (the server gives each member only the
// children they may see).
const visibleChildren = (s) => (s.board ? s.board.children.map((c) => c.child) : []);

async function loadCare() {
  const s = active();
  if (!s) return;
  if (s.careLoading) { s.careAgain = true; return s.careLoading; } // read again once this one is done
  let done;
  s.careLoading = new Promise((resolve) => { done = resolve; });
  s.careAgain = false;
  try {
    const [duty, handovers] = await Promise.all([
      api.get(`families/${s.familyId}/duty/`),
      api.get(`families/${s.familyId}/handovers/?page_size=20`),
    ]);
    if (active() !== s) return;
    s.duty = Array.isArray(duty) ? duty : [];
    if (s.myMemberId === null && s.role === "sitter") s.myMemberId = memberIdByName(s.duty, session.user.display_name);
    s.handovers = (handovers && handovers.results) || (Array.isArray(handovers) ? handovers : []);
    s.careAt = Date.now() + CARE_POLL_MS;
    renderCare();
  } catch (error) {
    if (refusedSitter(s.main, error)) { screen = null; return; }
    s.careAt = Date.now() + CARE_POLL_MS; // the board still works without it
  } finally {
    s.careLoading = null;
    done();
    if (s.careAgain && active() === s) loadCare();
  }
}

async function toggleDuty(child, on) {
  const s = active();
  if (!s) return;
  const path = `families/${s.familyId}/children/${child.id}/duty/`;
  try {
    if (on) {
      const answer = await api.put(path);
      const member = answer && answer.member;
      if (s.myMemberId === null && member !== undefined && member !== null) s.myMemberId = typeof member === "object" ? member.id : member;
      toast(interpolate(gettext("You have %(child)s now"), { child: child.name }));
    } else {
      await api.del(path);
      toast(interpolate(gettext("You're off duty for %(child)s"), { child: child.name }));
    }
  } catch (error) {
    if (refusedSitter(s.main, error)) { screen = null; return; }
    toast(error.status ? error.message : gettext("You're offline: try again with a connection."));
  }
  await loadCare();
  const again = s.care.querySelector(`[data-focus="duty-${child.id}"]`);
  if (again) again.focus({ preventScroll: true });
}

function dutyRow(s, child, timeZone) {
  const members = dutyOf(s.duty || [], child.id);
  const mine = onDuty(members, s.myMemberId);
  return h("li", { class: "duty-row" },
    h("span", { class: "duty-who" },
      h("span", { class: "avatar", "aria-hidden": "true" }, child.avatar || "🙂"),
      h("span", {}, h("strong", {}, child.name), h("br"),
        h("span", { class: "small muted duty-text" }, dutyText(members, s.myMemberId, timeZone, Date.now())))),
    h("span", { class: "row duty-actions" },
      mine
        ? h("button", { type: "button", class: "secondary", "data-focus": `duty-${child.id}`,
          "aria-label": interpolate(gettext("Stop being on duty for %(child)s"), { child: child.name }), onclick: () => toggleDuty(child, false) }, gettext("Stop"))
        : h("button", { type: "button", class: "secondary", "data-focus": `duty-${child.id}`,
          onclick: () => toggleDuty(child, true) }, interpolate(gettext("I have %(child)s now"), { child: child.name })),
      seesCareLog(s.role)
        ? h("a", { class: "button quiet", href: `#/families/${s.familyId}/children/${child.id}/log`,
          "aria-label": interpolate(gettext("Care log for %(child)s"), { child: child.name }) }, gettext("Care log"))
        : null));
}

function sitterCard(s, children, timeZone) {
  const status = h("p", { class: "small muted", id: "sitter-push", role: "status" });
  const turnOn = h("button", { type: "button", class: "secondary", id: "sitter-push-on" }, gettext("Turn on notifications"));
  turnOn.addEventListener("click", async () => {
    turnOn.disabled = true;
    try {
      const result = await enablePush();
      status.textContent = result === "on" ? gettext("Notifications are on: reminders for the children come to this phone.")
        : result === "denied" ? gettext("Notifications are blocked for Tandem on this phone.") : gettext("No notifications for now.");
      if (result === "on") turnOn.remove();
    } catch (error) {
      status.textContent = error.message || gettext("Could not turn notifications on.");
    } finally {
      turnOn.disabled = false;
    }
  });
  if (pushSupported()) {
    currentSubscription().then((sub) => {
      if (sub && Notification.permission === "granted") { turnOn.remove(); status.textContent = gettext("Notifications are on for this phone."); }
    }).catch(() => {});
  }
  return h("section", { class: "card sitter-card", "aria-label": gettext("Your pass") },
    h("p", { class: "sitter-welcome" }, sitterWelcome(s.familyId, children, timeZone)),
    pushSupported() ? h("div", { class: "row" }, turnOn) : null,
    status,
    h("div", { class: "row" }, h("a", { class: "button", href: `#/families/${s.familyId}/handover` }, gettext("Hand over"))));
}

// The care area: redrawn when what it shows changed (not on every board refresh), keeping
// the focus on the button that had it.
function renderCare({ force = false } = {}) {
  const s = active();
  if (!s || !s.board) return;
  const family = (session.user.families || []).find((f) => f.id === s.familyId) || {};
  const timeZone = family.timezone;
  const children = visibleChildren(s);
  const ids = children.map((c) => c.id);
  const shown = latestHandovers(s.handovers || [], ids, Date.now(), { myMemberId: s.myMemberId, dismissed: dismissed(s.familyId) });
  const signature = JSON.stringify([children, s.duty, shown.map((x) => x.id), s.myMemberId, Math.floor(Date.now() / 60000)]);
  if (!force && signature === s.careSignature) return;
  s.careSignature = signature;
  const focused = document.activeElement && s.care.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
  const parts = [];
  for (const handover of shown) {
    const card = summaryView(handover, s.myMemberId);
    card.classList.add("handover-new");
    card.append(h("div", { class: "row" }, h("button", { type: "button", class: "quiet", "data-focus": `seen-${handover.id}`,
      onclick: () => dismiss(s.familyId, handover.id) }, gettext("Got it"))));
    parts.push(card);
  }
  if (s.role === "sitter") parts.push(sitterCard(s, children, timeZone));
  if (children.length) {
    parts.push(h("section", { class: "duty", "aria-labelledby": "duty-h" },
      h("h2", { id: "duty-h", class: "sr-only" }, gettext("Who has the children")),
      h("ul", { class: "list duty-list" }, children.map((child) => dutyRow(s, child, timeZone))),
      s.role === "sitter" ? null
        : h("div", { class: "row" }, h("a", { class: "button secondary", href: `#/families/${s.familyId}/handover` }, gettext("Hand over…")))));
  }
  s.care.replaceChildren(...parts);
  if (focused) {
    const again = s.care.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

// --- the screen -------------------------------------------------------------------------

// Opened from a reminder (?routine=): show that routine, for the first child who has it.
function openRoutine(s, routineId) {
  if (!routineId || active() !== s || !s.board) return;
  const holder = s.board.children.find((c) => c.routines.some((r) => r.routine.id === routineId));
  if (holder) { s.childId = holder.child.id; s.routineFor[holder.child.id] = routineId; renderBoard(); }
}

function mountToday(main, { family }) {
  const familyId = Number(family);
  setFamily(familyId);
  const q = query();
  const root = h("div", { id: "today-board", class: "today" }, h("p", { class: "loading" }, gettext("Loading…")));
  const wantedChild = Number(q.get("child")) || Number(localStorage.getItem(`today-child-${familyId}`)) || null;
  const care = h("div", { id: "today-care", class: "today-care" });
  const mine = (session.user.families || []).find((f) => f.id === familyId) || {};
  const s = {
    familyId, root, main, care, role: mine.role, myMemberId: null, duty: [], handovers: [],
    board: null, date: q.get("date"), childId: wantedChild, routineFor: {}, shown: null,
  };
  screen = s;
  fill(main, h("h1", {}, gettext("Today")), care, root);

  // Another caregiver's taps show up at once when the screen comes back, and within
  // POLL_MS while it is visible (a 304 while nothing changed; slower after failures;
  // no reads at all while hidden or offline); the outbox emptying means our queued taps reached
  // the server: show its truth.
  const onVisible = () => { if (!document.hidden && active()) { load(); loadCare(); } };
  const onFocus = () => { if (active()) { load(); loadCare(); } };
  document.addEventListener("visibilitychange", onVisible);
  window.addEventListener("focus", onFocus);
  const refresh = setInterval(() => {
    if (!document.hidden && navigator.onLine && active() && Date.now() >= (s.pollAt || 0)) load();
    if (!document.hidden && navigator.onLine && active() && Date.now() >= (s.careAt || 0)) loadCare();
  }, POLL_MS / 4);
  const ticking = setInterval(tickTimers, 1000);
  const unsubscribe = onChange((items, { emptied }) => { if (emptied && active()) load(); });

  load().then(() => openRoutine(s, Number(q.get("routine"))));
  s.careAt = Date.now() + CARE_POLL_MS; // the first read is below, once my member id is known
  careContext(familyId).then((ctx) => {
    if (active() !== s) return;
    s.myMemberId = ctx.myMemberId;
    loadCare();
  }).catch(() => { if (active() === s) loadCare(); });
  return () => {
    document.removeEventListener("visibilitychange", onVisible);
    window.removeEventListener("focus", onFocus);
    clearInterval(refresh);
    clearInterval(ticking);
    unsubscribe();
    if (screen === s) screen = null;
  };
}

export const routes = [["families/:family/today", mountToday]];
