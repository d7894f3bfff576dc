// Every visible string of the pages, French first, English second.
//
// Festivals of French cooperatives come first: a page always starts in French unless the
// visitor switched to English on this device (remembered in localStorage). Strings take
// {name} placeholders; static markup is translated through data-i18n attributes.
//
// French typography is applied here, once: numbers through Intl.NumberFormat ("1 375",
// "3,5": decimal comma, narrow no-break space for thousands), plurals through
// Intl.PluralRules (a string may be {one, other}: "1 réponse", "267 réponses", never
// a parenthesised plural), and a narrow no-break space before ? ! : ; and inside « ».

import { ERROR_STRINGS } from "./errors.js";

const STORAGE_KEY = "crowd.lang";
export const LANGS = ["fr", "en"];

const STRINGS = {
  fr: {
    "lang.switch": "EN",
    "lang.switch_label": "Switch to English",

    // connection
    "conn.connecting": "Connexion…",
    "conn.online": "Connecté",
    "conn.reconnecting": "Reconnexion…",
    "conn.offline": "Hors ligne",
    "conn.stopped": "Déconnecté",
    "conn.unsure": "Connexion incertaine…",
    "conn.pending": "Réponse en attente d'envoi…",

    // home
    "home.title": "Rejoindre une salle",
    "home.lead": "Tapez le code à 4 caractères affiché à l'écran.",
    "home.code_label": "Code de la salle",
    "home.join": "Rejoindre",
    "home.bad_code": "Un code a 4 caractères, par exemple K7XA.",
    "home.unknown": "Aucune salle avec ce code. Vérifiez l'écran.",
    "home.checking": "Vérification…",

    // phone
    "phone.loading": "Chargement de la salle…",
    "phone.unknown_room": "Cette salle n'existe pas (ou plus).",
    "phone.unknown_room_link": "Taper un autre code",
    "phone.empty": "Rien à voter pour l'instant. Gardez cette page ouverte : les votes apparaîtront ici.",
    "phone.nick_label": "Pseudo",
    "phone.nick_hint": "facultatif",
    "phone.nick_save": "OK",
    "phone.nick_saved": "Pseudo enregistré ✓",
    "phone.footer": "Un appareil, une voix. Vos réponses sont anonymes.",
    "phone.sending": "Envoi…",
    "phone.waiting": "En attente du réseau… (votre réponse partira dès la reconnexion)",
    "phone.received": "Vote reçu ✓",
    "phone.closed": "Vote clos",
    "phone.results": "Résultats",
    "phone.your_answer": "votre réponse",
    "phone.answers": { one: "{n} réponse", other: "{n} réponses" },
    "phone.validate": "Valider",
    "phone.send": "Envoyer",
    "phone.unsupported": "Cette page ne sait pas encore afficher ce type d'activité.",

    // kinds on the phone
    "approval.hint": { one: "Choisissez {max} option au plus.", other: "Choisissez jusqu'à {max} options." },
    "approval.count": { one: "{k} / {max} choisie", other: "{k} / {max} choisies" },
    "ranking.hint": "Touchez les options dans votre ordre de préférence.",
    "ranking.yours": "Votre classement",
    "ranking.left": "À classer",
    "ranking.up": "Monter {label}",
    "ranking.down": "Descendre {label}",
    "ranking.remove": "Retirer {label}",
    "ranking.empty": "Touchez une option ci-dessous pour commencer.",
    "grades.hint": "Donnez une mention à chaque option.",
    "grades.missing": { one: "Encore {k} option à évaluer.", other: "Encore {k} options à évaluer." },
    "estimate.label": "Votre estimation",
    "estimate.bounds": "Entre {min} et {max}",
    "estimate.min": "Au moins {min}",
    "estimate.max": "Au plus {max}",
    "estimate.invalid": "Tapez un nombre.",
    "estimate.social": "La foule a répondu ({n} réponses) : médiane {median}, la moitié entre {q1} et {q3}.",
    "estimate.round2": "Gardez votre estimation ou changez-la, puis validez.",
    "estimate.social_other": "Une autre personne a répondu\u202f: {x}",
    "estimate.social_others": "La médiane de {n} autres personnes\u202f: {x}",
    "estimate.out": "Hors limites.",
    "words.hint": { one: "Un mot, 30 caractères au plus.", other: "Jusqu'à {max} mots, 30 caractères chacun." },
    "words.label": "Mot {i}",
    "words.none": "Tapez au moins un mot.",

    // results
    "results.median": "Médiane",
    "results.quartiles": "La moitié des réponses entre {q1} et {q3}",
    "results.range": "De {min} à {max}",
    "results.majority": "Mention majoritaire",
    "results.borda": "points",
    "results.first": "{k}× en 1er",
    "ranking.duels": { one: "bat {k} option sur {total} en duel", other: "bat {k} options sur {total} en duel" },
    "ranking.tied": "ex æquo",
    "ranking.duels_hint": "Chaque option est comparée à chaque autre : laquelle les votants placent-ils devant ?",
    "results.words": { one: "{d} mot différent", other: "{d} mots différents" },
    "results.none": "Aucune réponse.",

    // errors: static/shared/errors.js

    // kinds (names)
    "kind.choice": "Choix unique",
    "kind.approval": "Approbation",
    "kind.ranking": "Classement",
    "kind.grades": "Jugement majoritaire",
    "kind.estimate": "Estimation",
    "kind.words": "Nuage de mots",
    "kind.temperature": "Température",
    "kind.weighting": "Répartition",
    "kind.orientation": "Orientation",
    "kind.call": "Criée",

    // words the phone, the panel and the screen share about the new kinds
    "temp.mean": "Moyenne {x}",
    "temp.towards": "vers « {pole} »",
    "temp.middle": "au milieu",
    "temp.polarised": "deux camps",
    "temp.consensus": "consensus",
    "temp.mixed": "avis dispersés",
    "temp.poles": "{low} vers « {left} » · {high} vers « {right} »",
    "orient.mean": "Direction moyenne {deg} ({dir})",
    "orient.agree": "la foule s'accorde",
    "orient.disagree": "pas de direction commune",
    "orient.two": "deux directions",
    "orient.several": "plusieurs directions",
    "orient.lean": "une tendance, sans accord net",
    "orient.towards": "vers {dirs}",
    "orient.and": "et",
    "orient.arc": "± {deg}",
    "orient.none": "pas encore de réponses",
    "orient.p": "p = {p}",
    "orient.p_small": "p < {p}",
    "orient.dirs": "N,NE,E,SE,S,SO,O,NO",
    "grades.leader": "En tête : {label} ({grade})",
    "estimate.round2_badge": "2e tour",
    "weighting.truthful": "trait blanc : le partage où exagérer ne sert à rien",
    "weighting.truthful_term": "marchés indépendants, Freeman et al. 2021",
    "estimate.confidence": "Votre confiance",
    "estimate.confidence_n": "Confiance {c} sur 6",
    "estimate.confidence_ends": "1 : pas sûr du tout · 6 : tout à fait sûr",
    "estimate.shift": "Médiane {m1} → {m2}",
    "estimate.closer": "plus près de la vérité",
    "estimate.further": "plus loin de la vérité",
    "estimate.same": "ni plus près ni plus loin de la vérité",
    "estimate.truth": "Vraie valeur : {x}",
    "estimate.moves": "{keep} gardent leur estimation · {compromise} se rapprochent de la médiane · {adopt} l'adoptent",
    "estimate.people_closer": "{x} plus près de la vérité",
    "estimate.crowd_closer": "la foule aussi",
    "estimate.crowd_not": "mais pas la foule",
    "estimate.conf_means": "Confiance {a} → {b} sur 6",
    "estimate.conf_up": "plus sûrs",
    "estimate.conf_down": "moins sûrs",
    "estimate.conf_same": "pas plus sûrs",
    "estimate.conf_effect": "plus sûrs, mais pas plus justes",
    "estimate.conf_up_closer": "plus sûrs, et plus justes",
    "estimate.arms_helped": "voir la médiane a aidé à se rapprocher de la vérité",
    "estimate.arms_harmed": "voir la médiane a éloigné de la vérité",
    "estimate.arms_unsure": "on ne peut pas dire si voir la médiane a aidé",
    "estimate.arm_median": "{n} avec la médiane",
    "estimate.arm_none": "{n} sans information",
    "estimate.arm_one_other": "{n} avec la réponse d'une autre personne",
    "estimate.arm_median_of_5": "{n} avec la médiane de 5 autres",
    "estimate.group_median": "avec la médiane",
    "estimate.group_none": "sans information",
    "estimate.group_one_other": "avec la réponse d'une autre personne",
    "estimate.group_median_of_5": "avec la médiane de 5 autres",
    "estimate.arms_first_helped": "{first}, on s'est plus rapproché de la vérité que {second}",
    "estimate.arms_first_harmed": "{first}, on s'est moins rapproché de la vérité que {second}",
    "estimate.arms_first_unsure": "on ne peut pas dire si {first} on s'est plus rapproché de la vérité que {second}",
    "estimate.arms_range": "différence {x} (de {low} à {high}, erreur en log)",
    "ranking.condorcet": "{label} bat chacune des autres en duel",
    "ranking.no_condorcet": "Aucune option ne bat toutes les autres",
    "ranking.smith": "{labels} se battent en cercle",
    "ranking.term_winner": "gagnant de Condorcet",
    "ranking.term_none": "pas de gagnant de Condorcet",
    "chance.rare": "presque jamais par hasard",
    "chance.unlikely": "rarement par hasard",
    "chance.maybe": "peut-être le hasard",
    "orient.truth_dir": "{dir}, {deg}",
    "orient.truth_yes": "la foule pointe vers la bonne direction ({truth})",
    "orient.truth_no": "la foule ne pointe pas nettement vers la bonne direction ({truth})",
    "orient.truth_off": "à {deg} près",
    "choice.tie": "Égalité : {labels}",
    "choice.lead_sure": "En tête : {label}, avance nette ({pts} points)",
    "choice.lead_unsure": "{label} devant ({pts} points), dans la marge d'erreur",
    "choice.switch_one": "1 voix à déplacer pour égaliser",
    "choice.switch_many": "{k} voix à déplacer pour égaliser",
    "choice.range": "écart à 95 % : {low} à {high} points",
    "call.places": { one: "{k} place", other: "{k} places" },
    "call.gauge": "{taken} / {quota}",
    "call.waiting_n": "+ {k} en liste d'attente",
    "call.full": "COMPLET",

    // states
    "state.draft": "Brouillon",
    "state.open": "Ouvert",
    "state.closed": "Clos",
    "state.revealed": "Résultats visibles",
    "state.projected": "À l'écran",

    // panel
    "panel.title": "Panneau d'animation",
    "panel.login_title": "Code animateur",
    "panel.login_lead": "Le code s'affiche au lancement du serveur (« Animator secret »).",
    "panel.login_label": "Code animateur",
    "panel.login_submit": "Entrer",
    "panel.logout": "Se déconnecter",
    "panel.rooms": "Salles",
    "panel.no_rooms": "Aucune salle : créez-en une.",
    "panel.new_room": "Nouvelle salle",
    "panel.room_title": "Titre de la salle",
    "panel.create": "Créer",
    "panel.pick_room": "Choisissez ou créez une salle.",
    "panel.join": "Pour rejoindre",
    "panel.code": "Code",
    "panel.open_screen": "Ouvrir l'écran",
    "panel.devices": "appareils connectés",
    "panel.screens": "écrans",
    "panel.rate": "réponses/s",
    "panel.active": "appareils actifs (1 min)",
    "panel.agenda": "Déroulé",
    "panel.agenda_empty": "Aucune activité : ajoutez-en une ci-dessous ou importez un déroulé.",
    "panel.answers": { one: "{n} réponse", other: "{n} réponses" },
    "panel.open": "Ouvrir",
    "panel.reopen": "Rouvrir",
    "panel.close": "Fermer",
    "panel.reveal": "Révéler",
    "panel.hide": "Masquer",
    "panel.project": "Projeter",
    "panel.unproject": "Ne plus projeter",
    "panel.delete": "Supprimer",
    "panel.delete_confirm": "Supprimer « {prompt} » ?",
    "panel.add": "Ajouter une activité",
    "panel.kind": "Type",
    "panel.prompt": "Question",
    "panel.note": "Précision (facultatif)",
    "panel.options": "Options, une par ligne",
    "panel.grades": "Mentions, de la pire à la meilleure, une par ligne",
    "panel.max": "Nombre maximum d'options approuvées (vide : toutes)",
    "panel.unit": "Unité",
    "panel.min": "Minimum",
    "panel.max_value": "Maximum",
    "panel.max_words": "Nombre de mots par appareil",
    "panel.add_submit": "Ajouter au déroulé",
    "panel.added": "Activité ajoutée ✓",
    "panel.bad_number": "Minimum et maximum : des nombres, ou rien.",
    "panel.export": "Exporter le déroulé",
    "panel.import": "Importer un déroulé",
    "panel.imported": { one: "{k} activité importée ✓", other: "{k} activités importées ✓" },
    "panel.bad_file": "Ce fichier n'est pas un déroulé crowd (JSON).",
    "panel.median": "médiane {x}",

    // screen
    "screen.join_at": "Rejoignez sur",
    "screen.code": "Code",
    "screen.devices": "appareils connectés",
    "screen.answers": { one: "{n} réponse", other: "{n} réponses" },
    "screen.votes": { one: "{n} voix", other: "{n} voix" },
    "screen.closed": "Vote clos",
    "screen.unknown_room": "Salle introuvable",
    "screen.fullscreen": "Plein écran",
    "screen.chart_error": "Graphique indisponible",
  },
  en: {
    "lang.switch": "FR",
    "lang.switch_label": "Passer en français",

    "conn.connecting": "Connecting…",
    "conn.online": "Connected",
    "conn.reconnecting": "Reconnecting…",
    "conn.offline": "Offline",
    "conn.stopped": "Disconnected",
    "conn.unsure": "Connection unsure…",
    "conn.pending": "Answer waiting to leave…",

    "home.title": "Join a room",
    "home.lead": "Type the 4-character code shown on the screen.",
    "home.code_label": "Room code",
    "home.join": "Join",
    "home.bad_code": "A code has 4 characters, for example K7XA.",
    "home.unknown": "No room with this code. Check the screen.",
    "home.checking": "Checking…",

    "phone.loading": "Loading the room…",
    "phone.unknown_room": "This room does not exist (any more).",
    "phone.unknown_room_link": "Type another code",
    "phone.empty": "Nothing to vote on yet. Keep this page open: votes will show up here.",
    "phone.nick_label": "Nickname",
    "phone.nick_hint": "optional",
    "phone.nick_save": "OK",
    "phone.nick_saved": "Nickname saved ✓",
    "phone.footer": "One device, one voice. Your answers are anonymous.",
    "phone.sending": "Sending…",
    "phone.waiting": "Waiting for the network… (your answer leaves as soon as it is back)",
    "phone.received": "Vote received ✓",
    "phone.closed": "Voting closed",
    "phone.results": "Results",
    "phone.your_answer": "your answer",
    "phone.answers": { one: "{n} answer", other: "{n} answers" },
    "phone.validate": "Submit",
    "phone.send": "Send",
    "phone.unsupported": "This page cannot show this kind of activity yet.",

    "approval.hint": { one: "Pick {max} option at most.", other: "Pick up to {max} options." },
    "approval.count": "{k} / {max} picked",
    "ranking.hint": "Tap the options in your order of preference.",
    "ranking.yours": "Your ranking",
    "ranking.left": "Still to rank",
    "ranking.up": "Move {label} up",
    "ranking.down": "Move {label} down",
    "ranking.remove": "Remove {label}",
    "ranking.empty": "Tap an option below to start.",
    "grades.hint": "Give each option a grade.",
    "grades.missing": { one: "{k} option left to grade.", other: "{k} options left to grade." },
    "estimate.label": "Your estimate",
    "estimate.bounds": "Between {min} and {max}",
    "estimate.min": "At least {min}",
    "estimate.max": "At most {max}",
    "estimate.invalid": "Type a number.",
    "estimate.social": "The crowd answered ({n} answers): median {median}, half between {q1} and {q3}.",
    "estimate.round2": "Keep your estimate or change it, then submit.",
    "estimate.social_other": "Another person answered: {x}",
    "estimate.social_others": "The median of {n} other people: {x}",
    "estimate.out": "Out of bounds.",
    "words.hint": { one: "One word, 30 characters at most.", other: "Up to {max} words, 30 characters each." },
    "words.label": "Word {i}",
    "words.none": "Type at least one word.",

    "results.median": "Median",
    "results.quartiles": "Half of the answers between {q1} and {q3}",
    "results.range": "From {min} to {max}",
    "results.majority": "Majority grade",
    "results.borda": "points",
    "results.first": "{k}× first",
    "ranking.duels": { one: "beats {k} option of {total} head to head", other: "beats {k} options of {total} head to head" },
    "ranking.tied": "tied",
    "ranking.duels_hint": "Each option is compared with each other one: which do voters put first?",
    "results.words": { one: "{d} different word", other: "{d} different words" },
    "results.none": "No answers.",


    "kind.choice": "Single choice",
    "kind.approval": "Approval",
    "kind.ranking": "Ranking",
    "kind.grades": "Majority judgment",
    "kind.estimate": "Estimate",
    "kind.words": "Word cloud",
    "kind.temperature": "Temperature",
    "kind.weighting": "Allocation",
    "kind.orientation": "Orientation",
    "kind.call": "Call",

    "temp.mean": "Mean {x}",
    "temp.towards": "towards “{pole}”",
    "temp.middle": "in the middle",
    "temp.polarised": "two camps",
    "temp.consensus": "consensus",
    "temp.mixed": "views spread out",
    "temp.poles": "{low} towards “{left}” · {high} towards “{right}”",
    "orient.mean": "Mean direction {deg} ({dir})",
    "orient.agree": "the crowd agrees",
    "orient.disagree": "no common direction",
    "orient.two": "two directions",
    "orient.several": "several directions",
    "orient.lean": "a leaning, no clear agreement",
    "orient.towards": "towards {dirs}",
    "orient.and": "and",
    "orient.arc": "± {deg}",
    "orient.none": "no answers yet",
    "orient.p": "p = {p}",
    "orient.p_small": "p < {p}",
    "orient.dirs": "N,NE,E,SE,S,SW,W,NW",
    "grades.leader": "Ahead: {label} ({grade})",
    "estimate.round2_badge": "Round 2",
    "weighting.truthful": "white tick: the split nobody can pull their way by exaggerating",
    "weighting.truthful_term": "independent markets, Freeman et al. 2021",
    "estimate.confidence": "Your confidence",
    "estimate.confidence_n": "Confidence {c} of 6",
    "estimate.confidence_ends": "1: not sure at all · 6: completely sure",
    "estimate.shift": "Median {m1} → {m2}",
    "estimate.closer": "closer to the truth",
    "estimate.further": "further from the truth",
    "estimate.same": "neither closer to the truth nor further",
    "estimate.truth": "True value: {x}",
    "estimate.moves": "{keep} keep their estimate · {compromise} move towards the median · {adopt} adopt it",
    "estimate.people_closer": "{x} closer to the truth",
    "estimate.crowd_closer": "and so is the crowd",
    "estimate.crowd_not": "but not the crowd",
    "estimate.conf_means": "Confidence {a} → {b} of 6",
    "estimate.conf_up": "more sure",
    "estimate.conf_down": "less sure",
    "estimate.conf_same": "no more sure",
    "estimate.conf_effect": "more sure, but no more accurate",
    "estimate.conf_up_closer": "more sure, and more accurate",
    "estimate.arms_helped": "seeing the median helped people get closer to the truth",
    "estimate.arms_harmed": "seeing the median took people further from the truth",
    "estimate.arms_unsure": "we cannot tell whether seeing the median helped",
    "estimate.arm_median": "{n} shown the median",
    "estimate.arm_none": "{n} without information",
    "estimate.arm_one_other": "{n} shown another person's answer",
    "estimate.arm_median_of_5": "{n} shown the median of 5 others",
    "estimate.group_median": "shown the median",
    "estimate.group_none": "without information",
    "estimate.group_one_other": "shown another person's answer",
    "estimate.group_median_of_5": "shown the median of 5 others",
    "estimate.arms_first_helped": "people {first} got closer to the truth than people {second}",
    "estimate.arms_first_harmed": "people {first} got less close to the truth than people {second}",
    "estimate.arms_first_unsure": "we cannot tell whether people {first} got closer to the truth than people {second}",
    "estimate.arms_range": "difference {x} ({low} to {high}, log error)",
    "ranking.condorcet": "{label} beats each other option head to head",
    "ranking.no_condorcet": "No option beats all the others",
    "ranking.smith": "{labels} beat one another in a circle",
    "ranking.term_winner": "Condorcet winner",
    "ranking.term_none": "no Condorcet winner",
    "chance.rare": "almost never by chance",
    "chance.unlikely": "rarely by chance",
    "chance.maybe": "could be chance",
    "orient.truth_dir": "{dir}, {deg}",
    "orient.truth_yes": "the crowd points the right way ({truth})",
    "orient.truth_no": "the crowd does not clearly point the right way ({truth})",
    "orient.truth_off": "within {deg}",
    "choice.tie": "Tie: {labels}",
    "choice.lead_sure": "Ahead: {label}, a clear lead ({pts} points)",
    "choice.lead_unsure": "{label} ahead ({pts} points), within the margin of error",
    "choice.switch_one": "1 vote to switch for a tie",
    "choice.switch_many": "{k} votes to switch for a tie",
    "choice.range": "95% range of the lead: {low} to {high} points",
    "call.places": { one: "{k} place", other: "{k} places" },
    "call.gauge": "{taken} / {quota}",
    "call.waiting_n": "+ {k} on the waiting list",
    "call.full": "FULL",

    "state.draft": "Draft",
    "state.open": "Open",
    "state.closed": "Closed",
    "state.revealed": "Results shown",
    "state.projected": "On screen",

    "panel.title": "Animator panel",
    "panel.login_title": "Animator code",
    "panel.login_lead": "The code is printed when the server starts (“Animator secret”).",
    "panel.login_label": "Animator code",
    "panel.login_submit": "Enter",
    "panel.logout": "Log out",
    "panel.rooms": "Rooms",
    "panel.no_rooms": "No room yet: create one.",
    "panel.new_room": "New room",
    "panel.room_title": "Room title",
    "panel.create": "Create",
    "panel.pick_room": "Pick or create a room.",
    "panel.join": "To join",
    "panel.code": "Code",
    "panel.open_screen": "Open the screen",
    "panel.devices": "devices connected",
    "panel.screens": "screens",
    "panel.rate": "answers/s",
    "panel.active": "active devices (1 min)",
    "panel.agenda": "Agenda",
    "panel.agenda_empty": "No activity yet: add one below or import an agenda.",
    "panel.answers": { one: "{n} answer", other: "{n} answers" },
    "panel.open": "Open",
    "panel.reopen": "Reopen",
    "panel.close": "Close",
    "panel.reveal": "Reveal",
    "panel.hide": "Hide",
    "panel.project": "Project",
    "panel.unproject": "Stop projecting",
    "panel.delete": "Delete",
    "panel.delete_confirm": "Delete “{prompt}”?",
    "panel.add": "Add an activity",
    "panel.kind": "Kind",
    "panel.prompt": "Question",
    "panel.note": "Note (optional)",
    "panel.options": "Options, one per line",
    "panel.grades": "Grades, worst to best, one per line",
    "panel.max": "Most options one may approve (empty: all)",
    "panel.unit": "Unit",
    "panel.min": "Minimum",
    "panel.max_value": "Maximum",
    "panel.max_words": "Words per device",
    "panel.add_submit": "Add to the agenda",
    "panel.added": "Activity added ✓",
    "panel.bad_number": "Minimum and maximum: numbers, or nothing.",
    "panel.export": "Export the agenda",
    "panel.import": "Import an agenda",
    "panel.imported": { one: "{k} activity imported ✓", other: "{k} activities imported ✓" },
    "panel.bad_file": "This file is not a crowd agenda (JSON).",
    "panel.median": "median {x}",

    "screen.join_at": "Join at",
    "screen.code": "Code",
    "screen.devices": "devices connected",
    "screen.answers": { one: "{n} answer", other: "{n} answers" },
    "screen.votes": { one: "{n} vote", other: "{n} votes" },
    "screen.closed": "Voting closed",
    "screen.unknown_room": "Room not found",
    "screen.fullscreen": "Full screen",
    "screen.chart_error": "Chart unavailable",
  },
};

