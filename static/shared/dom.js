// Tiny DOM helpers: the pages build their markup with these instead of innerHTML, so
// prompts and options typed by animators (or words typed by the crowd) are never parsed
// as HTML.

/**
 * h("button", {class: "btn", onclick: fn, "aria-pressed": "true"}, "text", child, ...)
 * Attributes starting with "on" become listeners; null/false attributes are skipped;
 * `true` sets an empty attribute; children may be strings, nodes, arrays or null.
 */
export function h(tag, attrs) {
  const el = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach((name) => {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name.slice(0, 2) === "on" && typeof value === "function") {
        el.addEventListener(name.slice(2), value);
      } else if (name === "class") {
        el.className = value;
      } else if (name === "text") {
        el.textContent = value;
      } else if (name === "value") {
        el.value = value;
      } else if (value === true) {
        el.setAttribute(name, "");
      } else {
        el.setAttribute(name, String(value));
      }
    });
  }
  for (let i = 2; i < arguments.length; i += 1) append(el, arguments[i]);
  return el;
}

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    child.forEach((c) => append(el, c));
  } else if (typeof child === "string" || typeof child === "number") {
    el.appendChild(document.createTextNode(String(child)));
  } else {
    el.appendChild(child);
  }
}

/** Replaces the children of `el`. */
export function fill(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  for (let i = 1; i < arguments.length; i += 1) append(el, arguments[i]);
  return el;
}

export function $(selector, root) {
  return (root || document).querySelector(selector);
}

/** The room code of a /r/CODE or /screen/CODE path, upper-cased. */
export function codeFromPath() {
  const parts = location.pathname.split("/").filter(Boolean);
  return parts.length ? decodeURIComponent(parts[parts.length - 1]).toUpperCase() : "";
}

/** Number of an activity id "ROOM-N" (agenda order; newest has the largest N). */
export function activityNumber(id) {
  const n = parseInt(String(id).split("-").pop(), 10);
  return isNaN(n) ? 0 : n;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Like h(), for SVG elements (attributes only, no listeners: SVG here is drawn, not wired). */
export function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  if (attrs) {
    Object.keys(attrs).forEach((name) => {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") el.textContent = value;
      else if (name === "class") el.setAttribute("class", value);
      else el.setAttribute(name, String(value));
    });
  }
  for (let i = 2; i < arguments.length; i += 1) {
    const child = arguments[i];
    if (Array.isArray(child)) child.forEach((c) => c && el.appendChild(c));
    else if (child) el.appendChild(child);
  }
  return el;
}

/** Compass degrees (0 = north, clockwise) -> a point at `radius` from (cx, cy) in SVG. */
export function polar(cx, cy, radius, degrees) {
  const a = (degrees * Math.PI) / 180;
  return { x: cx + radius * Math.sin(a), y: cy - radius * Math.cos(a) };
}
