// The phone's own compass, where the browser allows it: a secure context (HTTPS or
// localhost) with DeviceOrientationEvent; on iOS, permission must be asked from a tap.
// On a LAN page over plain HTTP this is unavailable and the rose is dragged instead.

const NO_READING_MS = 3000;

export function compassAvailable() {
  return !!window.isSecureContext && typeof window.DeviceOrientationEvent !== "undefined";
}

/** The screen's rotation (a phone held sideways turns the heading by 90°). */
function screenAngle() {
  if (window.screen && window.screen.orientation && typeof window.screen.orientation.angle === "number") {
    return window.screen.orientation.angle;
  }
  return typeof window.orientation === "number" ? window.orientation : 0;
}

/** Compass heading in degrees from an orientation event, or null if it has none. */
export function headingOf(event) {
  let heading = null;
  if (typeof event.webkitCompassHeading === "number") heading = event.webkitCompassHeading; // iOS
  else if (event.absolute && typeof event.alpha === "number") heading = 360 - event.alpha;
  if (heading === null || !isFinite(heading)) return null;
  return (((heading + screenAngle()) % 360) + 360) % 360;
}

/**
 * Must be called from a tap. Resolves with a stop() function once listening; calls
 * `onHeading(degrees)` for each reading and `onSilent()` if none came within 3 s.
 * Rejects when the permission is refused.
 */
export function startCompass(onHeading, onSilent) {
  const DOE = window.DeviceOrientationEvent;
  const ask = DOE && typeof DOE.requestPermission === "function"
    ? DOE.requestPermission() : Promise.resolve("granted");
  return ask.then((state) => {
    if (state !== "granted") throw new Error("denied");
    const type = "ondeviceorientationabsolute" in window ? "deviceorientationabsolute" : "deviceorientation";
    let heard = false;
    const handler = (event) => {
      const heading = headingOf(event);
      if (heading === null) return;
      heard = true;
      onHeading(heading);
    };
    window.addEventListener(type, handler);
    const timer = setTimeout(() => {
      if (!heard) onSilent();
    }, NO_READING_MS);
    return () => {
      clearTimeout(timer);
      window.removeEventListener(type, handler);
    };
  });
}
