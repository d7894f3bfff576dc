// The projector's strings for the criée strip and the text over the charts.

import { extend } from "../shared/i18n.js";

extend({
  fr: {
    "screen.calls": "Criée : appels en cours",
    "screen.call_gauge": "{taken} / {quota}",
    "screen.call_places": "places prises",
    "screen.call_waiting": "+ {k} en attente",
    "screen.call_full": "COMPLET",
    "screen.volunteers": { one: "{n} volontaire", other: "{n} volontaires" },
    "screen.call_closed": "Appel clos",
    "screen.open": "Vote ouvert",
    "screen.call_open": "Appel ouvert",
    "screen.answer_now": "Répondez sur votre téléphone : code {code}",
    "screen.unknown_hint": "Vérifiez l'adresse de cet écran : le bon lien est dans le panneau d'animation.",
    "screen.page": "page {i} sur {k}",
    "screen.veil_answer": "Répondez sur votre téléphone",
    "screen.veil_after_close": "Les résultats s'afficheront à la clôture du vote.",
    "screen.veil_hidden": "Les résultats seront montrés par l'animateur.",
  },
  en: {
    "screen.calls": "Calls for volunteers",
    "screen.call_gauge": "{taken} / {quota}",
    "screen.call_places": "places taken",
    "screen.call_waiting": "+ {k} waiting",
    "screen.call_full": "FULL",
    "screen.volunteers": { one: "{n} volunteer", other: "{n} volunteers" },
    "screen.call_closed": "Call closed",
    "screen.open": "Voting open",
    "screen.call_open": "Call open",
    "screen.answer_now": "Answer on your phone: code {code}",
    "screen.unknown_hint": "Check this screen's address: the right link is on the animator panel.",
    "screen.page": "page {i} of {k}",
    "screen.veil_answer": "Answer on your phone",
    "screen.veil_after_close": "The results will show when voting closes.",
    "screen.veil_hidden": "The animator will show the results.",
  },
});
