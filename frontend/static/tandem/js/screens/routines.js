// Routines: the family's list, and an editor for name, emoji, children, days, start time,
// reminders and the ordered steps (add, move up/down, remove, pick an emoji).

import { api, ApiError, getAll } from "../api.js";
import { fill, h, handleSubmit, toast } from "../dom.js";
import { gettext, interpolate, ngettext } from "../i18n.js";
import { limit } from "../limits.js";
import { photoPicker, voiceRecorder } from "../media.js";
import { go } from "../router.js";
import {
  canAdd, canMove, canRemove, DAYS, daysSummary, editorStep, MAX_STEP_MINUTES, moveStep, routineErrors, stepsBody,
} from "../routines-logic.js";
import { setFamily } from "../state.js";

export const tab = "routines";

const ROUTINE_ICONS = ["🌅", "☀️", "🌙", "🛁", "🍽️", "🏫", "🎒", "🧸", "📚", "🏃", "🎵", "🗓️"];
const STEP_ICONS = ["⭐", "🚽", "🧼", "🪥", "🛁", "🚿", "👕", "🧦", "👟", "🧥", "🥣", "🍎", "🥪", "🥛",
  "💧", "🎒", "📚", "📖", "✏️", "🧸", "🧩", "🎨", "🎵", "🛏️", "😴", "🌙", "🤗", "💊", "🧴", "🚗", "🏃", "🐶"];
const OFFSETS = [[0, gettext("At the start")], [5, gettext("5 min before")], [10, gettext("10 min before")], [15, gettext("15 min before")],
  [30, gettext("30 min before")], [60, gettext("1 hour before")]];

async function mountList(root, { family }) {
  const familyId = Number(family);
  setFamily(familyId);
  const [routines, children] = await Promise.all([
    getAll(`families/${familyId}/routines/`),
    getAll(`families/${familyId}/children/`),
  ]);
  const byId = new Map(children.map((c) => [c.id, c]));
  const items = routines.map((r) => h("li", { class: "card routine-item" },
    h("a", { class: "routine-link", href: `#/families/${familyId}/routines/${r.id}` },
      h("span", { class: "routine-icon", "aria-hidden": "true" }, r.icon || "🗓️"),
      h("span", { class: "routine-text" },
        h("strong", {}, r.name), r.is_active ? null : [" ", h("span", { class: "badge" }, gettext("paused"))], h("br"),
        h("span", { class: "small muted" },
          `${r.start_time} · ${daysSummary(r.days_of_week)} · ${interpolate(ngettext("%(n)s step", "%(n)s steps", r.steps.length), { n: r.steps.length })}`),
        h("span", { class: "routine-children" },
          r.children.map((id) => byId.get(id)).filter(Boolean).map((c) => h("span", { class: "mini-avatar", "aria-hidden": "true" }, c.avatar)),
          h("span", { class: "sr-only" }, " ", interpolate(gettext("For %(children)s."), { children: r.children.map((id) => (byId.get(id) || {}).name).filter(Boolean).join(", ") || gettext("no one yet") }))),
        h("span", { class: "sr-only" }, " ", gettext("Edit"))))));
  fill(root,
    h("h1", {}, gettext("Routines")),
    h("p", { class: "muted" }, gettext("The same steps in the same order help children know what comes next.")),
    h("a", { class: "button full", href: `#/families/${familyId}/routines/new` }, gettext("New routine")),
    routines.length
      ? h("ul", { class: "list-plain", id: "routine-list" }, items)
      : h("p", { class: "muted" }, gettext("No routines yet. Bedtime or the school morning are good first ones.")),
  );
}

let uid = 0;
const newStep = (step) => editorStep(`s${(uid += 1)}`, step);

function chipGroup(legend, name, choices, selected, { type = "checkbox", inputName } = {}) {
  return h("fieldset", { name, class: "chips" },
    h("legend", {}, legend),
    choices.map(([value, label, long]) => h("label", { class: "chip" },
      h("input", { type, name: inputName, value, class: "sr-radio", checked: selected.includes(value), "aria-label": long || undefined }),
      label)));
}

function checkedValues(form, inputName) {
  return [...form.querySelectorAll(`input[name="${inputName}"]:checked`)].map((i) => i.value);
}

