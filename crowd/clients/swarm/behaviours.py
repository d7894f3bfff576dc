"""What a simulated phone answers, one small strategy per activity kind (`BEHAVIOURS`).

Every draw comes from a generator seeded by (seed, phone, activity number, round), so the
same seed gives the same answers whatever the timing. A kind with no strategy is ignored.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from crowd.clients.swarm.crowd_model import (
    COW_QUANTILES_LB,
    WORDS,
    CrowdModel,
    Persona,
    load_estimates,
    sample_quantiles,
)


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
        choice = max(range(len(utilities)), key=lambda i: utilities[i] + ctx.gumbel())
        if not ctx.activity.get("predict"):
            return choice
        return {"choice": choice, "predicted": self.predict(ctx, utilities, choice)}

    @staticmethod
    def predict(ctx: Ctx, utilities: list[float], choice: int) -> list[int]:
        """What this person expects of the room: their own tastes spread out (softmax),
        their own answer pulled up (the false-consensus effect), in steps of 5 % adding
        up to 100, as the phone's sliders send."""
        weights = [math.exp(u) for u in utilities]
        total = sum(weights)
        shares = [w / total for w in weights]
        pull = 0.2 + 0.2 * ctx.rng.random()
        shares = [(1 - pull) * x + (pull if i == choice else 0.0) for i, x in enumerate(shares)]
        steps = [int(x * 20) for x in shares]  # twentieths, rounded down...
        order = sorted(range(len(shares)), key=lambda i: -(shares[i] * 20 - steps[i]))
        for i in order[:20 - sum(steps)]:  # ...then the largest remainders
            steps[i] += 1
        return [5 * x for x in steps]

    def revise(self, ctx: Ctx, own: Any, snapshot: Mapping[str, Any]) -> Any | None:
        """Bandwagon: some move to the option the crowd preferred (their prediction
        stays what it was)."""
        counts = snapshot.get("counts") or []
        if not counts or ctx.rng.random() >= ctx.persona.susceptibility * 0.6:
            return None
        leader = max(range(len(counts)), key=lambda i: (counts[i], -i))
        if isinstance(own, Mapping):
            return None if leader == own["choice"] else {**own, "choice": leader}
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
class OpinionBehaviour(Behaviour):
    """Votes on an opinion map's statements one by one, in the phone's own order. Each
    statement divides the camps (the crowd draws which side each camp takes) or is
    shared by all; the centre leans with the crowd, and a persona passes when it feels
    little either way."""

    kinds = ("opinion",)

    def answer(self, ctx: Ctx) -> Any:
        planned = self.plan(ctx)
        return planned[0].value if planned else None

    def plan(self, ctx: Ctx) -> list[Action]:
        count = len(ctx.activity.get("statements") or [])
        # the statements' traits, drawn in their own order: the same for every phone
        traits = [(ctx.crowd.choice((-1.0, 1.0)), ctx.crowd.random() < 0.6,
                   ctx.crowd.uniform(0.3, 1.0)) for _ in range(count)]
        statements = list(range(count))
        ctx.rng.shuffle(statements)
        actions, delay = [], ctx.reaction()
        for index in statements[: max(1, round(count * ctx.persona.diligence))]:
            side, divides, shared = traits[index]  # which camp agrees; or all do
            centre = ctx.rng.gauss(0.0, 0.5)
            lean = side * (ctx.persona.camp or centre) if divides else shared
            feeling = lean + ctx.rng.gauss(0.0, 0.6)
            vote = 0 if abs(feeling) < 0.3 else (1 if feeling > 0 else -1)
            actions.append(Action(delay, {"statement": index, "vote": vote}))
            delay = ctx.rng.uniform(2.0, 6.0)  # reading the next statement
        return actions


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


