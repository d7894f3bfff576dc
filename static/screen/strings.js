// The projector's strings for the criée strip and the text over the charts.

import { extend } from "../shared/i18n.js";

extend({
  fr: {
    "screen.calls": "Criée : appels en cours",
    "screen.call_gauge": "{taken} / {quota}",
    "screen.call_places": "places prises",
    "screen.call_waiting": "+ {k} en attente",
    "screen.call_full": "COMPLET",
    "screen.volunteers": "{n} volontaire(s)",
    "screen.call_closed": "Appel clos",
  },
  en: {
    "screen.calls": "Calls for volunteers",
    "screen.call_gauge": "{taken} / {quota}",
    "screen.call_places": "places taken",
    "screen.call_waiting": "+ {k} waiting",
    "screen.call_full": "FULL",
    "screen.volunteers": "{n} volunteer(s)",
    "screen.call_closed": "Call closed",
  },
});
