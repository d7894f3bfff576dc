// The kinds this page can answer. Add a kind: write kinds/<kind>.js, import it here.
// (Criée calls are not answered with `respond`: ../criee.js shows them as banners.)

import { register } from "./registry.js";
import choice from "./choice.js";
import approval from "./approval.js";
import ranking from "./ranking.js";
import grades from "./grades.js";
import estimate from "./estimate.js";
import words from "./words.js";
import temperature from "./temperature.js";
import weighting from "./weighting.js";
import orientation from "./orientation.js";
import opinion from "./opinion.js";
import valueScale from "./value_scale.js";

[choice, approval, ranking, grades, estimate, words, temperature, weighting, orientation,
  opinion, valueScale].forEach(register);

export { kindOf } from "./registry.js";
