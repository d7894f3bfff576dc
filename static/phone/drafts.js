// Selections made but not sent yet (a ranking being ordered, approvals being ticked),
// kept in localStorage so that a reload, a tab the phone discarded or a swipe back does
// not wipe three minutes of careful ordering. Sending, or the server's copy arriving from
// another tab, forgets the draft.

const KEY = "crowd.drafts";
const MAX_ENTRIES = 30;

let memory = {}; // used when localStorage is unavailable

function load() {
  try {
    const raw = localStorage.getItem(KEY);
    const table = raw ? JSON.parse(raw) : {};
    return table && typeof table === "object" && !Array.isArray(table) ? table : {};
  } catch (e) {
    return Object.assign({}, memory);
  }
}

function save(table) {
  memory = Object.assign({}, table);
  try {
    localStorage.setItem(KEY, JSON.stringify(table));
  } catch (e) {
    // kept in memory for this visit
  }
}

function key(room, activity) {
  return room + " " + activity;
}

/** The unsent selection for an activity, or null. */
export function get(room, activity) {
  const entry = load()[key(room, activity)];
  return entry === undefined ? null : entry;
}

/** Remembers an unsent selection (the oldest drafts go first past a few dozen). */
export function put(room, activity, value) {
  const table = load();
  delete table[key(room, activity)];
  table[key(room, activity)] = value;
  const keys = Object.keys(table);
  keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES)).forEach((k) => delete table[k]);
  save(table);
}

export function drop(room, activity) {
  const table = load();
  if (!(key(room, activity) in table)) return;
  delete table[key(room, activity)];
  save(table);
}