LANGS.forEach((code) => Object.assign(STRINGS[code], ERROR_STRINGS[code]));

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch (e) {
    return null; // storage disabled (private mode on old browsers): French it is
  }
}

let current = LANGS.indexOf(stored()) >= 0 ? stored() : "fr";

export function lang() {
  return current;
}

const PLURAL_PARAMS = ["n", "k", "d", "max", "taken"];
const pluralRules = {};

/** Intl's plural category ("one", "other"...) of `count` in the current language. */
function pluralOf(count) {
  if (!pluralRules[current]) {
    try {
      pluralRules[current] = new Intl.PluralRules(current === "fr" ? "fr-FR" : "en-GB");
    } catch (e) {
      pluralRules[current] = { select: (x) => (Math.abs(x) < 2 && current === "fr") || x === 1 ? "one" : "other" };
    }
  }
  return pluralRules[current].select(count);
}

/**
 * French spacing: a narrow no-break space before ? ! : ; and inside « », replacing a
 * plain space if one was typed (URLs, times like 12:30 and "1/3" are left alone).
 */
export function typeset(text) {
  if (current !== "fr") return text;
  return String(text)
    .replace(/[ \u00a0]?([?!;])(?=\s|$)/g, "\u202f$1")
    .replace(/[ \u00a0]:(?=\s|$)/g, "\u202f:")
    .replace(/« ?/g, "«\u202f")
    .replace(/ ?»/g, "\u202f»");
}

