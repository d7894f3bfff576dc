// Getting attention when a criée call opens: a vibration where the phone can, and a short
// beep made with WebAudio (no audio file) if the participant turned the sound on once.
// Browsers only let a page make sound after a tap: turning it on is that tap, and on a
// later visit the first tap anywhere wakes the audio up again.

const KEY = "crowd.sound";
const PATTERN = [200, 100, 200];

let context = null;

export function soundOn() {
  try {
    return localStorage.getItem(KEY) === "1";
  } catch (e) {
    return context !== null;
  }
}

function audio() {
  if (context) return context;
  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  if (!AudioCtx) return null;
  try {
    context = new AudioCtx();
  } catch (e) {
    context = null;
  }
  return context;
}

function wake() {
  const c = audio();
  if (c && c.state === "suspended" && c.resume) c.resume().catch(() => {});
  return c;
}

/** Two short tones (about half a second), only when the sound is on. */
export function beep() {
  if (!soundOn()) return;
  const c = wake();
  if (!c) return;
  const start = c.currentTime + 0.02;
  [[880, 0], [1320, 0.22]].forEach((tone) => {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = "sine";
    osc.frequency.value = tone[0];
    const at = start + tone[1];
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
    osc.connect(gain);
    gain.connect(c.destination);
    osc.start(at);
    osc.stop(at + 0.2);
  });
}

/** Turns the sound on or off (call it from a tap: that tap unlocks the audio). */
export function setSound(on) {
  try {
    localStorage.setItem(KEY, on ? "1" : "0");
  } catch (e) {
    // remembered for this visit only
  }
  if (on) {
    wake();
    beep();
  }
}

export function vibrate() {
  if (typeof navigator.vibrate !== "function") return;
  try {
    navigator.vibrate(PATTERN);
  } catch (e) {
    // some browsers refuse without a recent tap: the banner is still there
  }
}

/** One short buzz: a vote opened. Silently nothing where the phone does not allow it. */
export function nudge() {
  if (typeof navigator.vibrate !== "function") return;
  try {
    navigator.vibrate(120);
  } catch (e) {
    // no vibration without a recent tap on some browsers: the bar is still there
  }
}

/** Vibrate and beep: a call opened, or a place came free. */
export function ring() {
  vibrate();
  beep();
}

/** With the sound on from an earlier visit, the first tap of this one wakes the audio. */
export function armAudio() {
  if (!soundOn()) return;
  const once = () => {
    wake();
    document.removeEventListener("pointerdown", once, true);
    document.removeEventListener("keydown", once, true);
  };
  document.addEventListener("pointerdown", once, true);
  document.addEventListener("keydown", once, true);
}
