// The kinds this page can answer. Add a kind: write kinds/<kind>.js, import it here.

import { register } from "./registry.js";
import choice from "./choice.js";
import approval from "./approval.js";
import ranking from "./ranking.js";
import grades from "./grades.js";
import estimate from "./estimate.js";
import words from "./words.js";

[choice, approval, ranking, grades, estimate, words].forEach(register);

export { kindOf } from "./registry.js";
