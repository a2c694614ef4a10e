// Settings → Calendar: private feed links to subscribe to in Google Calendar, Apple
// Calendar or Outlook (the family's routines, one child's, or those of the children I'm
// on duty for). A link is shown once, when it is made or renewed: copy it or open it in
// the calendar app (webcal://). Making and renewing need the answer, so they go straight
// to the server; stopping a feed goes through the outbox.

import { api, getAll } from "../api.js";
import { h, handleSubmit, toast } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { send } from "../offline-queue.js";
import { feedLabel } from "../away-logic.js";

function linkBox(issued) {
  const input = h("input", { id: "feed-url", readonly: true, value: issued.url, "aria-label": gettext("Calendar link") });
  const copy = h("button", { type: "button", class: "secondary", id: "feed-copy" }, gettext("Copy link"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(issued.url);
      toast(gettext("Link copied"));
    } catch {
      input.select();
      toast(gettext("Select the link and copy it."));
    }
  });
  return h("div", { class: "card stack", id: "feed-issued", role: "status" },
    h("p", {}, gettext("Your calendar link is ready. Keep it private: anyone with it sees these routines.")),
    input,
    h("div", { class: "row" }, copy,
      h("a", { class: "button", id: "feed-webcal", href: issued.webcal_url }, gettext("Open in calendar"))));
}

export async function calendarSection(familyId) {
  const [feeds, children] = await Promise.all([
    getAll(`families/${familyId}/calendar-feeds/`),
    getAll(`families/${familyId}/children/`),
  ]);
  const out = h("div", { "aria-live": "polite" });
  const list = h("ul", { class: "list", id: "feed-list" });
  const draw = () => {
    list.replaceChildren(...(feeds.length ? feeds.map((feed) => h("li", {},
      h("span", {}, feedLabel(feed, children), h("br"),
        h("span", { class: "small muted" }, interpolate(gettext("Made %(date)s"), {
          date: new Date(feed.created_at).toLocaleDateString(document.documentElement.lang || undefined),
        }))),
      h("span", { class: "row" },
        h("button", { type: "button", class: "quiet", "aria-label": interpolate(gettext("New link for %(what)s"), { what: feedLabel(feed, children) }),
          onclick: async () => {
            try {
              const issued = await api.post(`families/${familyId}/calendar-feeds/${feed.id}/regenerate/`);
              out.replaceChildren(linkBox(issued));
              toast(gettext("New link made: the old one no longer works."));
            } catch (error) { toast(error.message); }
          } }, gettext("New link")),
        h("button", { type: "button", class: "danger", "aria-label": interpolate(gettext("Stop %(what)s"), { what: feedLabel(feed, children) }),
          onclick: async () => {
            try {
              await send("DELETE", `families/${familyId}/calendar-feeds/${feed.id}/`, undefined, `feed-${feed.id}`);
              feeds.splice(feeds.indexOf(feed), 1);
              out.replaceChildren();
              draw();
              toast(gettext("Calendar link stopped"));
            } catch (error) { toast(error.message); }
          } }, gettext("Stop")))))
      : [h("li", { class: "muted" }, gettext("No calendar links yet."))]));
  };
  draw();
  const form = h("form", { class: "card stack", id: "feed-form", novalidate: true },
    h("label", { for: "feed-scope" }, gettext("Show in my calendar")),
    h("select", { id: "feed-scope", name: "scope" },
      h("option", { value: "family" }, gettext("The whole family")),
      children.map((c) => h("option", { value: `child:${c.id}` }, interpolate(gettext("%(name)s's routines"), { name: c.name }))),
      h("option", { value: "duty" }, gettext("The children I'm on duty for"))),
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, gettext("Make a calendar link"))));
  handleSubmit(form, async (data) => {
    const [scope, child] = String(data.scope).split(":");
    const issued = await api.post(`families/${familyId}/calendar-feeds/`,
      child ? { scope, child: Number(child) } : { scope });
    feeds.push(issued);
    draw();
    out.replaceChildren(linkBox(issued));
  });
  return h("section", { "aria-labelledby": "calendar-h" },
    h("h2", { id: "calendar-h" }, gettext("Calendar")),
    h("p", { class: "small muted" }, gettext("Subscribe to the routines in Google Calendar, Apple Calendar or Outlook. Days away show as all-day events, without the routines.")),
    form, out, list);
}
