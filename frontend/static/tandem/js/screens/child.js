// The child view: one child's routine as a full-screen board a pre-reader can follow.
// The now step as a photo or a very large emoji, said aloud (its recorded voice, else
// the browser's speech), a timer bar that shrinks calmly and chimes softly at the end,
// one big Done (through the offline outbox, as Today's taps), the next step small, a
// quiet celebration at the end. No typing and no tabs: a grown-up leaves by holding
// "Grown-ups" and entering the family PIN. The rules live in child-logic.js.

import { api, getIfChanged } from "../api.js";
import { fill, h, toast } from "../dom.js";
import { gettext, interpolate, ngettext } from "../i18n.js";
import { onChange, pending, send } from "../offline-queue.js";
import { go, query } from "../router.js";
import { session, setFamily } from "../state.js";
import { applyPending, clockIn, isDoubleTap, markStep, stepKey, stepPath } from "../today-logic.js";
import {
  childOf, childPath, childTimer, holdProgress, LOCK_KEY, lockedRedirect, MUTE_KEY, padPress, parseLock, pinReady,
  routineFor, shouldChime, speechLang, toSay,
} from "../child-logic.js";

const POLL_MS = 5000;
const routineKey = (familyId, childId) => `tandem-child-routine-${familyId}-${childId}`;

// --- leaving -----------------------------------------------------------------------------

// Where an unlocked exit goes: Today on a caregiver's phone. A child device replaces it
// with its child chooser: setLeaveTo((familyId, childId) => "device/…").
let leaveTo = (familyId) => `families/${familyId}/today`;
export function setLeaveTo(where) { leaveTo = where; }

const readLock = () => parseLock(sessionStorage.getItem(LOCK_KEY));

/** The route to show instead of `path` while a child view is locked, or null (app.js). */
export const lockedRoute = (path) => lockedRedirect(path, readLock());

/** Unlocks the child view and goes where an exit goes (after the long press and PIN). */
export function leaveChildView(familyId, childId) {
  sessionStorage.removeItem(LOCK_KEY);
  go(leaveTo(familyId, childId));
}

// --- sound -------------------------------------------------------------------------------

const isMuted = () => localStorage.getItem(MUTE_KEY) === "1";

function stopSound(s) {
  try { window.speechSynthesis.cancel(); } catch { /* no speech here */ }
  s.audio.pause();
}

function speak(text) {
  if (!("speechSynthesis" in window)) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = speechLang(document.documentElement.lang);
  utterance.rate = 0.9;
  window.speechSynthesis.speak(utterance);
}

// Says the now step (or the end) when it changed since it was last said.
function sayIfNew(s, entry) {
  const what = toSay(entry, gettext("All done!"));
  if (!what || what.key === s.spokenKey) return;
  s.spokenKey = what.key;
  if (s.muted) return;
  stopSound(s);
  if (what.voiceUrl) {
    s.audio.src = what.voiceUrl;
    s.audio.play().catch(() => speak(what.text));
  } else {
    speak(what.text);
  }
}

function audioContext(s) {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!s.audioContext) s.audioContext = new Context();
  if (s.audioContext.state === "suspended") s.audioContext.resume().catch(() => {});
  return s.audioContext;
}

// A soft two-note chime made on the spot (no file): sine tones fading in and out.
function chime(s) {
  if (s.muted) return;
  const context = audioContext(s);
  if (!context) return;
  const start = context.currentTime;
  [659.25, 987.77].forEach((frequency, i) => {
    const at = start + i * 0.3;
    const tone = context.createOscillator();
    const gain = context.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.12, at + 0.06);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.6);
    tone.connect(gain).connect(context.destination);
    tone.start(at);
    tone.stop(at + 1.7);
  });
}

// --- the timer -----------------------------------------------------------------------------

function timerWords(t) {
  if (t.ended) return gettext("Take your time");
  if (t.left < 60) return gettext("Less than a minute");
  const minutes = Math.ceil(t.left / 60);
  return interpolate(ngettext("About %(n)s minute", "About %(n)s minutes", minutes), { n: minutes });
}

function drawTimer(s) {
  const bar = s.root.querySelector(".child-timer");
  if (!bar || !s.entry) return;
  const t = childTimer(s.entry, Date.now(), s.openedAt);
  if (!t) return;
  bar.style.setProperty("--left", String(t.fraction));
  bar.setAttribute("aria-valuenow", String(Math.round(t.fraction * 100)));
  const words = timerWords(t);
  if (bar.getAttribute("aria-valuetext") !== words) {
    bar.setAttribute("aria-valuetext", words);
    bar.querySelector(".child-timer-words").textContent = words;
  }
  bar.classList.toggle("ended", t.ended);
  const stepId = s.entry.now_step ? s.entry.now_step.id : null;
  if (shouldChime(t, stepId, s.chimedFor)) {
    s.chimedFor = stepId;
    chime(s);
  }
}

