// @ts-check
// Check-in rules without the DOM: the suggestions shown when the server cannot be asked.
import { gettext, interpolate } from "./i18n.js";

/**
 * A strategy as GET families/:id/strategies/ sends it (the fields these rules read).
 * @typedef {object} Strategy
 * @property {number} id
 * @property {string} title
 * @property {string[]} fits          feeling keys it names
 * @property {string[]} energy_fit    quadrant keys it suits
 * @property {boolean} caregiver_first instructions for the adult (offered by the server only)
 */

/**
 * @typedef {object} Emotion
 * @property {string} key
 * @property {string} label
 * @property {string} quadrant
 */

/**
 * @typedef {object} Suggestion
 * @property {Strategy} strategy
 * @property {boolean} pinned
 * @property {string} reason
 */

/**
 * How many suggestions are shown. Mirrors the default `limit` of the server's
 * `rank_strategies` (the checkins app's suggestion code, checkins/suggestions.py as of
 * this writing); tests/js/checkin-logic.test.mjs reads it from the Python source.
 */
export const SUGGESTION_LIMIT = 5;

/**
 * 2 when the strategy names the feeling, 1 when it suits the feeling's quadrant, else 0.
 * Mirrors the server's `strategy_fit` (next to `rank_strategies`; the test checks its shape).
 * @param {Strategy} strategy
 * @param {Emotion} emotion
 */
export function strategyFit(strategy, emotion) {
  if (strategy.fits.includes(emotion.key)) return 2;
  return strategy.energy_fit.includes(emotion.quadrant) ? 1 : 0;
}

/**
 * Suggestions without a connection: the family's strategies (cached when last online),
 * those naming the feeling first, then those suiting its quadrant, in the cached order
 * within each. The server's first ranking rule (`rank_strategies`) without its history,
 * intensity and variety tie-breaks, nor its caregiver-first pin.
 * @param {Strategy[]} strategies
 * @param {Emotion} emotion
 * @returns {Suggestion[]}
 */
export function offlineSuggestions(strategies, emotion) {
  const fit = (/** @type {Strategy} */ s) => strategyFit(s, emotion);
  return strategies.filter((s) => !s.caregiver_first && fit(s) > 0)
    .sort((a, b) => fit(b) - fit(a))
    .slice(0, SUGGESTION_LIMIT)
    .map((s) => ({ strategy: s, pinned: false, reason: fit(s) === 2 ? interpolate(gettext("fits feeling %(feeling)s"), { feeling: emotion.label.toLowerCase() }) : gettext("fits this kind of feeling") }));
}
