// crowd replay player. This file is the body of the CustomJS callback that the timelapse
// page runs once its Bokeh document is ready (crowd/views/timelapse.py inlines it), so its
// named arguments are in scope:
//   tracks  one {source name: ColumnDataSource} per activity, in the JSON's track order
//   heads   one header Div per activity;  panels: one column (header + chart) per activity
//   grid    the GridBox holding the panels;  ncols: its column count when showing all
//   slider  the scrubber (value = play time);  play: play/pause Toggle;  speed: Select
//   focus   Toggle "running only";  choice: CheckboxGroup of shown activities
//   clock   Div showing the event's clock;  cursor: Span on the activity timeline
// It defines window.crowdReplay: update() applies the frame of the current play time to
// every chart (a new `source.data` object per change, which repaints it), and the player
// loop advances the scrubber with requestAnimationFrame.

const data = JSON.parse(document.getElementById("crowd-timeline").textContent)
const LINGER = 3  // play seconds an activity stays "running" after it closed
const STATES = {draft: "brouillon", open: "ouvert", closed: "fermé"}
const initial = tracks.map((sources) => {
  const copy = {}
  for (const [name, source] of Object.entries(sources)) copy[name] = {...source.data}
  return copy
})
const shownIndex = tracks.map(() => -2)
let shown = null
let raf = 0
let last = 0
let video = false

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => (
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c])
}

// Last index i with arr[i] <= x, or -1.
function bisect(arr, x) {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (arr[mid] <= x) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

function eventTime(p) {
  const kp = data.knots.p
  const kt = data.knots.t
  const i = Math.max(0, Math.min(kp.length - 2, bisect(kp, p)))
  const span = kp[i + 1] - kp[i]
  const f = span > 0 ? Math.max(0, Math.min(1, (p - kp[i]) / span)) : 0
  return kt[i] + f * (kt[i + 1] - kt[i])
}

function clockText(p) {
  const d = new Date((eventTime(p) + data.utc_offset) * 1000)
  const two = (x) => String(x).padStart(2, "0")
  const hms = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  const total = data.duration / (data.pace * Number(speed.value))
  const done = p / (data.pace * Number(speed.value))
  const mmss = (s) => `${Math.floor(s / 60)}:${two(Math.floor(s % 60))}`
  if (video) return `<span class="clock">${hms}</span>`
  return `<span class="clock">${hms}</span><span class="progress">${mmss(done)} / ${mmss(total)}</span>`
}

function applyFrame(k, i) {
  const track = data.tracks[k]
  for (const [name, source] of Object.entries(tracks[k])) {
    if (i < 0) {
      source.data = {...initial[k][name]}
      continue
    }
    const cols = track.cols[name]
    const fixed = track.static[name]
    if (cols == null && fixed == null) continue
    const columns = {...initial[k][name], ...(fixed || {})}
    for (const [col, values] of Object.entries(cols || {})) {
      if (values[i] != null) columns[col] = values[i]
    }
    source.data = columns
  }
  const state = i < 0 ? "draft" : track.states[i]
  const n = i < 0 || track.n[i] == null ? "" : ` · ${track.n[i]} réponses`
  heads[k].text = `<div class="head"><b>${escapeHtml(track.id)}</b> ${escapeHtml(track.prompt)}` +
    `<span class="state ${state}">${STATES[state] || escapeHtml(state)}${n}</span></div>`
}

function running(k, p) {
  return data.tracks[k].spans.some(([a, b]) => a - 0.5 <= p && p <= b + LINGER)
}

function visibleTracks(p) {
  const chosen = choice.active.slice().sort((a, b) => a - b)
  if (!focus.active) return chosen
  const now = chosen.filter((k) => running(k, p))
  if (now.length > 0 || chosen.length === 0) return now
  // Nothing running: keep the activity that ran last (or the first one to come).
  let best = chosen[0]
  let bestEnd = -Infinity
  for (const k of chosen) {
    for (const [, b] of data.tracks[k].spans) {
      if (b <= p && b > bestEnd) {
        best = k
        bestEnd = b
      }
    }
  }
  return [best]
}

function relayout() {
  const visible = visibleTracks(slider.value)
  if (shown != null && visible.length === shown.length && visible.every((k, j) => k === shown[j])) return
  shown = visible
  const cols = focus.active ? (visible.length <= 1 ? 1 : visible.length <= 4 ? 2 : 3) : ncols
  fitHeights(visible, cols)
  grid.children = visible.map((k, j) => [panels[k], Math.floor(j / cols), j % cols])
}

function update() {
  const p = slider.value
  cursor.location = p
  clock.text = clockText(p)
  for (let k = 0; k < tracks.length; k++) {
    const i = bisect(data.tracks[k].p, p)
    if (i !== shownIndex[k]) {
      shownIndex[k] = i
      applyFrame(k, i)
    }
  }
  if (focus.active || shown == null) relayout()
}

function step(now) {
  if (!play.active) return
  const dt = Math.min(0.25, (now - last) / 1000)
  last = now
  const next = Math.min(slider.end, slider.value + dt * data.pace * Number(speed.value))
  slider.value = next
  if (next >= slider.end) {
    play.active = false
    return
  }
  raf = requestAnimationFrame(step)
}

function onPlay() {
  cancelAnimationFrame(raf)
  if (play.active) {
    if (slider.value >= slider.end) slider.value = slider.start
    play.label = "⏸ Pause"
    last = performance.now()
    raf = requestAnimationFrame(step)
  } else {
    play.label = "▶ Lecture"
  }
}

function onSpeed() {
  clock.text = clockText(slider.value)
}

// Resolves once the shown charts are built and painted (for video frames and tests).
async function settled() {
  await new Promise((resolve) => setTimeout(resolve, 0))
  for (let tries = 0; tries < 200; tries++) {
    const views = (shown || []).map((k) => Bokeh.index.find_one(panels[k]))
    if (views.every((v) => v != null && v.has_finished())) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
}

async function seek(p) {
  slider.value = Math.max(slider.start, Math.min(slider.end, p))
  update()
  await settled()
}

// Video frames: no controls, only the running activities, charts as tall as the frame.
function videoMode() {
  video = true
  for (const name of ["crowd-controls", "crowd-choice", "crowd-scrubber"]) {
    const model = slider.document.get_model_by_name(name)
    if (model != null) model.visible = false
  }
  const marks = slider.document.get_model_by_name("crowd-timeline")
  if (marks != null) marks.height = Math.min(marks.height, 16 + 6 * tracks.length, 110)
  focus.active = true
  shown = null
  relayout()
  clock.text = clockText(slider.value)
}

function fitHeights(visible, cols) {
  if (!video || visible.length === 0) return
  const rows = Math.ceil(visible.length / cols)
  const marks = slider.document.get_model_by_name("crowd-timeline")
  const free = window.innerHeight - 110 - (marks != null ? marks.height : 0)
  const height = Math.max(120, Math.floor(free / rows) - 48)
  for (const k of visible) {
    const body = panels[k].children[1]
    if (body != null && body.height !== height) body.height = height
  }
}

window.crowdReplay = {
  data, update, onPlay, onSpeed, relayout, seek, settled, videoMode,
  get position() { return slider.value },
  sample(k) { return shownIndex[k] },
  ready: true,
}
update()
