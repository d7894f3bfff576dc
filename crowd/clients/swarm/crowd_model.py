"""Who the simulated crowd is: real estimates (the cow data), the room's lean, each phone's persona.

The persona is drawn from crowd models rather than uniform noise (log-normal reaction
delays, a shared lean plus a personal one, polarised temperatures); see the package's
docstring for the list and the references.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------- crowd data

#: Quantiles (every 2.5 %) of the 17,184 guesses of the 2015 Planet Money cow (it weighed
#: 1,355 lb), junk answers included: the estimate model when the data file is absent.
COW_QUANTILES_LB: tuple[float, ...] = (
    1, 458, 562, 630, 675, 738, 786, 822, 850, 875, 908, 950, 987, 1011, 1076, 1110, 1150,
    1175, 1200, 1219, 1245, 1258, 1290, 1320, 1350, 1375, 1410, 1450, 1476, 1500, 1542, 1592,
    1634, 1653, 1700, 1768, 1850, 2000, 2165, 2475, 14555)
COW_TRUTH_LB = 1355.0  # what the crowd was guessing
COW_FILE = "cow_guesses_lb.txt"

WORDS = (
    "solidarité", "énergie", "partage", "confiance", "fatigue", "joie", "écoute", "courage",
    "ensemble", "avenir", "respect", "musique", "soleil", "pluie", "café", "débat", "temps",
    "liberté", "engagement", "transmission", "jeunesse", "village", "terre", "eau", "fête",
    "colère", "espoir", "humour", "lenteur", "curiosité", "bienveillance", "patience",
    "désordre", "création", "racines", "voyage", "silence", "rire", "pain", "vélo")


def find_crowd_file(name: str = COW_FILE) -> Path | None:
    """The data file: `CROWD_SWARM_ESTIMATES`, else the one shipped in `crowd/data`, else
    one in a `shared/data` folder beside the project."""
    env = os.environ.get("CROWD_SWARM_ESTIMATES")
    here = Path(__file__).resolve()
    candidates = [Path(env)] if env else []
    candidates += [here.parents[2] / "data" / name,
                   here.parents[4] / "shared" / "data" / name,
                   Path.cwd().parent / "shared" / "data" / name,
                   Path.cwd() / "shared" / "data" / name]
    return next((p for p in candidates if p.is_file()), None)


def load_estimates(path: Path | None = None) -> tuple[float, ...] | None:
    """Real estimates, one number a line (blank and unreadable lines are skipped)."""
    path = path or find_crowd_file()
    if path is None:
        return None
    values = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            x = float(line.strip())
            if math.isfinite(x):
                values.append(x)
    return tuple(values) or None


def sample_quantiles(rng: random.Random, quantiles: Sequence[float]) -> float:
    """Inverse-CDF sampling from an evenly spaced quantile table (linear in between)."""
    position = rng.random() * (len(quantiles) - 1)
    i = min(int(position), len(quantiles) - 2)
    frac = position - i
    return quantiles[i] + frac * (quantiles[i + 1] - quantiles[i])


# ---------------------------------------------------------------- the crowd model


@dataclass(slots=True)
class CrowdModel:
    """How the simulated crowd behaves; every figure has a plain meaning and a default."""

    seed: int = 1
    #: Median seconds between an activity opening and a phone's first answer.
    reaction_median_s: float = 3.0
    #: Spread of log reaction times (0.6: 90 % answer within ~2.7x the median).
    reaction_sigma: float = 0.6
    #: Probability that a phone answers an activity at all.
    participation: float = 0.95
    #: Share of the crowd in one of two camps on a temperature (the rest is centrist).
    polarisation: float = 0.7
    #: Share of the polarised crowd on the warm side.
    warm_share: float = 0.5
    #: How much the crowd shares option preferences (0: every phone on its own).
    consensus: float = 1.0
    #: Mean weight a listener gives to the crowd's answer in a social-influence round.
    herding: float = 0.45
    #: Share who keep their own answer whatever the crowd said.
    stubborn: float = 0.35
    #: Share who volunteer when a criée call opens.
    volunteers: float = 0.08
    #: Naps per phone per minute (the socket dies silently, the phone comes back later).
    naps_per_min: float = 0.05
    #: Median length of a nap, in seconds.
    nap_median_s: float = 15.0
    #: Multiplies every delay: 0.05 turns a minute of crowd into three seconds.
    tempo: float = 1.0
    #: Estimates to draw from; None: the cow data file, else its quantile table.
    estimates: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class Persona:
    """One phone's traits, fixed for the whole session."""

    speed: float  # multiplies the reaction delay (log-normal around 1)
    camp: int  # -1, 0 (centre) or +1 on polarised questions
    susceptibility: float  # weight on the crowd's answer in a social round (0: stubborn)
    bold: bool  # volunteers in criée calls
    naps_per_min: float
    fidget: float  # mean number of slider moves after the first answer of a gesture
    diligence: float  # probability of answering an activity

    @classmethod
    def draw(cls, model: CrowdModel, index: int) -> Persona:
        rng = random.Random(f"{model.seed}/persona/{index}")
        camp = 0
        if rng.random() < model.polarisation:
            camp = 1 if rng.random() < model.warm_share else -1
        susceptibility = 0.0
        if rng.random() >= model.stubborn:
            h = min(max(model.herding, 0.02), 0.98)
            susceptibility = rng.betavariate(4 * h, 4 * (1 - h))
        return cls(speed=rng.lognormvariate(0.0, 0.35), camp=camp,
                   susceptibility=susceptibility, bold=rng.random() < model.volunteers,
                   naps_per_min=model.naps_per_min * rng.expovariate(1.0),
                   fidget=rng.uniform(0.0, 5.0),
                   diligence=min(1.0, model.participation * rng.uniform(0.97, 1.03)))
