// Who is signed in and which family is open. Screens import this, never app.js.

import { api } from "./api.js";
import { deviceHome } from "./device-logic.js";
import { language, switchLanguage } from "./i18n.js";
import { go } from "./router.js";

// Screens register the tabs they provide ("today", "checkin", …).
export const tabRegistry = new Set(["family"]);

export const session = { user: null, familyId: Number(localStorage.getItem("familyId")) || null };

export function setFamily(id) {
  session.familyId = id;
  if (id) localStorage.setItem("familyId", String(id));
  else localStorage.removeItem("familyId");
}

export function currentFamily() {
  const families = (session.user && session.user.families) || [];
  return families.find((f) => f.id === session.familyId) || families[0] || null;
}

export async function refreshUser() {
  try {
    const { authenticated } = await api.get("auth/csrf/");
    session.user = authenticated ? await api.get("auth/me/") : null;
  } catch (error) {
    if (error.status === 401 || error.status === 403) session.user = null;
    else if (!session.user) session.user = JSON.parse(localStorage.getItem("me") || "null"); // offline start
  }
  if (session.user) localStorage.setItem("me", JSON.stringify(session.user));
  else localStorage.removeItem("me");
  // The member's own language, chosen on another device or before signing in here.
  if (session.user && session.user.language && session.user.language !== language) switchLanguage(session.user.language);
  const family = currentFamily();
  setFamily(family ? family.id : null);
  return session.user;
}

export function afterLogin() {
  const next = sessionStorage.getItem("afterLogin");
  sessionStorage.removeItem("afterLogin");
  const family = currentFamily();
  if (next && !["login", "signup", ""].includes(next)) go(next);
  else if (family) go(`families/${family.id}/${tabRegistry.has("today") ? "today" : "family"}`);
  else go("families/new");
}

export function home() {
  const family = currentFamily();
  if (!session.user) return go(localStorage.getItem("tandem.childDevice") === "1" ? "pair-device" : "login");
  const device = session.user.device;
  if (device) return go(deviceHome(device)); // a child's tablet: the child view only
  if (!family) return go("families/new");
  return go(`families/${family.id}/${tabRegistry.has("today") ? "today" : "family"}`);
}

