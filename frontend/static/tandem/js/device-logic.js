// @ts-check
// A child's tablet: where it lands, what a pairing code looks like as typed, how long a
// code has left, and which circle stands for which intensity.

/**
 * @typedef {{ id: number }} Ref
 * @typedef {{ family: Ref, children: Ref[] }} Device
 */

/**
 * The route a paired tablet belongs on: its one child's view, or its children's chooser.
 * @param {Device} device
 */
export function deviceHome(device) {
  const children = device.children || [];
  if (children.length === 1) return `child/${device.family.id}/${children[0].id}`;
  return `child/${device.family.id}`;
}

/**
 * Whether a route is one a tablet may show (the child view and the pairing screen).
 * @param {string} path
 */
export function deviceMayOpen(path) {
  return path.startsWith("child/") || path === "pair-device" || path.startsWith("pair-device/");
}

/**
 * "9:58": what is left of a code until `expiresAt` (ISO), never below "0:00".
 * @param {string} expiresAt
 * @param {number} now
 */
export function countdownText(expiresAt, now) {
  const left = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
}

// The circles the child taps, small to big, and the intensity (1–5) each records: the
// server words 1–2 as small, 3 as medium, 4–5 as big.
export const SIZES = [
  { key: "small", intensity: 1 },
  { key: "medium", intensity: 3 },
  { key: "big", intensity: 5 },
];
