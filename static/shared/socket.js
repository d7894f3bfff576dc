// A websocket to the crowd server that keeps itself alive (docs/protocol.md, JSON frames).
//
// Phones sleep, walk out of wifi range and come back; routers drop idle sockets without a
// word. So: reconnect with jittered exponential backoff (2,000 phones must not all knock
// at the same millisecond after a router reboot), reconnect at once when the page becomes
// visible again or the network comes back, and send an application `ping` every 15 s
// whose missing answer forces a reconnect (a dead socket can look open for minutes).
// Every (re)connection starts with `hello` carrying the stored device token, so the
// server sees the same device again.
//
// The browser's `offline` event drops the socket at once (state "offline"); a pong later
// than 1.5 s turns the state to "unsure" before the socket is given up at 8 s.
//
// Events (CustomEvent, payload in `detail`): "status" ({state}), "fatal" ({code, message})
// when the server refuses us for good (unknown room, wrong secret...), and one event per
// server message type ("welcome", "ack", "error", "frame", ...) with the message itself.

const HEARTBEAT_MS = 15000;
const PONG_TIMEOUT_MS = 8000;
// A pong later than this already says the link is doubtful: the indicator stops saying
// "connected" (the socket gets until PONG_TIMEOUT_MS before it is replaced).
const PONG_LATE_MS = 1500;
const CONNECT_TIMEOUT_MS = 10000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_CAP_MS = 20000;
const BACKOFF_FLOOR_MS = 250;
const REQUEST_TIMEOUT_MS = 15000;

// Hello refusals that retrying cannot fix: stop and let the page explain.
const FATAL = ["bad_hello", "unknown_room", "bad_secret", "locked_out", "bad_origin"];

function readStore(key) {
  if (!key) return null;
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

function writeStore(key, value) {
  if (!key) return;
  try {
    localStorage.setItem(key, value);
  } catch (e) {
    // storage full or disabled: the value lives in memory for this visit
  }
}

export function defaultUrl() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
}

/** A failed request: `code` is a protocol error code, or "offline" / "timeout". */
export class RequestError extends Error {
  /** `reason` and `params` say precisely why (see shared/errors.js); `message` is English. */
  constructor(code, message, reason, params) {
    super(message || code);
    this.code = code;
    this.reason = reason || null;
    this.params = params || null;
  }
}

export class CrowdSocket extends EventTarget {
  /**
   * @param {object} opts
   *   role: "phone" | "panel" | "screen"; room: code (phones, screens; optional for panels);
   *   secret: animator secret (panels); deviceKey / seqKey: localStorage keys that keep the
   *   device token and the seq counter across reloads (phones), or null to keep them in
   *   memory for this page only; url: websocket URL (default: this server's /ws).
   */
  constructor(opts) {
    super();
    this.role = opts.role;
    this.room = opts.room || null;
    this.secret = opts.secret || null;
    this.deviceKey = opts.deviceKey || null;
    this.seqKey = opts.seqKey || null;
    this.url = opts.url || defaultUrl();
    this.device = readStore(this.deviceKey);
    this.seq = 0;
    this.ws = null;
    this.ready = false; // welcomed: requests may be sent
    this.stopped = true;
    this.attempt = 0;
    this.state = "idle";
    this.pending = new Map(); // seq -> {resolve, reject, timer}
    this.timers = { retry: 0, heartbeat: 0, pong: 0, late: 0, connect: 0 };
    this.awaitingPong = false;
    this.onWake = this.onWake.bind(this);
    this.onOffline = this.onOffline.bind(this);
  }

  /** Subscribe to an event; returns the unsubscribe function. */
  on(type, fn) {
    const listener = (event) => fn(event.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setStatus(state) {
    if (state === this.state) return;
    this.state = state;
    this.emit("status", { state });
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onWake);
    window.addEventListener("offline", this.onOffline);
    window.addEventListener("pageshow", this.onWake);
    document.addEventListener("visibilitychange", this.onWake);
    this.connect();
  }

  stop(state) {
    this.stopped = true;
    window.removeEventListener("online", this.onWake);
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("pageshow", this.onWake);
    document.removeEventListener("visibilitychange", this.onWake);
    this.drop();
    clearTimeout(this.timers.retry);
    this.setStatus(state || "stopped");
  }

  /** Changes the hello fields (a panel's new secret or room) and reconnects with them. */
  reconfigure(fields) {
    if ("secret" in fields) this.secret = fields.secret;
    if ("room" in fields) this.room = fields.room;
    if (this.stopped) {
      this.start();
    } else {
      this.drop();
      this.connect();
    }
  }

  /** The next sequence number: strictly increasing, kept across reloads if seqKey is set. */
  nextSeq() {
    const stored = parseInt(readStore(this.seqKey) || "0", 10);
    const next = Math.max(this.seq, isNaN(stored) ? 0 : stored) + 1;
    this.seq = next;
    writeStore(this.seqKey, String(next));
    return next;
  }

  /** Sends a message now if welcomed; returns false if it could not leave. */
  send(msg) {
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(JSON.stringify(Object.assign({ v: 1 }, msg)));
      return true;
    } catch (e) {
      return false;
    }
  }

