// This device's Web Push subscription: support checks, turning it on and off.
// The permission prompt is only ever shown from a tap (enable()), never on load.

import { api } from "./api.js";
import { gettext } from "./i18n.js";

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

export function isIos() {
  const ua = navigator.userAgent || "";
  // iPadOS reports itself as a Mac; touch support gives it away.
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

export function isStandalone() {
  return navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
}

// On iOS, Web Push works only for an app added to the Home Screen and opened from there.
export function needsHomeScreen() {
  return isIos() && !isStandalone();
}

export function permission() {
  return "Notification" in window ? Notification.permission : "unsupported";
}

function keyBytes(base64url) {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  if (!buffer) return true; // the browser does not tell: assume it is ours
  const other = new Uint8Array(buffer);
  return other.length === bytes.length && other.every((b, i) => b === bytes[i]);
}

async function registration() {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error(gettext("The app is still installing. Try again in a moment."))), 10000)),
  ]);
}

export async function currentSubscription() {
  if (!pushSupported()) return null;
  const reg = await registration();
  return reg.pushManager.getSubscription();
}

// Ask for permission (from a tap), subscribe with the server's VAPID key, tell the server.
// Returns "on", "denied" or "dismissed".
export async function enable() {
  const answer = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
  if (answer === "denied") return "denied";
  if (answer !== "granted") return "dismissed";
  const { public_key: publicKey } = await api.get("push/vapid-public-key/");
  const applicationServerKey = keyBytes(publicKey);
  const reg = await registration();
  let subscription = await reg.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options && subscription.options.applicationServerKey, applicationServerKey)) {
    await subscription.unsubscribe(); // made for another server key: start again
    subscription = null;
  }
  if (!subscription) {
    subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  }
  await api.post("push/subscriptions/", subscription.toJSON());
  return "on";
}

// Keep the server's copy current (a device moves to whoever is signed in on it).
export async function resync() {
  const subscription = await currentSubscription();
  if (subscription && permission() === "granted") await api.post("push/subscriptions/", subscription.toJSON());
  return subscription;
}

export async function disable() {
  const subscription = await currentSubscription();
  if (!subscription) return;
  await api.post("push/subscriptions/unsubscribe/", { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}
