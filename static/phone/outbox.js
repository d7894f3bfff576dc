// Answers sent but not yet acknowledged, kept in localStorage.
//
// If the phone loses the network (or the page is reloaded) between "Valider" and the
// server's `ack`, the answer is sent again after reconnecting with the *same* seq: the
// server recognises a seq it already applied and acknowledges it again with `dup: true`,
// so an answer is never counted twice and never silently lost. Only the latest answer
// per activity matters (the latest replaces the previous one on the server anyway).

const KEY = "crowd.outbox";
const MAX_ENTRIES = 50;

let memory = []; // used when localStorage is unavailable

function load() {
  try {
    const raw = localStorage.getItem(KEY);
    const list = raw ? JSON.parse(raw) : [];
    return Array.isArray(list) ? list : [];
  } catch (e) {
    return memory.slice();
  }
}

function save(list) {
  memory = list.slice();
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch (e) {
    // kept in memory for this visit
  }
}

/** Entries for one room, oldest seq first: the order they must be re-sent in. */
export function entries(room) {
  return load()
    .filter((e) => e.room === room)
    .sort((a, b) => a.seq - b.seq);
}

/** Adds an answer, dropping an older unacknowledged answer to the same activity (to the
 * same part of it, for a kind answered in parts: `part`, null for a whole answer). */
export function put(entry) {
  const part = entry.part || null;
  const list = load().filter((e) => !(e.room === entry.room && e.activity === entry.activity
    && (e.part || null) === part));
  list.push(entry);
  save(list.slice(-MAX_ENTRIES));
}

/** Removes and returns the entry with this seq (null if it was already replaced). */
export function take(seq) {
  const list = load();
  const index = list.findIndex((e) => e.seq === seq);
  if (index < 0) return null;
  const entry = list.splice(index, 1)[0];
  save(list);
  return entry;
}

/** The pending answer to one activity, if any. */
export function pendingFor(room, activity) {
  const found = load().filter((e) => e.room === room && e.activity === activity);
  return found.length ? found[found.length - 1] : null;
}

/** Forgets the answers to activities that are gone (deleted, closed while away). */
export function dropWhere(room, keep) {
  save(load().filter((e) => e.room !== room || keep(e)));
}
