// Cross-tab segments in the panel: a "Découper par" menu on polls whose results can be
// split (choice, approval, ranking), listing the room's single-choice polls and opinion
// maps (split by their groups); the split itself under the live counts.

import { h } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { splitTable } from "../shared/segments.js";

const SPLITTABLE = ["choice", "approval", "ranking"];

/** The menu for `activity` among `activities` (the room's); `send(msg)` sends a command. */
export function segmentControl(activity, activities, snapshot, send) {
  if (SPLITTABLE.indexOf(activity.kind) < 0) return null;
  const sources = activities.filter((a) => (a.kind === "choice" || a.kind === "opinion")
    && a.id !== activity.id);
  if (!sources.length) return null;
  const current = snapshot && snapshot.split ? snapshot.split.by : "";
  const select = h("select", {
    class: "input segment-select", "data-action": "segment",
    "aria-label": t("split.by") + " : " + activity.prompt,
  }, h("option", { value: "", selected: !current }, t("split.none")),
  sources.map((s) => h("option", { value: s.id, selected: s.id === current }, s.prompt)));
  select.addEventListener("change", () => {
    send({ t: "segment", activity: activity.id, by: select.value || null });
  });
  return h("label", { class: "segment-control" }, h("span", null, t("split.by")), select);
}

/** The split under the live counts, or null. */
export function splitView(activity, snapshot) {
  return snapshot && snapshot.split ? splitTable(snapshot.split, activity.options || []) : null;
}