// --- drawing -----------------------------------------------------------------------------

function stepPicture(step, size) {
  if (step.photo_url) return h("img", { class: `child-photo ${size}`, src: step.photo_url, alt: "" });
  return h(size === "small" ? "span" : "div", { class: `child-emoji ${size}`, "aria-hidden": "true" }, step.icon || "⭐");
}

function nowView(s, entry) {
  const step = entry.now_step;
  return h("section", { class: "child-now", "aria-labelledby": "child-now-title" },
    stepPicture(step, "big"),
    h("h2", { class: "child-now-title", id: "child-now-title" }, step.title),
    h("div", {
      class: "child-timer", role: "progressbar", "aria-label": gettext("Time for this step"),
      "aria-valuemin": "0", "aria-valuemax": "100",
    }, h("div", { class: "child-timer-track", "aria-hidden": "true" }, h("div", { class: "child-timer-fill" })),
    h("span", { class: "child-timer-words", "aria-hidden": "true" })),
    h("button", {
      type: "button", class: "child-done", "data-focus": "done",
      "aria-label": interpolate(gettext("Done: %(step)s"), { step: step.title }),
      onclick: () => tick(s),
    }, h("span", { "aria-hidden": "true" }, "✓"), " ", gettext("Done")));
}

function nextView(entry) {
  const step = entry.next_step;
  if (!step) return h("p", { class: "child-next" }, gettext("This is the last step"));
  return h("p", { class: "child-next" },
    h("span", { class: "child-next-label" }, gettext("Next:")), " ",
    stepPicture(step, "small"), " ", h("span", {}, step.title));
}

function celebrationView(s, child, fresh) {
  return h("section", { class: `child-celebration${fresh ? " celebrate" : ""}`, "aria-labelledby": "child-done-title" },
    h("div", { class: "child-emoji big child-star", "aria-hidden": "true" }, "🌟"),
    h("h2", { class: "child-now-title", id: "child-done-title" }, gettext("All done!")),
    h("p", { class: "child-well-done" }, interpolate(gettext("Well done, %(name)s!"), { name: child.name })));
}

function controls(s) {
  const feel = h("a", {
    class: "button child-feel", href: `#/${childPath(s.familyId, s.childId)}/feel`, "data-focus": "feel",
  }, h("span", { "aria-hidden": "true" }, "😊"), " ", gettext("How do I feel?"));
  const sound = h("button", {
    type: "button", class: "secondary child-sound", "aria-pressed": s.muted ? "false" : "true", "data-focus": "sound",
    onclick: () => toggleSound(s),
  }, h("span", { "aria-hidden": "true" }, s.muted ? "🔇" : "🔊"), " ", gettext("Sound"));
  // The child's own check-in tells the grown-ups by push: on a tablet. On a grown-up's
  // phone the grown-up is right there, so the button would only be a detour.
  const onTablet = Boolean(session.user && session.user.device);
  return h("div", { class: "child-controls" }, onTablet ? feel : null, sound);
}

function grownUps(s) {
  const button = h("button", {
    type: "button", class: "quiet child-grownups", "aria-describedby": "child-grownups-hint", "data-focus": "grownups",
  }, h("span", { class: "child-hold", "aria-hidden": "true" }), h("span", { class: "child-grownups-text" }, gettext("Grown-ups")));
  const hint = h("span", { id: "child-grownups-hint", class: "sr-only" }, gettext("Press and hold to leave the child view"));
  const start = (event) => {
    if (s.holdStart !== null) return;
    if (event) event.preventDefault();
    s.holdStart = Date.now();
    button.classList.add("holding");
    s.holdTimer = setInterval(() => {
      const p = holdProgress(s.holdStart, Date.now());
      button.style.setProperty("--hold", String(p.fraction));
      if (p.complete) { stop(); openExit(s); }
    }, 50);
  };
  const stop = () => {
    clearInterval(s.holdTimer);
    s.holdStart = null;
    button.classList.remove("holding");
    button.style.setProperty("--hold", "0");
  };
  button.addEventListener("pointerdown", (event) => { if (event.button === 0) start(event); });
  for (const name of ["pointerup", "pointercancel", "pointerleave"]) button.addEventListener(name, stop);
  button.addEventListener("contextmenu", (event) => event.preventDefault());
  button.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault(); // held, not clicked
    if (!event.repeat) start(null);
  });
  button.addEventListener("keyup", (event) => { if (event.key === "Enter" || event.key === " ") stop(); });
  button.addEventListener("blur", stop);
  s.stopHold = stop;
  return h("div", { class: "child-top" }, button, hint);
}

