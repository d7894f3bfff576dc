// crowd closing film player. This file is the body of the CustomJS callback that the film
// page runs once its Bokeh document is ready (crowd/views/film_page.py inlines it), so its
// named arguments are in scope:
//   sources  one {source name: ColumnDataSource} per activity, in the timeline's order
//   heads    one heading Div per activity;  panels: one column (heading + chart) each
//   grid     the GridBox on the stage, holding the panels of the current scene
// The film is a list of chapters: a title card and a scene per group of activities that
// ran together, then the finale. A scene plays the timelapse's frames from its first
// opening to its last closing; the clock shows the time of the day.

const data = JSON.parse(document.getElementById("crowd-timeline").textContent)
const film = JSON.parse(document.getElementById("crowd-film").textContent)
const STRINGS = {
  fr: {
    play: "Lecture", pause: "Pause", prev: "Précédent", next: "Suivant",
    full: "Plein écran", lang: "English", activity: (i, n) => `Activité ${i} sur ${n}`,
    together: (k) => `${k} activités en même temps`, opened: (hm) => `Ouverte à ${hm}`,
    finale: "La journée en chiffres",
    figures: {
      participants: ["personne a participé", "personnes ont participé"],
      answers: ["réponse", "réponses"], activities: ["activité", "activités"],
    },
    calls: (c) => (c > 1 ? "places remplies à la criée" : "place remplie à la criée"),
    words: "Les mots du jour\u202f: ", answer: ["réponse", "réponses"],
    volunteer: ["volontaire", "volontaires"],
    empty: "Rien à montrer pour l’instant\u202f: le film se remplit quand des activités " +
      "ont été ouvertes puis révélées au public.",
    chapter: (i, n) => `${i} / ${n}`, finaleShort: "Finale",
  },
  en: {
    play: "Play", pause: "Pause", prev: "Previous", next: "Next",
    full: "Full screen", lang: "Français", activity: (i, n) => `Activity ${i} of ${n}`,
    together: (k) => `${k} activities at the same time`, opened: (hm) => `Opened at ${hm}`,
    finale: "The day in numbers",
    figures: {
      participants: ["person took part", "people took part"],
      answers: ["answer", "answers"], activities: ["activity", "activities"],
    },
    calls: (c) => (c === 1 ? "place filled at the call" : "places filled at the call"),
    words: "Words of the day: ", answer: ["answer", "answers"],
    volunteer: ["volunteer", "volunteers"],
    empty: "Nothing to show yet: the film fills up once activities have been opened and " +
      "revealed to the audience.",
    chapter: (i, n) => `${i} / ${n}`, finaleShort: "Finale",
  },
}
const FINALE_HOLD_S = 6  // a video of the film ends on the finale this long
const params = new URLSearchParams(location.search)
let lang = params.get("lang") === "en" ? "en" : "fr"
const rate = Math.max(0.25, Math.min(16, Number(params.get("speed")) || 1))
const $ = (selector) => document.querySelector(selector)
const chapters = []
film.scenes.forEach((scene, i) => {
  chapters.push({type: "card", scene: i, seconds: film.card_s})
  chapters.push({type: "scene", scene: i, seconds: scene.seconds})
})
chapters.push({type: "finale", seconds: Infinity})
const initial = sources.map((named) => {
  const copy = {}
  for (const [name, source] of Object.entries(named)) copy[name] = {...source.data}
  return copy
})
const shownIndex = sources.map(() => -2)
let chapter = 0
let elapsed = 0
let playing = true
let last = performance.now()
let hideTimer = 0
let fullscreenAsked = 0

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => (
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c])
}

function number(x) {
  return new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB").format(x)
}

// French: 0 and 1 are singular ("1 réponse", "0 réponse", "3 réponses").
function word(n, words) {
  return (lang === "fr" ? n <= 1 : n === 1) ? words[0] : words[1]
}

function plural(n, words) {
  return `${number(n)} ${word(n, words)}`
}

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

