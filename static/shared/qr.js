// The join QR code of a room, drawn inline from /api/rooms/CODE/qr.svg.
//
// Inline rather than <img>: the server's SVG is made for embedding in HTML (no xmlns),
// which an <img> refuses to render, and inline it can be given a viewBox to scale to
// any size (a phone-sized panel preview or half a projector wall).

const cache = {};

function load(code) {
  if (!cache[code]) {
    cache[code] = fetch("/api/rooms/" + encodeURIComponent(code) + "/qr.svg")
      .then((res) => {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.text();
      })
      .catch((err) => {
        delete cache[code]; // try again next time
        throw err;
      });
  }
  return cache[code];
}

/** Fills `container` with the QR code of room `code`; `label` is its accessible name. */
export function showQr(container, code, label) {
  container.setAttribute("data-code", code);
  return load(code).then((text) => {
    if (container.getAttribute("data-code") !== code) return; // another room meanwhile
    const holder = document.createElement("div");
    holder.innerHTML = text; // our own server's SVG, parsed by the HTML parser
    const svg = holder.querySelector("svg");
    if (!svg) return;
    const w = parseFloat(svg.getAttribute("width")) || 100;
    const h = parseFloat(svg.getAttribute("height")) || 100;
    if (!svg.getAttribute("viewBox")) svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label || "QR");
    svg.setAttribute("shape-rendering", "crispEdges");
    while (container.firstChild) container.removeChild(container.firstChild);
    container.appendChild(svg);
  }).catch(() => {
    // no QR code: the code and the URL in big letters still let people join
  });
}
