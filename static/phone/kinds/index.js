// The kinds this page can answer. Add a kind: write kinds/<kind>.js, name it in MODULES.
// (Criée calls are not answered with `respond`: ../criee.js shows them as banners.)
//
// Activity kinds the phone page knows, keyed by `kind` (crowd.core.types.Kind).
//
// A kind module's default export is
//   { kind: "choice",
//     input(ctx)   -> Element   the answering UI; ctx = {activity, value, disabled, submit,
//                               draft} (`value` is the current answer, or an unsent
//                               selection, or null; call `submit(value)` with a value of the
//                               protocol's shape, and `draft(value)` while a selection is
//                               being built so that a reload keeps it)
//     results(ctx) -> Element   revealed results; ctx = {activity, snapshot, mine}
//     part(value)  -> string     optional: which part of the activity a value answers,
//                               for a kind answered in parts (`ctx.device`, the device
//                               token, lets it ask each phone its own parts) }
// A new kind is one new module plus one line in MODULES below. Live gestures
// (temperature, orientation) call `submit` repeatedly while the finger moves: the latest
// answer replaces the previous one in the outbox and on the server.
//
// Kinds load when a card of theirs is first shown (`loadKind`): a phone on a bad wifi
// downloads the modules of the question on screen, not those of every kind crowd has.
// The server names the kinds of the room's open activities in the page's preloads, so
// the first question costs no extra round trip.

const KINDS = Object.create(null);
const FETCHERS = Object.create(null);
const LOADING = Object.create(null); // kind -> promise of its module

export function register(module) {
  KINDS[module.kind] = module;
}

/** A kind whose module is fetched on first use: `loader()` -> promise of the module. */
export function lazy(kind, loader) {
  FETCHERS[kind] = loader;
}

/** The module for a kind if it is loaded, or null (loading, or unknown to this page). */
export function kindOf(kind) {
  return KINDS[kind] || null;
}

/** Is the kind's module on its way (known to this page, not loaded yet)? */
export function kindLoading(kind) {
  return !KINDS[kind] && !!FETCHERS[kind];
}

/** Loads a kind's module; resolves true once it is registered, false for an unknown kind. */
export function loadKind(kind) {
  if (KINDS[kind]) return Promise.resolve(true);
  if (!FETCHERS[kind]) return Promise.resolve(false);
  if (!LOADING[kind]) {
    LOADING[kind] = FETCHERS[kind]().then((module) => {
      register(module.default);
      return true;
    }, (err) => {
      delete LOADING[kind]; // the next card of this kind tries again
      throw err;
    });
  }
  return LOADING[kind];
}

const MODULES = {
  choice: () => import("./choice.js"),
  approval: () => import("./approval.js"),
  ranking: () => import("./ranking.js"),
  grades: () => import("./grades.js"),
  estimate: () => import("./estimate.js"),
  words: () => import("./words.js"),
  temperature: () => import("./temperature.js"),
  weighting: () => import("./weighting.js"),
  orientation: () => import("./orientation.js"),
  opinion: () => import("./opinion.js"),
  value_scale: () => import("./value_scale.js"),
  board: () => import("./board.js"),
};

Object.keys(MODULES).forEach((kind) => lazy(kind, MODULES[kind]));