function render(s) {
  if (!s.board) return;
  const focused = document.activeElement && s.root.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
  const child = childOf(s.board, s.childId);
  const family = (session.user.families || []).find((f) => f.id === s.familyId) || {};
  const parts = [grownUps(s)];
  s.entry = null;
  if (!child) {
    parts.push(h("h1", { class: "child-heading" }, gettext("Child view")),
      h("p", { class: "child-calm" }, gettext("This child's day is not on this phone.")));
  } else {
    const entry = routineFor(child.routines, s.routineId, clockIn(family.timezone, new Date()));
    parts.push(h("h1", { class: "child-heading" },
      child.child.photo_url
        ? h("img", { class: "child-portrait", src: child.child.photo_url, alt: "" })
        : h("span", { class: "child-portrait", "aria-hidden": "true" }, child.child.avatar || "🙂"),
      " ", entry ? interpolate(gettext("%(name)s: %(routine)s"), { name: child.child.name, routine: entry.routine.name })
        : child.child.name));
    if (!entry) {
      parts.push(h("div", { class: "child-emoji big", "aria-hidden": "true" }, "🌈"),
        h("p", { class: "child-calm" }, gettext("Nothing to do right now.")));
    } else {
      s.routineId = entry.routine.id;
      sessionStorage.setItem(routineKey(s.familyId, s.childId), String(entry.routine.id));
      s.entry = entry;
      if (entry.complete) {
        parts.push(celebrationView(s, child.child, s.celebrate));
        s.celebrate = false;
      } else {
        parts.push(nowView(s, entry), nextView(entry));
      }
      parts.push(h("p", { class: "sr-only", role: "status" },
        entry.complete ? gettext("All done!") : interpolate(gettext("Now: %(step)s"), { step: entry.now_step.title })));
    }
    parts.push(controls(s));
  }
  if (s.stopHold) s.stopHold();
  s.content.replaceChildren(...parts);
  drawTimer(s);
  sayIfNew(s, s.entry);
  const again = focused && s.root.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
  if (again) again.focus({ preventScroll: true });
  else if (focused === "done") { const feel = s.root.querySelector("[data-focus=feel]"); if (feel) feel.focus({ preventScroll: true }); }
}

// --- ticking and reading ---------------------------------------------------------------------

function tick(s) {
  const entry = s.entry;
  if (!entry || !entry.now_step) return;
  audioContext(s); // made inside the tap, so the end-of-step chime may sound later
  if (isDoubleTap(s.lastTap, Date.now())) { s.lastTap = 0; return; } // one tap, not two steps
  s.lastTap = Date.now();
  const stepId = entry.now_step.id;
  const change = markStep(entry, stepId, true, new Date().toISOString());
  if (!change) return;
  s.celebrate = change.finished;
  render(s);
  const date = s.board.date;
  send("PUT", stepPath(s.familyId, entry.routine.id, s.childId, date, stepId), undefined,
    stepKey(entry.routine.id, s.childId, date, stepId))
    .catch(() => load(s, { fresh: true })); // refused for good: show the server's truth
}

async function load(s, { fresh = false } = {}) {
  if (s.gone || s.loading) return;
  s.loading = true;
  try {
    const answer = await getIfChanged(`families/${s.familyId}/today/`, fresh || !s.board ? null : s.etag);
    if (s.gone || !answer.changed || (!fresh && answer.etag && answer.etag === s.etag)) return;
    let items = [];
    try { items = await pending(); } catch { items = []; }
    applyPending(answer.data, s.familyId, items);
    if (s.gone) return;
    s.board = answer.data;
    s.etag = answer.etag;
    render(s);
  } catch (error) {
    if (!s.board) {
      s.content.replaceChildren(grownUps(s), h("h1", { class: "child-heading" }, gettext("Child view")),
        h("p", { class: "child-calm" }, navigator.onLine ? gettext("The board could not be loaded.")
          : gettext("You're offline and this board hasn't been loaded on this phone yet.")));
    }
  } finally {
    s.loading = false;
  }
}

function toggleSound(s) {
  s.muted = !s.muted;
  if (s.muted) { localStorage.setItem(MUTE_KEY, "1"); stopSound(s); }
  else { localStorage.removeItem(MUTE_KEY); s.spokenKey = null; }
  render(s);
}

// --- the grown-ups' exit -----------------------------------------------------------------------

function leave(s, { nudge = false } = {}) {
  const role = s.role;
  leaveChildView(s.familyId, s.childId);
  if (nudge && role === "owner") toast(gettext("Set a family PIN in Family, so only grown-ups can leave the child view."));
}

