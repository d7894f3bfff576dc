// Live gestures (temperature, orientation) send while the finger moves: at most one
// answer every `ms` milliseconds, the newest value always leaves in the end (a trailing
// send), and `flush()` sends the pending value at once (on release). The same value is
// never sent twice in a row.

export function throttle(send, ms) {
  let last = 0;
  let timer = 0;
  let pending = null;
  let hasPending = false;
  let sent = null;

  function fire() {
    clearTimeout(timer);
    timer = 0;
    if (!hasPending) return;
    hasPending = false;
    const key = JSON.stringify(pending);
    if (key === sent) return;
    sent = key;
    last = Date.now();
    send(pending);
  }

  return {
    push(value) {
      pending = value;
      hasPending = true;
      const wait = ms - (Date.now() - last);
      if (wait <= 0) fire();
      else if (!timer) timer = setTimeout(fire, wait);
    },
    flush: fire,
    /** The value restored from the server counts as sent. */
    sentAlready(value) {
      sent = JSON.stringify(value);
    },
  };
}

/** Throttle interval of live gestures: 5 answers per second at most. */
export const LIVE_MS = 200;
