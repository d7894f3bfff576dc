"""Pure crowd models: statistics that turn many participants' answers into one picture.

Each module covers one kind of question and works on plain sequences or numpy arrays,
returning frozen dataclasses of plain Python values (ready for JSON or msgpack):

* `estimates`: numeric guesses, wisdom of crowds and social influence between rounds;
* `circular`: compass directions (mean direction, Rayleigh test, rose histogram);
* `scales`: answers on a [-1, 1] scale (moments, bimodality, agreement, live smoothing);
* `voting`: plurality, approval, Borda, Condorcet, Schulze and majority judgment;
* `budget`: points shared among options (collective weighting and consensus).

The modules do no I/O and hold no global state; the ``*Accumulator`` classes keep
sufficient statistics so that a live update costs O(1) (or O(options)) and a snapshot
O(bins). See docs/models.md for formulas, references and conventions.
"""

from . import budget, circular, estimates, scales, voting

__all__ = ["budget", "circular", "estimates", "scales", "voting"]
