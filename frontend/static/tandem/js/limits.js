// @ts-check
// The longest text each input takes, from one place: the API schema's `maxLength` of the
// field the input fills (tests/browser/test_small_fixes_flows.py compares every entry
// with /api/schema/, so a limit changed on the server cannot drift from the inputs).

/**
 * Input → the schema component and property it fills, and their maxLength.
 * @type {Record<string, {schema: string, max: number}>}
 */
export const LIMITS = {
  "child.name": { schema: "ChildRequest.name", max: 60 },
  "family.name": { schema: "FamilyRequest.name", max: 80 },
  "routine.name": { schema: "RoutineRequest.name", max: 80 },
  "step.title": { schema: "StepRequest.title", max: 80 },
  "checkin.note": { schema: "CheckInRequest.note", max: 1000 },
  "user.display_name": { schema: "SignupRequest.display_name", max: 80 },
  "auth.email": { schema: "SignupRequest.email", max: 254 },
  "auth.password": { schema: "LoginRequest.password", max: 128 },
  "pass.name": { schema: "SitterPassRequest.name", max: 80 },
  "sitter.name": { schema: "RedeemRequest.name", max: 60 },
  "handover.note": { schema: "HandoverRequest.note", max: 1000 },
};

/**
 * The maxlength of an input filling `key`'s field.
 * @param {string} key
 */
export function limit(key) {
  const entry = LIMITS[key];
  if (!entry) throw new Error(`No limit for ${key}`);
  return entry.max;
}