/**
 * The string for `key` in the current language, with {placeholders} filled: numbers
 * in the local format, the plural form chosen by the first count among n, k, d, max.
 */
export function t(key, params) {
  const table = STRINGS[current];
  let text = key in table ? table[key] : (key in STRINGS.fr ? STRINGS.fr[key] : key);
  if (text && typeof text === "object") {
    const name = PLURAL_PARAMS.find((p) => params && typeof params[p] === "number");
    text = text[name ? pluralOf(params[name]) : "other"] || text.other;
  }
  text = typeset(text);
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) => {
      if (!(name in params)) return whole;
      const value = params[name];
      return typeof value === "number" ? formatNumber(value) : String(value);
    });
  }
  return text;
}

/**
 * Adds a page's or a feature's own strings: `tables` is {fr: {...}, en: {...}}. Modules
 * call it when they load, before anything is rendered; a key defined twice is a mistake.
 */
export function extend(tables) {
  LANGS.forEach((code) => {
    const add = tables[code] || {};
    Object.keys(add).forEach((key) => {
      STRINGS[code][key] = add[key];
    });
  });
}

/** Does a translation exist for this key? (error codes the pages do not know yet) */
export function has(key) {
  return key in STRINGS.fr;
}

/**
 * A refusal in the current language. `err` is an error frame or a RequestError
 * ({code, message, reason, params}), or a bare code with the server's English message as
 * `fallback` (shown only for a code no table knows). The code's sentence comes first,
 * then the reason's ("Demande refusée — Options : entre 2 et 20 lignes").
 */
