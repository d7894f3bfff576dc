// The projector's split of the projected poll by another poll's answers (chosen in the
// panel): a table under the chart, or nothing when the poll is not split.

import { fill } from "../shared/dom.js";
import { splitTable } from "../shared/segments.js";

/** Fills `element` for `activity` with `snapshot`; returns whether it shows a split. */
export function showSplit(element, activity, snapshot) {
  const table = activity && snapshot && snapshot.split
    ? splitTable(snapshot.split, activity.options || []) : null;
  fill(element, table ? [table] : []);
  element.classList.toggle("hidden", !table);
  return !!table;
}
