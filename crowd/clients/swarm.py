"""A simulated crowd: N virtual phones that speak the public protocol like real ones.

Organisers rehearse a plenary before the audience arrives, and `crowd demo` needs a room
that lives. Each virtual phone is a real websocket client (msgpack) with a persona drawn
from crowd models rather than uniform noise:

- reaction delays are log-normal (most answer within seconds, a long tail is slow);
- option preferences share a crowd-wide component (a room leans somewhere) plus a
  personal one, chosen with a multinomial logit (Gumbel noise);
- temperatures come from a polarised crowd: two camps and a centre;
- estimates are drawn from a real crowd (17,184 guesses of a cow's weight, 2015,
  `crowd/data/cow_guesses_lb.txt`, shipped with crowd), else from its quantiles kept here;
- in a social-influence round (an estimate's `influence_round`, or any activity revealed
  then reopened) a share of the crowd keeps its answer and the rest moves towards what
  the crowd said (Lorenz et al. 2011; Moussaïd et al. 2013);
- volunteers answer criée calls (a few withdraw, some decline);
- phones fall asleep (the socket dies silently) and come back with their device token,
  resending what was not acknowledged.

Everything a phone decides is drawn from a generator seeded by (seed, phone, activity
number, round): the same seed gives the same values, whatever the timing. Behaviours are
small strategies keyed by activity kind (`BEHAVIOURS`); a phone ignores a kind it has no
strategy for, and the server only announces kinds it knows.

    crowd swarm --url http://127.0.0.1:8000 --room KXT4 --phones 500
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection

from crowd.clients.connection import error_from, ws_url
from crowd.errors import CrowdError

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
    candidates += [here.parents[1] / "data" / name,
                   here.parents[3] / "shared" / "data" / name,
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


@dataclass(frozen=True, slots=True)
class Action:
    """One message a phone will send, `delay` seconds (before tempo) after the previous."""

    delay: float
    value: Any = None
    type: str = "respond"
    fields: Mapping[str, Any] | None = None


@dataclass(slots=True)
class Ctx:
    """What a behaviour sees: the activity, the phone, and its seeded generators."""

    activity: Mapping[str, Any]
    persona: Persona
    model: CrowdModel
    rng: random.Random  # this phone, this activity, this round
    crowd: random.Random  # shared by the whole crowd for this activity

    def reaction(self) -> float:
        median = self.model.reaction_median_s * self.persona.speed
        return self.rng.lognormvariate(math.log(max(median, 1e-3)), self.model.reaction_sigma)

    def utilities(self, k: int) -> list[float]:
        """Crowd-wide leaning plus personal taste, one utility per option."""
        shared = [self.crowd.gauss(0.0, 1.0) * self.model.consensus for _ in range(k)]
        return [u + self.rng.gauss(0.0, 1.0) for u in shared]

    def gumbel(self) -> float:
        return -math.log(-math.log(self.rng.random() or 1e-12))


def activity_number(activity_id: str) -> int:
    """`KXT4-3` -> 3: keys the generators so two rooms with one agenda draw the same."""
    try:
        return int(str(activity_id).rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return abs(hash(activity_id)) % 1_000_003


def context(model: CrowdModel, index: int, activity: Mapping[str, Any], round_: int,
            persona: Persona | None = None) -> Ctx:
    number = activity_number(str(activity.get("id", "")))
    return Ctx(activity, persona or Persona.draw(model, index), model,
               random.Random(f"{model.seed}/{index}/{number}/{round_}"),
               random.Random(f"{model.seed}/crowd/{number}"))


# ---------------------------------------------------------------- behaviours by kind


class Behaviour:
    """How a phone answers one kind of activity. Override `answer`, `plan` or `revise`."""

    kinds: ClassVar[tuple[str, ...]] = ()

    def answer(self, ctx: Ctx) -> Any:
        raise NotImplementedError

    def plan(self, ctx: Ctx) -> list[Action]:
        """The first answer after a reaction delay; gestures add moves after it."""
        return [Action(ctx.reaction(), self.answer(ctx))]

    def revise(self, ctx: Ctx, own: Any, snapshot: Mapping[str, Any]) -> Any | None:
        """A new answer after seeing the crowd's (revealed) result, or None to keep."""
        return None

    def second_round(self, ctx: Ctx, own: Any, social: Mapping[str, Any]) -> list[Action]:
        """An influence round: the crowd's first answer is shown, everyone answers again
        (the stubborn repeat themselves; who skipped round 1 guesses, then listens)."""
        if own is None:
            own = self.answer(ctx)
        value = self.revise(ctx, own, social)
        return [Action(ctx.reaction(), own if value is None else value)]