function openExit(s) {
  if (!s.hasPin) { leave(s, { nudge: true }); return; }
  let pin = "";
  const dots = h("span", { class: "pin-dots-shown", "aria-hidden": "true" });
  const count = h("span", { class: "sr-only" });
  const error = h("p", { class: "pin-error", role: "alert" });
  const show = () => {
    dots.textContent = pin ? "●".repeat(pin.length) : "";
    count.textContent = interpolate(ngettext("%(n)s digit entered", "%(n)s digits entered", pin.length), { n: pin.length });
    ok.disabled = !pinReady(pin);
  };
  const press = (key) => { pin = padPress(pin, key); error.textContent = ""; show(); };
  const close = () => {
    dialog.remove();
    s.content.inert = false;
    s.dialog = null;
    const button = s.root.querySelector("[data-focus=grownups]");
    if (button) button.focus({ preventScroll: true });
  };
  const submit = async () => {
    if (!pinReady(pin)) return;
    ok.disabled = true;
    try {
      await api.post(`families/${s.familyId}/pin/check/`, { pin });
      dialog.remove();
      s.dialog = null;
      leave(s);
    } catch (problem) {
      pin = "";
      show();
      error.textContent = problem.status === 400 ? gettext("That is not the PIN. Try again.")
        : problem.status === 429 ? gettext("Too many tries. Wait a moment, then try again.")
          : gettext("The PIN could not be checked. Try again with a connection.");
    }
  };
  const digit = (d) => h("button", { type: "button", class: "pin-key", onclick: () => press(d) }, d);
  const ok = h("button", { type: "button", class: "pin-key pin-ok", disabled: true, onclick: submit,
    "aria-label": gettext("Check the PIN") }, h("span", { "aria-hidden": "true" }, "✓"));
  const dialog = h("div", { class: "pin-backdrop" },
    h("div", { class: "pin-pad", role: "dialog", "aria-modal": "true", "aria-labelledby": "pin-title" },
      h("h2", { id: "pin-title" }, gettext("Grown-ups: enter the family PIN")),
      h("p", { class: "pin-dots", "aria-live": "polite" }, dots, count),
      h("div", { class: "pin-keys", role: "group", "aria-label": gettext("Digits") },
        ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map(digit),
        h("button", { type: "button", class: "pin-key", "aria-label": gettext("Delete a digit"), onclick: () => press("back") },
          h("span", { "aria-hidden": "true" }, "⌫")),
        digit("0"), ok),
      error,
      h("button", { type: "button", class: "secondary full pin-cancel", onclick: close }, gettext("Cancel"))));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    else if (/^[0-9]$/.test(event.key)) press(event.key);
    else if (event.key === "Backspace") press("back");
    else if (event.key === "Enter" && document.activeElement === dialog.querySelector(".pin-cancel")) close();
  });
  show();
  s.content.inert = true;
  s.dialog = dialog;
  s.root.append(dialog);
  dialog.querySelector(".pin-key").focus();
}

// --- the screen ----------------------------------------------------------------------------------

function mountChild(main, { family, child }) {
  const familyId = Number(family);
  const childId = Number(child);
  setFamily(familyId);
  sessionStorage.setItem(LOCK_KEY, JSON.stringify({ familyId, childId }));
  const content = h("div", { class: "child-content" }, h("p", { class: "loading" }, gettext("Loading…")));
  const audio = h("audio", { class: "child-voice", preload: "auto" });
  const root = h("div", { class: "child-view" }, content, audio);
  const mine = (session.user.families || []).find((f) => f.id === familyId) || {};
  const s = {
    familyId, childId, root, content, audio, board: null, etag: null, entry: null, gone: false, loading: false,
    routineId: Number(query().get("routine")) || Number(sessionStorage.getItem(routineKey(familyId, childId))) || null,
    openedAt: Date.now(), spokenKey: null, chimedFor: null, muted: isMuted(), lastTap: 0, celebrate: false,
    hasPin: false, role: mine.role, holdStart: null, holdTimer: null, stopHold: null, dialog: null, audioContext: null,
  };
  fill(main, root);
  const device = session.user && session.user.device;
  if (device) s.hasPin = Boolean(device.family.has_pin); // a tablet may not read the family
  else {
    api.get(`families/${familyId}/`).then((f) => { s.hasPin = Boolean(f && f.has_pin); s.role = (f && f.role) || s.role; })
      .catch(() => {});
  }
  load(s).then(() => { const h1 = root.querySelector("h1"); if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); } });
  const clock = setInterval(() => drawTimer(s), 1000);
  const poll = setInterval(() => { if (!document.hidden && navigator.onLine && !s.dialog) load(s); }, POLL_MS);
  const unsubscribe = onChange((_items, { emptied }) => { if (emptied) load(s); });
  return () => {
    s.gone = true;
    clearInterval(clock);
    clearInterval(poll);
    clearInterval(s.holdTimer);
    unsubscribe();
    stopSound(s);
    if (s.audioContext) s.audioContext.close().catch(() => {});
  };
}

export const routes = [["child/:family/:child", mountChild]];