export function errorText(err, fallback) {
  const e = typeof err === "string" || err == null ? { code: err, message: fallback } : err;
  const base = has("error." + e.code) ? t("error." + e.code) : e.message || fallback || t("error.generic");
  const why = reasonText(e.reason, e.params);
  return why ? base + " — " + why : base;
}

/** A refusal's reason in words, its parameters in the visitor's language; "" if unknown. */
export function reasonText(reason, params) {
  if (!reason || !has("reason." + reason)) return "";
  const shown = {};
  Object.keys(params || {}).forEach((name) => {
    const value = params[name];
    if (name === "field") shown.field = has("field." + value) ? t("field." + value) : "« " + value + " »";
    else if (typeof value === "number") shown[name] = formatNumber(value, 6);
    else shown[name] = value == null ? "" : String(value);
  });
  // A reason about one item of a list (an agenda's activity): its own reason translated.
  const cause = params && params.cause;
  if (cause && cause.reason) shown.detail = reasonText(cause.reason, cause.params) || shown.detail;
  const text = t("reason." + reason, shown);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Translates static markup: `data-i18n="key"` sets the text, `data-i18n-attr="attr:key;..."`
 * sets attributes (placeholder, aria-label, title).
 */
export function translate(root) {
  const scope = root || document;
  scope.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.getAttribute("data-i18n"));
  });
  scope.querySelectorAll("[data-i18n-attr]").forEach((el) => {
    el.getAttribute("data-i18n-attr").split(";").forEach((pair) => {
      const parts = pair.split(":");
      if (parts.length === 2) el.setAttribute(parts[0].trim(), t(parts[1].trim()));
    });
  });
  document.documentElement.lang = current;
}