BEHAVIOURS: dict[str, Behaviour] = {}


def behaviour(cls: type[Behaviour]) -> type[Behaviour]:
    """Class decorator: register a strategy for its kinds (a later one replaces it)."""
    instance = cls()
    for kind in cls.kinds:
        BEHAVIOURS[kind] = instance
    return cls


@behaviour
class ChoiceBehaviour(Behaviour):
    kinds = ("choice",)

    def answer(self, ctx: Ctx) -> Any:
        utilities = ctx.utilities(len(ctx.activity["options"]))
        return max(range(len(utilities)), key=lambda i: utilities[i] + ctx.gumbel())

    def revise(self, ctx: Ctx, own: Any, snapshot: Mapping[str, Any]) -> Any | None:
        """Bandwagon: some move to the option the crowd preferred."""
        counts = snapshot.get("counts") or []
        if not counts or ctx.rng.random() >= ctx.persona.susceptibility * 0.6:
            return None
        leader = max(range(len(counts)), key=lambda i: (counts[i], -i))
        return None if leader == own else leader


@behaviour
class ApprovalBehaviour(Behaviour):
    kinds = ("approval",)

    def answer(self, ctx: Ctx) -> Any:
        utilities = ctx.utilities(len(ctx.activity["options"]))
        limit = int(ctx.activity.get("max") or len(utilities))
        threshold = ctx.rng.gauss(0.3, 0.6)
        liked = sorted((i for i, u in enumerate(utilities) if u > threshold),
                       key=lambda i: -utilities[i])[:limit]
        if not liked:
            liked = [max(range(len(utilities)), key=lambda i: utilities[i])]
        return sorted(liked)


