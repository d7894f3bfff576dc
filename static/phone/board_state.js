// The posts each open board shows, as the server last sent them (the welcome's `boards`,
// then `board` messages at most every 3 s): kept apart from the board's card module
// (kinds/board.js, loaded only when a board is on screen) so no message is lost while
// it loads, and the card redraws its list alone when a new one comes.

const snapshots = new Map(); // activity -> snapshot of the posts shown
const listeners = new Map(); // activity -> redraw of its card's list

/** The welcome's `boards` ({activity: snapshot}). */
export function welcomeBoards(boards) {
  Object.keys(boards || {}).forEach((id) => update({ activity: id, snapshot: boards[id] }));
}

/** A `board` message: the posts shown on one board. */
export function update(msg) {
  if (!msg || !msg.activity || !msg.snapshot) return;
  snapshots.set(msg.activity, msg.snapshot);
  const redraw = listeners.get(msg.activity);
  if (redraw) redraw();
}

export function snapshotOf(activity) {
  return snapshots.get(activity) || null;
}

/** The card of `activity` redraws its list with `redraw()` at each new snapshot. */
export function onChange(activity, redraw) {
  listeners.set(activity, redraw);
}
