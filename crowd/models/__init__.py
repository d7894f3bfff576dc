"""Pure crowd models: statistics that turn many participants' answers into one picture.

Each module covers one kind of question and works on plain sequences or numpy arrays,
returning frozen dataclasses of plain Python values (ready for JSON or msgpack):

* `estimates`: numeric guesses, wisdom of crowds and social influence between rounds;
* `influence`: the influence round as a paired experiment (sensitivity S, paired errors);
* `circular`: compass directions (mean direction, Rayleigh test, confidence arc, rose);
* `orientation`: the rose's verdict (agreement, two or several directions), V-test;
* `scales`: answers on a [-1, 1] scale (exact moments, bimodality, agreement, smoothing);
* `camps`: is the room split (Esteban & Ray camps, pole shares, the gated bimodal flag);
* `voting`: plurality, approval, Borda, Condorcet, Schulze and majority judgment;
* `budget`: points shared among options (collective weighting and consensus);
* `phantoms`: the truthful budget aggregate (Freeman et al.'s independent markets);
* `experiment`: confidence and random arms of the influence round (bootstrap).

The modules do no I/O and hold no global state; the ``*Accumulator`` classes keep
sufficient statistics so that a live update costs O(1) (or O(options)) and a snapshot
O(bins). See docs/models.md for formulas, references and conventions.
"""

from . import (
    budget,
    camps,
    circular,
    estimates,
    experiment,
    influence,
    orientation,
    phantoms,
    scales,
    voting,
)

__all__ = ["budget", "camps", "circular", "estimates", "experiment", "influence",
           "orientation", "phantoms", "scales", "voting"]