async function editor(root, familyId, routineId) {
  setFamily(familyId);
  const [children, routine] = await Promise.all([
    getAll(`families/${familyId}/children/`),
    routineId ? api.get(`families/${familyId}/routines/${routineId}/`) : null,
  ]);
  const r = routine || {
    name: "", icon: "🌙", children: children.map((c) => c.id), days_of_week: [1, 2, 3, 4, 5, 6, 7],
    start_time: "", reminder_offsets: [10], is_active: true, steps: [{}],
  };
  const steps = r.steps.map((step) => newStep(step));
  const stepList = h("ol", { class: "step-editor", id: "step-editor" });

  function renderSteps(focusKey) {
    stepList.replaceChildren(...steps.map((s, i) => {
      const n = i + 1;
      const move = (delta) => {
        moveStep(steps, i, delta);
        renderSteps(`${s.key}-${delta < 0 ? "up" : "down"}`);
      };
      const picker = s.picking ? h("div", { class: "chips emoji-picker", role: "group", "aria-label": interpolate(gettext("Emoji for step %(n)s"), { n }) },
        STEP_ICONS.map((icon) => h("button", { type: "button", class: "chip emoji-chip", "aria-pressed": icon === s.icon ? "true" : "false",
          "aria-label": icon, onclick: () => { s.icon = icon; s.picking = false; renderSteps(`${s.key}-emoji`); } }, icon))) : null;
      return h("li", { class: "step-row" },
        h("div", { class: "step-main" },
          h("button", { type: "button", class: "emoji-button secondary", "data-focus": `${s.key}-emoji`,
            "aria-expanded": s.picking ? "true" : "false", "aria-label": interpolate(gettext("Choose emoji for step %(n)s (now %(icon)s)"), { n, icon: s.icon }),
            onclick: () => { s.picking = !s.picking; renderSteps(`${s.key}-emoji`); } }, s.icon),
          h("div", { class: "step-fields" },
            h("label", { for: `${s.key}-title` }, interpolate(gettext("Step %(n)s"), { n })),
            h("input", { id: `${s.key}-title`, name: `steps.${i}.title`, value: s.title, maxlength: limit("step.title"),
              placeholder: [gettext("Bath"), gettext("Pyjamas"), gettext("Brush teeth"), gettext("Story")][i % 4], autocomplete: "off",
              oninput: (e) => { s.title = e.target.value; } }),
            h("label", { for: `${s.key}-minutes`, class: "small" }, gettext("Minutes (optional)")),
            h("input", { id: `${s.key}-minutes`, name: `steps.${i}.duration_minutes`, type: "number", inputmode: "numeric",
              min: 1, max: MAX_STEP_MINUTES, value: s.duration, class: "minutes", "aria-label": interpolate(gettext("Minutes for step %(n)s (optional)"), { n }),
              oninput: (e) => { s.duration = e.target.value; } }))),
        picker,
        h("div", { class: "step-media" },
          photoPicker({ familyId, id: `${s.key}-photo`, label: `Step ${n}`, current: s.photo,
            onChange: (media) => { s.photo = media; } }),
          voiceRecorder({ familyId, id: `${s.key}-voice`, label: `Step ${n}`, current: s.voice,
            onChange: (media) => { s.voice = media; } })),
        h("div", { class: "row step-actions" },
          h("button", { type: "button", class: "quiet", "data-focus": `${s.key}-up`, disabled: !canMove(steps, i, -1),
            "aria-label": interpolate(gettext("Move step %(n)s up"), { n }), onclick: () => move(-1) }, "↑"),
          h("button", { type: "button", class: "quiet", "data-focus": `${s.key}-down`, disabled: !canMove(steps, i, 1),
            "aria-label": interpolate(gettext("Move step %(n)s down"), { n }), onclick: () => move(1) }, "↓"),
          h("button", { type: "button", class: "quiet", disabled: !canRemove(steps),
            "aria-label": interpolate(gettext("Remove step %(n)s"), { n }), onclick: () => { steps.splice(i, 1); renderSteps(); } }, "✕")));
    }));
    addButton.disabled = !canAdd(steps);
    const target = focusKey && stepList.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
    if (target && !target.disabled) target.focus();
  }

  const addButton = h("button", { type: "button", class: "secondary full", onclick: () => {
    steps.push(newStep());
    renderSteps();
    stepList.querySelector("li:last-child input").focus();
  } }, gettext("+ Add a step"));

  const daysField = chipGroup(gettext("Days"), "days_of_week", DAYS, r.days_of_week, { inputName: "day" });
  const setDays = (days) => daysField.querySelectorAll("input").forEach((i) => { i.checked = days.includes(Number(i.value)); });
  const form = h("form", { class: "card stack routine-form", novalidate: true },
    h("label", { for: "f-name" }, gettext("Routine name")),
    h("input", { id: "f-name", name: "name", value: r.name, required: true, maxlength: limit("routine.name"), placeholder: gettext("Bedtime"), autocomplete: "off" }),
    chipGroup(gettext("Emoji"), "icon", ROUTINE_ICONS.map((i) => [i, i]), [r.icon], { type: "radio", inputName: "routine-icon" }),
    children.length
      ? chipGroup(gettext("For"), "children", children.map((c) => [c.id, `${c.avatar} ${c.name}`]), r.children, { inputName: "child" })
      : h("p", { class: "muted small" }, gettext("Add your children on the Family tab so the routine shows on their Today board.")),
    daysField,
    h("div", { class: "row" },
      h("button", { type: "button", class: "quiet", onclick: () => setDays([1, 2, 3, 4, 5, 6, 7]) }, gettext("Every day")),
      h("button", { type: "button", class: "quiet", onclick: () => setDays([1, 2, 3, 4, 5]) }, gettext("Weekdays")),
      h("button", { type: "button", class: "quiet", onclick: () => setDays([6, 7]) }, gettext("Weekends"))),
    h("label", { for: "f-start" }, gettext("Starts at")),
    h("input", { id: "f-start", name: "start_time", type: "time", value: r.start_time, required: true }),
    h("label", { for: "f-finish" }, gettext("Finish by (optional)")),
    h("input", { id: "f-finish", name: "finish_by", type: "time", value: r.finish_by || "",
      "aria-describedby": "f-finish-help" }),
    h("p", { class: "small muted", id: "f-finish-help" },
      gettext("The child view shortens the steps left so the routine ends on time, calmly.")),
    chipGroup(gettext("Remind caregivers"), "reminder_offsets", OFFSETS, r.reminder_offsets, { inputName: "offset" }),
    h("label", { class: "check" },
      h("input", { type: "checkbox", name: "is_active", checked: r.is_active }), " ", gettext("Active (shows on Today and sends reminders)")),
    h("h2", {}, gettext("Steps")),
    h("output", { name: "steps" }),
    stepList,
    addButton,
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" },
      h("button", { type: "submit" }, routine ? gettext("Save routine") : gettext("Create routine")),
      h("a", { class: "button secondary", href: `#/families/${familyId}/routines` }, gettext("Cancel")),
      routine ? h("button", { type: "button", class: "danger", onclick: async () => {
        if (!confirm(interpolate(gettext("Delete %(routine)s? Its history goes too."), { routine: routine.name }))) return;
        try { await api.del(`families/${familyId}/routines/${routine.id}/`); toast(interpolate(gettext("%(routine)s deleted"), { routine: routine.name })); go(`families/${familyId}/routines`); }
        catch (error) { toast(error.message); }
      } }, gettext("Delete")) : null));

  handleSubmit(form, async () => {
    const body = {
      name: form.elements.namedItem("name").value.trim(),
      icon: checkedValues(form, "routine-icon")[0] || "",
      children: checkedValues(form, "child").map(Number),
      days_of_week: checkedValues(form, "day").map(Number),
      start_time: form.elements.namedItem("start_time").value.slice(0, 5),
      finish_by: form.elements.namedItem("finish_by").value.slice(0, 5) || null,
      reminder_offsets: checkedValues(form, "offset").map(Number),
      is_active: form.elements.namedItem("is_active").checked,
      steps: stepsBody(steps),
    };
    // Everything the editor can check is said at once, before anything is sent.
    const errors = routineErrors(body, { hasChildren: children.length > 0 });
    if (Object.keys(errors).length) throw new ApiError(400, { detail: gettext("Some details are missing: see the marked fields."), errors });
    if (routine) await api.patch(`families/${familyId}/routines/${routine.id}/`, body);
    else await api.post(`families/${familyId}/routines/`, body);
    toast(routine ? gettext("Routine saved") : interpolate(gettext("%(routine)s created"), { routine: body.name }));
    go(`families/${familyId}/routines`);
  }, {
    onError: () => {
      const first = form.querySelector("[aria-invalid=true]");
      if (first) first.scrollIntoView({ block: "center" });
    },
  });

  fill(root, h("h1", {}, routine ? interpolate(gettext("Edit %(routine)s"), { routine: routine.name }) : gettext("New routine")), form);
  renderSteps();
}

export const routes = [
  ["families/:family/routines", mountList],
  ["families/:family/routines/new", (root, { family }) => editor(root, Number(family), null)],
  ["families/:family/routines/:routine", (root, { family, routine }) => editor(root, Number(family), Number(routine))],
];
