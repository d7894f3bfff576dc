// The join page (/): a code typed, checked, then the phone page. The page works without
// JavaScript too: the server redirects /?code=XXXX to /r/XXXX.
import { t, translate, mountLangSwitch } from "/static/shared/i18n.js";

const ALPHABET = "ACEFGHJKMNPRTWXY34679"; // crowd.core.types.CODE_ALPHABET
const form = document.getElementById("form");
const input = document.getElementById("code");
const message = document.getElementById("message");

translate();
mountLangSwitch(document.getElementById("lang"));

function normalize(raw) {
  return raw.trim().toUpperCase().replace(/[\s-]/g, "");
}

function valid(code) {
  return code.length === 4 && code.split("").every((c) => ALPHABET.indexOf(c) >= 0);
}

input.addEventListener("input", () => {
  message.textContent = "";
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const code = normalize(input.value);
  if (!valid(code)) {
    message.textContent = t("home.bad_code");
    input.focus();
    return;
  }
  message.textContent = t("home.checking");
  // Ask first, so a mistyped code gets an answer here rather than a dead page.
  fetch("/api/rooms/" + encodeURIComponent(code), { cache: "no-store" })
    .then((res) => {
      if (res.status === 404) {
        message.textContent = t("home.unknown");
        input.focus();
        return;
      }
      location.href = "/r/" + code;
    })
    .catch(() => {
      location.href = "/r/" + code; // network hiccup: let the phone page retry
    });
});