@behaviour
class ValueScaleBehaviour(Behaviour):
    """Pairwise ratio judgments: the room shares rough values of the items (log-normal
    around each other), each phone sees them through its own noise, and answers a few
    pairs one after the other, rounded as the phone's slider rounds them."""

    kinds = ("value_scale",)

    def plan(self, ctx: Ctx) -> list[Action]:
        k = len(ctx.activity.get("items") or [])
        if k < 2:
            return []
        worth = [ctx.crowd.gauss(0.0, 1.3) for _ in range(k)]  # the room's shared values
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
        chosen = ctx.rng.sample(pairs, min(int(ctx.activity.get("per_phone") or 3), len(pairs)))
        actions = []
        for i, j in chosen:
            a, b = (i, j) if ctx.rng.random() < 0.5 else (j, i)
            ratio = math.exp(worth[a] - worth[b] + ctx.rng.gauss(0.0, 0.45))
            ratio = min(100.0, max(0.01, ratio))
            ratio = _rounded(ratio) if ratio >= 1 else 1 / _rounded(1 / ratio)
            actions.append(Action(ctx.reaction(), {"pair": [a, b], "ratio": ratio}))
        return actions


def _rounded(x: float) -> float:
    """As the phone shows a ratio: whole above 10, one decimal below."""
    return float(round(x)) if x >= 10 else round(x, 1)


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
                 persona: Persona | None = None,
                 shown: Mapping[str, Any] | None = None) -> list[Action]:
    """What phone `index` will send for an activity: pure, no network (tests use it).
    `shown`: what this phone alone is shown in a second round split into arms (its
    `social_info`): round 1's median, or other people's answers, or nothing."""
    strategy = BEHAVIOURS.get(str(activity.get("kind")))
    if strategy is None:
        return []
    ctx = context(model, index, activity, round_, persona)
    if round_ == 0:
        if ctx.rng.random() > ctx.persona.diligence:
            return []
        social = activity.get("social")
        if isinstance(social, Mapping) and activity.get("arms"):  # an experiment's arm
            if shown and "value" in shown:
                social = {"n": shown.get("n"), "median": shown["value"]}
            elif shown and "median" in shown:
                social = shown
            else:
                social = {"n": social.get("n")}  # shown nothing: answers again alone
        if isinstance(social, Mapping):  # the server's influence round (estimates)
            return strategy.second_round(ctx, own, social)
        return strategy.plan(ctx)
    if snapshot is None:
        return []
    value = strategy.revise(ctx, own, snapshot)
    return [] if value is None else [Action(ctx.reaction(), value)]


#: What simulated phones post on a board, by mode (short, plain, in French).
BOARD_TEXTS = {
    "questions": ["Quand ouvre le nouvel atelier ?", "Qui finance le camion commun ?",
                  "Comment rejoindre le groupe d'achat ?", "Où en est la charte ?",
                  "Peut-on visiter le fournil ?"],
    "ideas": ["Un four à pain partagé", "Une cagnotte pour les outils",
              "Un planning commun des livraisons", "Une bourse aux semences",
              "Un atelier de réparation mensuel"],
    "need": ["Cherche un pétrin d'occasion", "Besoin d'une chambre froide l'été",
             "Cherche des fûts pour la bière", "Besoin d'un camion le samedi",
             "Cherche une formation compta"],
    "offer": ["Prête mon pétrin le lundi", "Chambre froide libre en juillet",
              "Fûts de chêne à donner", "Camion disponible le samedi matin",
              "Je forme à la compta des coopératives"],
}


@behaviour
class BoardBehaviour(Behaviour):
    """Posts on a board: about one person in five writes once (the diligent more often),
    a question, an idea, or a need or an offer of one of the board's categories. (Upvotes
    need the posts' ids, which the simulated phones do not follow.)"""

    kinds = ("board",)

    def answer(self, ctx: Ctx) -> Any:
        return None

    def plan(self, ctx: Ctx) -> list[Action]:
        if ctx.rng.random() > 0.2 * ctx.persona.diligence / 0.7:
            return []
        mode = ctx.activity.get("mode") or "questions"
        fields: dict[str, Any] = {"activity": ctx.activity.get("id")}
        if mode == "needs_offers":
            fields["type"] = ctx.rng.choice(("need", "offer"))
            texts = BOARD_TEXTS[fields["type"]]
        else:
            texts = BOARD_TEXTS[mode]
        fields["text"] = ctx.rng.choice(texts)
        categories = ctx.activity.get("categories") or []
        if categories:
            fields["category"] = ctx.rng.choice(categories)
        return [Action(ctx.reaction() * 4, type="post", fields=fields)]