  /**
   * Sends a command with a fresh seq and resolves with its `ack` (rejects with a
   * RequestError on its `error`, when offline, or after a timeout).
   */
  request(msg) {
    const seq = this.nextSeq();
    return new Promise((resolve, reject) => {
      if (!this.send(Object.assign({}, msg, { seq }))) {
        reject(new RequestError("offline"));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new RequestError("timeout"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(seq, { resolve, reject, timer });
    });
  }

  // ------------------------------------------------------------ connection

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timers.retry);
    this.setStatus(this.attempt === 0 && this.state === "idle" ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    // A socket stuck in CONNECTING (weak wifi) is abandoned and retried.
    this.timers.connect = setTimeout(() => {
      if (this.ws === ws && !this.ready) this.retryNow();
    }, CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      const hello = { v: 1, t: "hello", role: this.role };
      if (this.room) hello.room = this.room;
      if (this.device) hello.device = this.device;
      if (this.secret) hello.secret = this.secret;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws || typeof event.data !== "string") return;
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (msg && typeof msg === "object") this.receive(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.drop();
      this.scheduleRetry();
    };
    ws.onerror = () => {
      // a close event always follows: it decides what to do
    };
  }

  /** Forgets the current socket (without waiting for a close handshake that may never come). */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    this.awaitingPong = false;
    clearTimeout(this.timers.connect);
    clearTimeout(this.timers.pong);
    clearTimeout(this.timers.late);
    clearInterval(this.timers.heartbeat);
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch (e) {
        // already closed
      }
    }
    this.pending.forEach((p) => {
      clearTimeout(p.timer);
      p.reject(new RequestError("offline"));
    });
    this.pending.clear();
  }

  scheduleRetry() {
    if (this.stopped) return;
    this.setStatus(navigator.onLine === false ? "offline" : "reconnecting");
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * Math.pow(2, this.attempt));
    const delay = BACKOFF_FLOOR_MS + Math.random() * ceiling; // full jitter
    this.attempt += 1;
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    this.drop();
    this.attempt = 0;
    // Still jittered a little: a whole room wakes up together when the projector says so.
    clearTimeout(this.timers.retry);
    this.setStatus("reconnecting");
    this.timers.retry = setTimeout(() => this.connect(), Math.random() * 400);
  }

  /** Back on the page or on the network: reconnect now, or check the socket still lives. */
  onWake(event) {
    if (this.stopped) return;
    if (event.type === "visibilitychange" && document.visibilityState !== "visible") return;
    if (event.type === "pageshow" && !event.persisted) return;
    if (this.ready) {
      this.ping();
    } else if (!this.ws || this.ws.readyState !== WebSocket.CONNECTING) {
      this.retryNow();
    }
  }

  /**
   * The browser lost its network: say so at once and give up the socket (it may look
   * open for minutes); `online` brings the next attempt.
   */
  onOffline() {
    if (this.stopped) return;
    this.drop();
    clearTimeout(this.timers.retry);
    this.setStatus("offline");
  }

  ping() {
    if (!this.ready || this.awaitingPong) return;
    if (!this.send({ t: "ping" })) return;
    this.awaitingPong = true;
    this.timers.late = setTimeout(() => {
      if (this.awaitingPong) this.setStatus("unsure");
    }, PONG_LATE_MS);
    this.timers.pong = setTimeout(() => {
      if (this.awaitingPong) this.retryNow(); // silent socket: start over
    }, PONG_TIMEOUT_MS);
  }

  receive(msg) {
    // Anything from the server proves the socket is alive.
    if (this.awaitingPong) {
      this.awaitingPong = false;
      clearTimeout(this.timers.pong);
      clearTimeout(this.timers.late);
      if (this.ready && this.state === "unsure") this.setStatus("online");
    }
    if (msg.t === "welcome") {
      this.ready = true;
      this.attempt = 0;
      clearTimeout(this.timers.connect);
      if (msg.you && msg.you.device) {
        this.device = msg.you.device;
        writeStore(this.deviceKey, this.device);
      }
      // Continue the device's numbering where the server has it (another tab, a
      // cleared storage): a number it already applied would be taken for a resend.
      if (typeof msg.last_seq === "number" && msg.last_seq > this.seq) {
        this.seq = msg.last_seq;
        writeStore(this.seqKey, String(Math.max(this.seq,
          parseInt(readStore(this.seqKey) || "0", 10) || 0)));
      }
      clearInterval(this.timers.heartbeat);
      this.timers.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
      this.setStatus("online");
    } else if (msg.t === "error" && !this.ready && FATAL.indexOf(msg.code) >= 0) {
      this.stop("stopped");
      this.emit("fatal", { code: msg.code, message: msg.message, reason: msg.reason, params: msg.params });
      return;
    }
    const waiting = msg.seq != null ? this.pending.get(msg.seq) : null;
    if (waiting && (msg.t === "ack" || msg.t === "error")) {
      this.pending.delete(msg.seq);
      clearTimeout(waiting.timer);
      if (msg.t === "ack") waiting.resolve(msg);
      else waiting.reject(new RequestError(msg.code, msg.message, msg.reason, msg.params));
    }
    this.emit(msg.t, msg);
  }
}
