// The projector's line for a choice poll that asked for predictions: the surprisingly
// popular answer next to the majority (which the insight line above already names), or
// why there is none yet. Other activities: the line stays hidden.

import { fill, h } from "../shared/dom.js";
import { surpriseLine } from "../shared/surprise.js";

/** Fills `element` for `activity` with `snapshot`; returns whether it says anything. */
export function showSurprise(element, activity, snapshot) {
  const line = activity && activity.kind === "choice" && activity.predict && snapshot
    ? surpriseLine(snapshot, activity.options || []) : null;
  fill(element, line ? [h(line.sure ? "strong" : "span",
    { class: line.sure ? "insight-tone tone-consensus" : "insight-small" }, line.text)] : []);
  element.classList.toggle("hidden", !line);
  element.setAttribute("data-answer", line && line.answer !== null ? String(line.answer) : "");
  return !!line;
}
