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

from crowd.clients.swarm.behaviours import BEHAVIOURS, Behaviour, cow_estimates, plan_answers
from crowd.clients.swarm.crowd_model import (
    COW_FILE,
    COW_QUANTILES_LB,
    COW_TRUTH_LB,
    CrowdModel,
    Persona,
    find_crowd_file,
    load_estimates,
)
from crowd.clients.swarm.phones import Swarm, SwarmError, SwarmStats, VirtualPhone

__all__ = ["BEHAVIOURS", "COW_FILE", "COW_QUANTILES_LB", "COW_TRUTH_LB", "Behaviour",
           "CrowdModel", "Persona", "Swarm", "SwarmError", "SwarmStats", "VirtualPhone",
           "cow_estimates", "find_crowd_file", "load_estimates", "plan_answers"]
