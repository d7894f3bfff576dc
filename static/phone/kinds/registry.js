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
// A new kind is one new module plus one line in kinds/index.js. Live gestures
// (temperature, orientation) call `submit` repeatedly while the finger moves: the latest
// answer replaces the previous one in the outbox and on the server.

const KINDS = Object.create(null);

export function register(module) {
  KINDS[module.kind] = module;
}

/** The module for a kind, or null (an older page meeting a newer server). */
export function kindOf(kind) {
  return KINDS[kind] || null;
}