@behaviour
class RankingBehaviour(Behaviour):
    kinds = ("ranking",)

    def answer(self, ctx: Ctx) -> Any:
        """Plackett-Luce: utilities plus Gumbel noise, sorted; some rank only their top."""
        utilities = ctx.utilities(len(ctx.activity["options"]))
        noisy = [u + ctx.gumbel() for u in utilities]
        order = sorted(range(len(noisy)), key=lambda i: -noisy[i])
        if ctx.rng.random() < 0.3:
            order = order[: max(1, (len(order) + 1) // 2)]
        return order


@behaviour
class GradesBehaviour(Behaviour):
    kinds = ("grades",)

    def answer(self, ctx: Ctx) -> Any:
        grades = len(ctx.activity.get("grades") or []) or 7
        utilities = ctx.utilities(len(ctx.activity["options"]))
        mood = ctx.rng.gauss(0.0, 0.5)  # some grade everything higher
        top = grades - 1
        return [min(top, max(0, round(top / 2 + (u + mood) * top / 4))) for u in utilities]


@behaviour
class EstimateBehaviour(Behaviour):
    kinds = ("estimate",)

    def answer(self, ctx: Ctx) -> Any:
        return round(draw_estimate(ctx), 2)

    def revise(self, ctx: Ctx, own: Any, snapshot: Mapping[str, Any]) -> Any | None:
        """Compromise towards the revealed median by the phone's susceptibility."""
        median = snapshot.get("median")
        w = ctx.persona.susceptibility
        if median is None or w <= 0.0 or not isinstance(own, int | float):
            return None
        return round(float(own) + w * (float(median) - float(own)), 2)


def draw_estimate(ctx: Ctx) -> float:
    """A guess from the real crowd, rescaled when the activity's bounds call for it."""
    lo, hi = ctx.activity.get("min"), ctx.activity.get("max")
    data = ctx.model.estimates
    draw: Callable[[], float]
    if data:
        source = data
        draw = lambda: source[ctx.rng.randrange(len(source))]  # noqa: E731
        center = _median(data)
    else:
        draw = lambda: sample_quantiles(ctx.rng, COW_QUANTILES_LB)  # noqa: E731
        center = COW_QUANTILES_LB[len(COW_QUANTILES_LB) // 2]
    scale = 1.0
    if lo is not None and hi is not None and not lo <= center <= hi:
        scale = ((lo + hi) / 2) / center  # keep the crowd's shape, move it into the bounds
    x = draw() * scale
    for _ in range(20):  # a guess outside the bounds is not allowed: guess again
        if (lo is None or x >= lo) and (hi is None or x <= hi):
            break
        x = draw() * scale
    if lo is not None:
        x = max(float(lo), x)
    if hi is not None:
        x = min(float(hi), x)
    return x


_COW_CACHE: dict[str, tuple[float, ...] | None] = {}


def cow_estimates() -> tuple[float, ...] | None:
    """The cow data, read once (None if its file was removed)."""
    if "data" not in _COW_CACHE:
        _COW_CACHE["data"] = load_estimates()
    return _COW_CACHE["data"]


_MEDIANS: dict[int, tuple[Sequence[float], float]] = {}


def _median(values: Sequence[float]) -> float:
    """Median of a data set, computed once per data set (phones draw thousands of times)."""
    cached = _MEDIANS.get(id(values))
    if cached is None or cached[0] is not values:
        ordered = sorted(values)
        cached = _MEDIANS[id(values)] = (values, ordered[len(ordered) // 2])
    return cached[1]


@behaviour
class WordsBehaviour(Behaviour):
    kinds = ("words",)

    def answer(self, ctx: Ctx) -> Any:
        """A few words from a vocabulary the room ranks alike (Zipf weights)."""
        vocabulary = list(WORDS)
        ctx.crowd.shuffle(vocabulary)
        weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
        k = ctx.rng.randint(1, int(ctx.activity.get("max_words") or 3))
        chosen: list[str] = []
        while len(chosen) < k:
            word = ctx.rng.choices(vocabulary, weights)[0]
            if word not in chosen:
                chosen.append(word)
        return chosen


def _step(x: float, step: float = 0.05) -> float:
    return round(round(x / step) * step, 4)


class GestureBehaviour(Behaviour):
    """A continuous gesture: a first value, then a few moves while the activity is open."""

    def move(self, ctx: Ctx, value: Any) -> Any:
        return value

    def plan(self, ctx: Ctx) -> list[Action]:
        value = self.answer(ctx)
        actions = [Action(ctx.reaction(), value)]
        moves = int(ctx.rng.expovariate(1.0) * ctx.persona.fidget)
        for _ in range(min(moves, 12)):
            value = self.move(ctx, value)
            actions.append(Action(ctx.rng.lognormvariate(math.log(2.0), 0.6), value))
        return actions


@behaviour
class TemperatureBehaviour(GestureBehaviour):
    kinds = ("temperature",)

    def answer(self, ctx: Ctx) -> Any:
        camp = ctx.persona.camp
        x = ctx.rng.gauss(0.0, 0.22) if camp == 0 else camp * ctx.rng.gauss(0.62, 0.18)
        return _step(min(1.0, max(-1.0, x)))

    def move(self, ctx: Ctx, value: Any) -> Any:
        """A nudge, pulled back towards the phone's camp."""
        home = 0.62 * ctx.persona.camp
        x = value + 0.3 * (home - value) + ctx.rng.gauss(0.0, 0.08)
        return _step(min(1.0, max(-1.0, x)))

    def revise(self, ctx: Ctx, own: Any, snapshot: Mapping[str, Any]) -> Any | None:
        mean = snapshot.get("mean")
        w = ctx.persona.susceptibility / 2  # camps move less than guesses
        if mean is None or w <= 0.0 or not isinstance(own, int | float):
            return None
        return _step(min(1.0, max(-1.0, own + w * (mean - own))))


@behaviour
class WeightingBehaviour(GestureBehaviour):
    kinds = ("weighting",)

    def answer(self, ctx: Ctx) -> Any:
        """A budget spread by taste (Dirichlet around the utilities); some keep points."""
        budget = int(ctx.activity.get("budget") or 100)
        utilities = ctx.utilities(len(ctx.activity["options"]))
        draws = [ctx.rng.gammavariate(math.exp(u), 1.0) for u in utilities]
        spent = budget if ctx.rng.random() < 0.8 else ctx.rng.randint(budget // 2, budget)
        total = sum(draws) or 1.0
        return [math.floor(spent * d / total) for d in draws]

    def move(self, ctx: Ctx, value: Any) -> Any:
        """Move a few points from one option to another."""
        points = list(value)
        give = ctx.rng.randrange(len(points))
        take = ctx.rng.randrange(len(points))
        amount = min(points[give], ctx.rng.randint(1, 10))
        points[give] -= amount
        points[take] += amount
        return points


@behaviour
class OrientationBehaviour(GestureBehaviour):
    kinds = ("orientation",)

    def answer(self, ctx: Ctx) -> Any:
        """Von Mises around a place the phone likes, or around the crowd's direction."""
        places = [p for p in ctx.activity.get("options") or [] if isinstance(p, Mapping)]
        if places:
            utilities = ctx.utilities(len(places))
            best = max(range(len(places)), key=lambda i: utilities[i] + ctx.gumbel())
            mu, kappa = float(places[best]["angle"]), 8.0
        else:
            mu, kappa = ctx.crowd.uniform(0.0, 360.0), 1.5
        angle = math.degrees(ctx.rng.vonmisesvariate(math.radians(mu), kappa)) % 360.0
        return {"angle": round(angle, 1), "strength": round(ctx.rng.betavariate(4.0, 2.0), 2)}

    def move(self, ctx: Ctx, value: Any) -> Any:
        angle = (value["angle"] + ctx.rng.gauss(0.0, 15.0)) % 360.0
        strength = min(1.0, max(0.0, value["strength"] + ctx.rng.gauss(0.0, 0.1)))
        return {"angle": round(angle, 1), "strength": round(strength, 2)}


NICKNAMES = ("Alix", "Bastien", "Chloé", "Dédé", "Inès", "Jo", "Karim", "Léa", "Malo",
             "Nour", "Paulette", "Rémi", "Sacha", "Titouan", "Yasmine", "Zoé")


@behaviour
class CallBehaviour(Behaviour):
    """Criée calls: the bold volunteer (a few withdraw later), some decline, most wait.

    The strategy to adapt if the criée protocol changes: it only builds messages."""

    kinds = ("call",)

    def plan(self, ctx: Ctx) -> list[Action]:
        target: dict[str, Any] = {"call": ctx.activity["id"]}
        if ctx.persona.bold or ctx.rng.random() < 0.02:
            if ctx.activity.get("ask_nickname"):
                target["nickname"] = ctx.rng.choice(NICKNAMES)
            if ctx.activity.get("ask_contact"):
                target["contact"] = f"06 {ctx.rng.randrange(10**8):08d}"
            actions = [Action(ctx.reaction(), type="volunteer", fields=target)]
            if ctx.rng.random() < 0.15:
                actions.append(Action(ctx.rng.lognormvariate(math.log(10.0), 0.5),
                                      type="withdraw", fields={"call": ctx.activity["id"]}))
            return actions
        if ctx.rng.random() < 0.3:
            return [Action(ctx.reaction() * 2, type="decline", fields=target)]
        return []


def plan_answers(model: CrowdModel, index: int, activity: Mapping[str, Any],
                 round_: int = 0, own: Any = None, snapshot: Mapping[str, Any] | None = None,
                 persona: Persona | None = None) -> list[Action]:
    """What phone `index` will send for an activity: pure, no network (tests use it)."""
    strategy = BEHAVIOURS.get(str(activity.get("kind")))
    if strategy is None:
        return []
    ctx = context(model, index, activity, round_, persona)
    if round_ == 0:
        if ctx.rng.random() > ctx.persona.diligence:
            return []
        social = activity.get("social")
        if isinstance(social, Mapping):  # the server's influence round (estimates)
            return strategy.second_round(ctx, own, social)
        return strategy.plan(ctx)
    if snapshot is None:
        return []
    value = strategy.revise(ctx, own, snapshot)
    return [] if value is None else [Action(ctx.reaction(), value)]


# ---------------------------------------------------------------- the phones


@dataclass(slots=True)
class Sample:
    """One input a phone sent, keyed so two runs with one seed can be compared."""

    phone: int
    activity: str
    round: int
    step: int
    type: str
    value: Any
    sent_at: float = 0.0
    status: str = "pending"  # ok, dup, or the error code
    latency_ms: float | None = None

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.phone, activity_number(self.activity), self.round, self.step)


@dataclass(slots=True)
class SwarmStats:
    connected: int = 0
    sent: int = 0
    acked: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    naps: int = 0
    drops: int = 0
    reconnects: int = 0
    connect_failures: int = 0
    unknown_kinds: set[str] = field(default_factory=set)


#: Hello refusals a real phone would simply retry later: the server is full, or this
#: address minted too many devices (a swarm run from another machine than the server's).
RETRY_LATER = frozenset({"full", "rate_limited"})


class SwarmError(RuntimeError):
    """The swarm cannot go on (unknown room, for instance)."""


class VirtualPhone:
    """One simulated participant: connects, answers, naps, comes back, resends."""

    def __init__(self, swarm: Swarm, index: int) -> None:
        self.swarm = swarm
        self.index = index
        self.persona = Persona.draw(swarm.model, index)
        self.life = random.Random(f"{swarm.model.seed}/life/{index}")
        self.device: str | None = None
        self.seq = 0
        self.ws: ClientConnection | None = None
        self.online = asyncio.Event()
        self.outbox = asyncio.Lock()  # keeps seqs in order across resends and new inputs
        self.unacked: dict[int, tuple[bytes, Sample]] = {}
        self.activities: dict[str, Mapping[str, Any]] = {}
        self.results: dict[str, Mapping[str, Any]] = {}
        self.result_version: Counter[str] = Counter()
        self.revised_version: Counter[str] = Counter()
        self.own: dict[str, Any] = {}
        self.rounds: dict[str, int] = {}
        self.plans: dict[str, asyncio.Task[None]] = {}

    # ------------------------------------------------------------ life

    async def live(self, arrival: float) -> None:
        """Arrive, then stay: reconnect after drops (jittered backoff) and after naps."""
        model = self.swarm.model
        await asyncio.sleep(arrival)
        backoff = 0.5
        while True:
            try:
                async with self.swarm.gate:
                    await self._connect()
            except CrowdError as exc:
                if exc.code not in RETRY_LATER:  # unknown room, bad hello: no point retrying
                    self.swarm.fail(f"phone {self.index}: {exc.code}: {exc.message}")
                    return
                self.swarm.stats.refused[exc.code] += 1  # full, or too many new devices
                await asyncio.sleep(backoff * (0.5 + self.life.random()) * 4)
                backoff = min(backoff * 2, 10.0)
                continue
            except (OSError, websockets.WebSocketException, TimeoutError, ValueError):
                self.swarm.stats.connect_failures += 1
                await asyncio.sleep(backoff * (0.5 + self.life.random()))
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            self.swarm.stats.connected += 1
            reader = asyncio.create_task(self._read())
            nap_in = self._next_nap()
            done, _ = await asyncio.wait({reader}, timeout=nap_in)
            self._offline()
            if reader in done:  # dropped by the server or the network
                self.swarm.stats.drops += 1
                await asyncio.sleep(self.life.uniform(0.2, 2.0))
            else:  # asleep: the socket dies without a close frame, as phones do
                if self.ws is not None:
                    self.ws.transport.abort()
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
                self.swarm.stats.naps += 1
                nap = self.life.lognormvariate(math.log(model.nap_median_s), 0.5)
                await asyncio.sleep(nap * model.tempo)
            self.swarm.stats.reconnects += 1

    def _next_nap(self) -> float | None:
        rate = self.persona.naps_per_min
        if rate <= 0:
            return None
        return self.life.expovariate(rate / 60.0) * self.swarm.model.tempo

    def _offline(self) -> None:
        if self.online.is_set():
            self.swarm.stats.connected -= 1
        self.online.clear()

    async def _connect(self) -> None:
        ws = await websockets.connect(ws_url(self.swarm.url), compression=None,
                                      open_timeout=15, ping_interval=None, max_size=2**22)
        try:
            hello = {"v": 1, "t": "hello", "role": "phone", "room": self.swarm.room}
            if self.device:
                hello["device"] = self.device
            await ws.send(msgpack.packb(hello, use_bin_type=True))
            first = await asyncio.wait_for(ws.recv(), 15)
            # A refusal before the hello is read ("server full") comes as JSON text.
            welcome = json.loads(first) if isinstance(first, str) else msgpack.unpackb(
                first, raw=False)
        except BaseException:
            await ws.close()
            raise
        if welcome.get("t") == "error":
            await ws.close()
            raise error_from(welcome)
        self.ws = ws
        self.device = str(welcome["you"]["device"])
        for activity_id, snapshot in (welcome.get("results") or {}).items():
            self._store_result(activity_id, snapshot)
        mine = welcome.get("mine") or {}
        for activity_id, value in mine.items():
            self.own.setdefault(activity_id, value)
        seen = set()
        for activity in welcome.get("activities") or []:
            seen.add(activity["id"])
            self._on_activity(activity)
        for activity_id in list(self.plans):  # closed while we slept
            if activity_id not in seen:
                self._cancel(activity_id)
        async with self.outbox:
            for _, (frame, _sample) in sorted(self.unacked.items()):
                await ws.send(frame)  # same seq: acknowledged again, never applied twice
            self.online.set()

    async def _read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.ws:
                if isinstance(frame, bytes):
                    self._on_message(msgpack.unpackb(frame, raw=False))

    # ------------------------------------------------------------ messages

    def _on_message(self, msg: Mapping[str, Any]) -> None:
        t = msg.get("t")
        if t in ("ack", "error"):
            self._settle(msg)
        elif t == "activity":
            self._on_activity(msg["activity"])
        elif t == "result":
            self._store_result(str(msg["activity"]), msg.get("snapshot") or {})
            self._maybe_revise(str(msg["activity"]))

    def _settle(self, msg: Mapping[str, Any]) -> None:
        entry = self.unacked.pop(msg.get("seq"), None)  # type: ignore[arg-type]
        if msg.get("t") == "error":
            self.swarm.stats.refused[str(msg.get("code"))] += 1
        if entry is None:
            return
        _, sample = entry
        sample.latency_ms = (time.perf_counter() - sample.sent_at) * 1000
        if msg.get("t") == "ack":
            sample.status = "dup" if msg.get("dup") else "ok"
            self.swarm.stats.acked += 1
            if sample.type == "respond":
                self.own[sample.activity] = sample.value
        else:
            sample.status = str(msg.get("code"))

    def _store_result(self, activity_id: str, snapshot: Mapping[str, Any]) -> None:
        self.results[activity_id] = snapshot
        self.result_version[activity_id] += 1

    def _on_activity(self, activity: Mapping[str, Any]) -> None:
        activity_id = str(activity["id"])
        if activity.get("state") == "deleted":
            self._cancel(activity_id)
            self.activities.pop(activity_id, None)
            return
        self.activities[activity_id] = activity
        if activity.get("state") != "open":
            self._cancel(activity_id)
            return
        kind = str(activity.get("kind"))
        if kind not in BEHAVIOURS:
            self.swarm.stats.unknown_kinds.add(kind)
            return
        if activity_id not in self.rounds:
            self.rounds[activity_id] = 0
            if activity_id in self.own:  # answered before a reload: nothing to add
                return
            earlier = self.own.get(str(activity.get("previous")))  # influence rounds
            self._start(activity_id, 0, plan_answers(self.swarm.model, self.index, activity,
                                                     own=earlier, persona=self.persona))
        else:
            self._maybe_revise(activity_id)

    def _maybe_revise(self, activity_id: str) -> None:
        """The social-influence round: the result is shown and the activity open again."""
        activity = self.activities.get(activity_id)
        if (activity is None or activity.get("state") != "open" or not activity.get("revealed")
                or activity_id not in self.own or activity_id in self.plans
                or self.revised_version[activity_id] >= self.result_version[activity_id]):
            return
        self.revised_version[activity_id] = self.result_version[activity_id]
        round_ = self.rounds.get(activity_id, 0) + 1
        self.rounds[activity_id] = round_
        actions = plan_answers(self.swarm.model, self.index, activity, round_,
                               own=self.own[activity_id], snapshot=self.results[activity_id],
                               persona=self.persona)
        self._start(activity_id, round_, actions)

    def _start(self, activity_id: str, round_: int, actions: list[Action]) -> None:
        if actions:
            self.plans[activity_id] = asyncio.create_task(
                self._perform(activity_id, round_, actions))

    def _cancel(self, activity_id: str) -> None:
        task = self.plans.pop(activity_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _perform(self, activity_id: str, round_: int, actions: list[Action]) -> None:
        try:
            for step, action in enumerate(actions):
                await asyncio.sleep(action.delay * self.swarm.model.tempo)
                if self.activities.get(activity_id, {}).get("state") != "open":
                    return
                fields = dict(action.fields or {})
                if action.type == "respond":
                    fields = {"activity": activity_id, "value": action.value}
                sample = Sample(self.index, activity_id, round_, step, action.type,
                                action.value if action.type == "respond" else fields)
                await self._send(action.type, fields, sample)
        finally:
            if self.plans.get(activity_id) is asyncio.current_task():
                del self.plans[activity_id]

    async def _send(self, t: str, fields: Mapping[str, Any], sample: Sample) -> None:
        """Queue an input; it goes out now if online, else on reconnect (a phone's outbox)."""
        async with self.outbox:
            self.seq += 1
            frame = msgpack.packb({"v": 1, "t": t, "seq": self.seq, **fields},
                                  use_bin_type=True)
            sample.sent_at = time.perf_counter()
            self.unacked[self.seq] = (frame, sample)
            self.swarm.samples.append(sample)
            self.swarm.stats.sent += 1
            if self.online.is_set() and self.ws is not None:
                with contextlib.suppress(websockets.ConnectionClosed):
                    await self.ws.send(frame)

    async def close(self) -> None:
        for activity_id in list(self.plans):
            self._cancel(activity_id)
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)


class Swarm:
    """N virtual phones in one room; an async context manager.

        async with Swarm(url, room, 300, CrowdModel(seed=7)) as swarm:
            await swarm.wait_connected()
            ...
        swarm.values()   # {(phone, activity number, round, step): value}
    """

    def __init__(self, url: str, room: str, phones: int, model: CrowdModel | None = None, *,
                 arrival_s: float = 5.0, concurrency: int = 64) -> None:
        self.url = url
        self.room = room
        self.model = model or CrowdModel()
        if self.model.estimates is None:
            self.model.estimates = cow_estimates()
        self.arrival_s = arrival_s
        self.gate = asyncio.Semaphore(concurrency)
        self.stats = SwarmStats()
        self.samples: list[Sample] = []
        self.phones = [VirtualPhone(self, i) for i in range(phones)]
        self.failure: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._failed = asyncio.Event()

    async def __aenter__(self) -> Swarm:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start(self) -> None:
        """Phones arrive over `arrival_s` seconds (scaled by tempo), as a room fills."""
        spread = random.Random(f"{self.model.seed}/arrivals")
        for phone in self.phones:
            arrival = spread.uniform(0.0, self.arrival_s) * self.model.tempo
            self._tasks.append(asyncio.create_task(phone.live(arrival),
                                                   name=f"phone-{phone.index}"))

    def fail(self, reason: str) -> None:
        if self.failure is None:
            self.failure = reason
        self._failed.set()

    async def wait_connected(self, count: int | None = None, timeout: float = 60.0) -> None:
        """Until `count` phones (default all) are online; raises SwarmError on a refusal."""
        target = len(self.phones) if count is None else count
        deadline = time.monotonic() + timeout
        while self.stats.connected < target:
            if self.failure is not None:
                raise SwarmError(self.failure)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.stats.connected}/{target} phones online")
            await asyncio.sleep(0.05)

    async def wait_seen(self, activity: str, round_: int = 0, timeout: float = 30.0) -> None:
        """Until every online phone has planned its answer to an activity (round 0), or
        every phone that answered has reconsidered it after a reveal (round 1, ...)."""

        def behind(p: VirtualPhone) -> bool:
            if not p.online.is_set():
                return False
            if round_ == 0:
                return activity not in p.rounds
            return activity in p.own and p.rounds.get(activity, 0) < round_

        deadline = time.monotonic() + timeout
        while any(behind(p) for p in self.phones):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not every phone reached round {round_} of {activity}")
            await asyncio.sleep(0.02)

    async def settle(self, timeout: float = 30.0) -> None:
        """Until no plan is running and every input sent was answered."""
        deadline = time.monotonic() + timeout
        while any(p.plans or p.unacked for p in self.phones):
            if time.monotonic() > deadline:
                raise TimeoutError("the swarm did not settle")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(p.close() for p in self.phones), return_exceptions=True)
        self._tasks.clear()

    def values(self, activity: str | None = None) -> dict[tuple[int, int, int, int], Any]:
        """What was sent, keyed by (phone, activity number, round, step)."""
        return {s.key: s.value for s in self.samples
                if activity is None or s.activity == activity}

    def latest(self, activity: str) -> dict[int, Any]:
        """Each phone's acknowledged latest answer to an activity."""
        return {p.index: p.own[activity] for p in self.phones if activity in p.own}

    def summary(self) -> str:
        s = self.stats
        refused = ", ".join(f"{n} {code}" for code, n in s.refused.most_common()) or "none"
        return (f"{s.connected}/{len(self.phones)} online · {s.sent} sent · {s.acked} acked · "
                f"refused: {refused} · {s.naps} naps · {s.reconnects} reconnects")


# ---------------------------------------------------------------- the command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--room", required=True, help="room code to join")
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=0.0,
                        help="seconds to stay (default: until Ctrl-C)")
    parser.add_argument("--arrival", type=float, default=10.0,
                        help="seconds over which the phones arrive")
    parser.add_argument("--tempo", type=float, default=1.0,
                        help="multiplies every delay (0.5: a crowd twice as quick)")
    parser.add_argument("--reaction", type=float, default=3.0,
                        help="median seconds before a first answer")
    parser.add_argument("--polarisation", type=float, default=0.7,
                        help="share of the crowd in two camps on temperatures")
    parser.add_argument("--herding", type=float, default=0.45,
                        help="mean weight given to the revealed result in a social round")
    parser.add_argument("--naps", type=float, default=0.05,
                        help="naps per phone per minute (sockets that die silently)")
    parser.add_argument("--estimates", type=Path, default=None,
                        help="a file of real estimates, one a line (default: the cow data)")


def model_from_args(args: argparse.Namespace) -> CrowdModel:
    estimates = load_estimates(args.estimates) if args.estimates else None
    return CrowdModel(seed=args.seed, tempo=args.tempo, reaction_median_s=args.reaction,
                      polarisation=args.polarisation, herding=args.herding,
                      naps_per_min=args.naps, estimates=estimates)


async def _run(args: argparse.Namespace) -> int:
    swarm = Swarm(args.url, args.room.upper(), args.phones, model_from_args(args),
                  arrival_s=args.arrival)
    started = time.monotonic()
    print(f"swarm: {args.phones} phones joining room {args.room.upper()} at {args.url} "
          f"(seed {args.seed}); Ctrl-C stops", flush=True)
    async with swarm:
        while not args.duration or time.monotonic() - started < args.duration:
            await asyncio.sleep(min(5.0, args.duration or 5.0))
            if swarm.failure is not None:
                print(f"swarm: stopped: {swarm.failure}", flush=True)
                return 1
            print(f"[{time.monotonic() - started:6.0f} s] {swarm.summary()}", flush=True)
    print(f"swarm: done. {swarm.summary()}", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("swarm: stopped", flush=True)
        return 0
