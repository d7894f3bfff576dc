"""Views: what the core's state looks like to people, built without any server.

Bokeh figures (`charts`), the replay of a room (`timelapse`) and the results and records
files (`exports`). The server and the commands serve them; they never import either.
"""

# charts of kinds that keep theirs in a module of its own register when the views load
from crowd.views import (
    board_chart,  # noqa: F401
    estimate_chart,  # noqa: F401
    opinion_chart,  # noqa: F401
    value_scale_chart,  # noqa: F401
)
