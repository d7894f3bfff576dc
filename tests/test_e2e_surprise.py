"""End to end: a choice poll asking for predictions with the real server, real phones
(some predicting, one old client sending a bare index) and a screen receiving the
surprisingly popular answer next to the majority."""

from __future__ import annotations

import pytest

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import BadValue
from crowd.models.surprise import surprisingly_popular
from tests.support import ServerProcess

OPTIONS = ["Philadelphie", "Harrisburg", "Pittsburgh"]
# (how many phones, their answer): most say Philadelphie and expect the room to agree;
# those who know say Harrisburg and expect to be few.
CROWD = [(12, {"choice": 0, "predicted": [85, 10, 5]}),
         (8, {"choice": 1, "predicted": [70, 25, 5]}),
         (1, 0)]


async def test_phones_predict_and_the_screen_names_the_surprising_answer(
        server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Quiz")
        act = await panel.add_activity(room, kind="choice", predict=True, options=OPTIONS,
                                       prompt="Quelle est la capitale de la Pennsylvanie ?")
        await panel.open(act)
        await panel.project(act)
        async with Screen.connect(server.url, room) as screen:
            for count, value in CROWD:
                for _ in range(count):
                    async with Phone.connect(server.url, room) as phone:
                        assert phone.open_activities()[0]["predict"] is True
                        await phone.respond(act, value)
            async with Phone.connect(server.url, room) as wrong:
                with pytest.raises(BadValue) as refused:
                    await wrong.respond(act, {"choice": 1, "predicted": [50, 30, 10]})
                assert "add up to 100 (they add up to 90)" in str(refused.value)
            frame = await screen.frame_where(lambda f: f.get("n") == 21)
    assert frame["counts"] == [13, 8, 0]
    assert frame["margin"]["leaders"] == [0]  # the majority: Philadelphie
    s = frame["surprise"]
    predicted = [v for count, v in CROWD for _ in range(count) if isinstance(v, dict)]
    model = surprisingly_popular([v["choice"] for v in predicted],
                                 [[p / 100 for p in v["predicted"]] for v in predicted], 3)
    assert s["n"] == 20 and model.answer == 1
    assert s["answer"] == 1 and s["reason"] == "supported"
    assert s["excess"] == pytest.approx(model.excess, abs=1e-4)