function hourMinute(t) {
  const d = new Date((t + data.utc_offset) * 1000)
  const two = (x) => String(x).padStart(2, "0")
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`
}

// The frame of activity k at play time p: its last sample at or before p (its first one
// before it opened: the film never shows the end of an activity before it happened).
function applyFrame(k, p) {
  const track = data.tracks[k]
  const i = Math.max(0, bisect(track.p, p))
  if (i === shownIndex[k]) return
  shownIndex[k] = i
  for (const [name, source] of Object.entries(sources[k])) {
    const cols = track.cols[name]
    const fixed = track.static[name]
    if (cols == null && fixed == null) continue
    const columns = {...initial[k][name], ...(fixed || {})}
    for (const [col, values] of Object.entries(cols || {})) {
      if (values[i] != null) columns[col] = values[i]
    }
    source.data = columns
  }
  const n = track.n[i]
  const unit = track.kind === "call" ? STRINGS[lang].volunteer : STRINGS[lang].answer
  const count = n == null ? "" : `<span class="n">${plural(n, unit)}</span>`
  heads[k].text = `<div class="head">${escapeHtml(track.prompt)}${count}</div>`
}

function layout(scene) {
  const visible = scene.tracks
  const cols = visible.length <= 1 ? 1 : visible.length <= 4 ? 2 : 3
  const rows = Math.ceil(visible.length / cols)
  const stage = $("#stage")
  const free = stage.clientHeight - 16
  const height = Math.max(140, Math.floor(free / rows) - 24 - 90)
  for (const k of visible) {
    const body = panels[k].children[1]
    if (body != null && body.height !== height) body.height = height
  }
  const children = visible.map((k, j) => [panels[k], Math.floor(j / cols), j % cols])
  const same = grid.children.length === children.length &&
    grid.children.every((c, j) => c[0] === children[j][0])
  if (!same) grid.children = children
}

function sceneTitle(scene, index) {
  const t = STRINGS[lang]
  const rooms = [...new Set(scene.tracks.map((k) => data.rooms[data.tracks[k].room]))]
  return `${escapeHtml(film.title)} · ${t.activity(index + 1, film.scenes.length)}` +
    (rooms.length === 1 && rooms[0] && rooms[0] !== film.title ? ` · ${escapeHtml(rooms[0])}` : "")
}

function showCard(index) {
  const t = STRINGS[lang]
  const scene = film.scenes[index]
  const prompts = scene.tracks.map((k) => data.tracks[k].prompt)
  $("#card .kicker").textContent = prompts.length > 1
    ? t.together(prompts.length) : t.activity(index + 1, film.scenes.length)
  $("#card .card-title").textContent = prompts.length > 1 ? "" : prompts[0]
  $("#card .card-title").hidden = prompts.length > 1
  const list = $("#card .card-list")
  list.replaceChildren(...(prompts.length > 1 ? prompts : []).map((text) => {
    const li = document.createElement("li")
    li.textContent = text
    return li
  }))
  $("#card .card-when").textContent = t.opened(hourMinute(scene.opened))
}

function showFinale() {
  const t = STRINGS[lang]
  const f = film.figures
  $("#finale .finale-title").textContent = t.finale
  const tiles = []
  if (film.scenes.length === 0) {
    $("#finale .figures").replaceChildren()
    $("#finale .words").textContent = t.empty
    return
  }
  for (const key of ["participants", "answers", "activities"]) {
    const words = t.figures[key]
    tiles.push(`<div class="figure" data-figure="${key}"><b>${number(f[key])}</b>` +
      `<span>${word(f[key], words)}</span></div>`)
  }
  if (f.calls > 0) {
    tiles.push(`<div class="figure" data-figure="calls"><b>${number(f.confirmed)}/${number(f.quota)}</b>` +
      `<span>${escapeHtml(t.calls(f.confirmed))}</span></div>`)
  }
  $("#finale .figures").innerHTML = tiles.join("")
  $("#finale .words").innerHTML = f.words.length
    ? `${escapeHtml(t.words)}${f.words.map((w) => `<b>${escapeHtml(w)}</b>`).join(", ")}` : ""
}

function render() {
  const ch = chapters[chapter]
  const t = STRINGS[lang]
  $("#card").hidden = ch.type !== "card"
  $("#finale").hidden = ch.type !== "finale"
  document.body.dataset.chapter = ch.type
  document.body.dataset.together = ch.type !== "finale" &&
    film.scenes[ch.scene].tracks.length > 1 ? "yes" : "no"
  if (ch.type === "finale") {
    showFinale()
    $("#scene-title").textContent = ""
    $("#clock").textContent = film.scenes.length ? hourMinute(data.end) : ""
  } else {
    const scene = film.scenes[ch.scene]
    layout(scene)
    const f = ch.type === "card" ? 0 : Math.min(1, elapsed / ch.seconds)
    const p = scene.start + f * (scene.end - scene.start)
    for (const k of scene.tracks) applyFrame(k, p)
    if (ch.type === "card") showCard(ch.scene)
    $("#scene-title").innerHTML = sceneTitle(scene, ch.scene)
    $("#clock").textContent = hourMinute(ch.type === "card" ? scene.opened : eventTime(p))
    window.crowdFilm.p = p
  }
  const scenes = film.scenes.length
  $(".where").textContent = ch.type === "finale" ? t.finaleShort
    : t.chapter(ch.scene + 1, scenes)
  $("[data-action=play]").textContent = playing ? `❚❚ ${t.pause}` : `▶ ${t.play}`
  $("[data-action=prev]").textContent = `◀ ${t.prev}`
  $("[data-action=next]").textContent = `${t.next} ▶`
  $("[data-action=full]").textContent = t.full
  $("[data-action=lang]").textContent = t.lang
  document.documentElement.lang = lang
  Object.assign(window.crowdFilm, {chapter, kind: ch.type, scene: ch.scene, playing, lang})
}

function go(index) {
  chapter = Math.max(0, Math.min(chapters.length - 1, index))
  elapsed = 0
  render()
}

function tick(now) {
  const dt = Math.min(0.25, (now - last) / 1000)
  last = now
  if (playing && chapters[chapter].type !== "finale") {
    elapsed += dt * rate
    if (elapsed >= chapters[chapter].seconds) go(chapter + 1)
    else if (chapters[chapter].type === "scene") render()
  }
  requestAnimationFrame(tick)
}

function toggle() {
  playing = !playing
  render()
}

// Back: to the start of this chapter's scene (its card), or the one before when already
// at a card's start; forward: the next card (or the finale).
function previous() {
  const ch = chapters[chapter]
  if (ch.type === "scene") go(chapter - 1)
  else go(chapter - 2)
}

function next() {
  const ch = chapters[chapter]
  go(ch.type === "card" ? chapter + 2 : chapter + 1)
}

function fullscreen() {
  fullscreenAsked += 1
  window.crowdFilm.fullscreenAsked = fullscreenAsked
  const root = document.documentElement
  const done = document.fullscreenElement
    ? document.exitFullscreen() : root.requestFullscreen?.()
  if (done && done.catch) done.catch(() => {})
}

function showControls() {
  $("#controls").classList.add("visible")
  clearTimeout(hideTimer)
  hideTimer = setTimeout(() => {
    if (!$("#controls").matches(":hover")) $("#controls").classList.remove("visible")
  }, 2500)
}

document.addEventListener("mousemove", showControls)
document.addEventListener("keydown", (e) => {
  if (e.key === " " || e.key === "k") toggle()
  else if (e.key === "ArrowRight") next()
  else if (e.key === "ArrowLeft") previous()
  else if (e.key === "f" || e.key === "F") fullscreen()
  else return
  e.preventDefault()
})
$("#controls").addEventListener("click", (e) => {
  const action = e.target.closest("button")?.dataset.action
  if (action === "play") toggle()
  else if (action === "prev") previous()
  else if (action === "next") next()
  else if (action === "full") fullscreen()
  else if (action === "lang") {
    lang = lang === "fr" ? "en" : "fr"
    shownIndex.fill(-2)
    render()
  }
})
window.addEventListener("resize", () => render())

// Resolves once the stage's charts are built and painted (video frames, tests).
async function settled() {
  await new Promise((resolve) => setTimeout(resolve, 0))
  for (let tries = 0; tries < 200; tries++) {
    const views = grid.children.map(([panel]) => Bokeh.index.find_one(panel))
    if (views.every((v) => v != null && v.has_finished())) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
}

// The film at `t` seconds from its start, held still (the video renderer's frames).
async function seek(t) {
  playing = false
  let start = 0
  let index = 0
  while (index < chapters.length - 1 && start + chapters[index].seconds <= t) {
    start += chapters[index].seconds
    index += 1
  }
  chapter = index
  elapsed = Math.max(0, t - start)
  render()
  await settled()
}

window.crowdFilm = {
  data, film, chapters, toggle, next, previous, go, seek, settled, fullscreenAsked: 0,
  length: film.seconds + FINALE_HOLD_S,
  chapter: 0, kind: "card", scene: 0, playing: true, p: 0, lang,
}
render()
window.crowdFilm.ready = true
requestAnimationFrame((now) => {
  last = now
  requestAnimationFrame(tick)
})