/** Switches language, remembers it on this device and tells the page to re-render. */
export function setLang(next) {
  if (LANGS.indexOf(next) < 0 || next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch (e) {
    // not remembered, still switched for this visit
  }
  translate();
  window.dispatchEvent(new CustomEvent("crowd:lang", { detail: next }));
}

/** Wires a button that toggles FR <-> EN and shows the other language's name. */
export function mountLangSwitch(button) {
  const render = () => {
    button.textContent = t("lang.switch");
    button.setAttribute("aria-label", t("lang.switch_label"));
    button.setAttribute("lang", current === "fr" ? "en" : "fr");
  };
  button.addEventListener("click", () => setLang(current === "fr" ? "en" : "fr"));
  window.addEventListener("crowd:lang", render);
  render();
}

const formatters = {};

/**
 * Numbers the local way ("1 234,5" in French, with a narrow no-break space), at most
 * `digits` decimals. Without `digits`, a sensible precision: none from 100 on ("1 375",
 * not "1 375,25"), one from 10, two below. The one formatter of the pages.
 */
export function formatNumber(x, digits) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  const size = Math.abs(x);
  const max = digits !== undefined ? digits : (size >= 100 ? 0 : size >= 10 ? 1 : 2);
  const key = current + max;
  try {
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat(current === "fr" ? "fr-FR" : "en-GB",
        { maximumFractionDigits: max });
    }
    return formatters[key].format(x);
  } catch (e) {
    return String(Math.round(x * Math.pow(10, max)) / Math.pow(10, max));
  }
}

/** A count: never a fraction ("1 375", not "1 375,25"). */
export function formatCount(x) {
  return formatNumber(typeof x === "number" ? Math.round(x) : x, 0);
}

/** A share 0..1 -> "42 %" (French spacing) or "42%". */
export function formatShare(share) {
  const pct = formatNumber(Math.round((share || 0) * 100), 0);
  return current === "fr" ? pct + "\u202f%" : pct + "%";
}
