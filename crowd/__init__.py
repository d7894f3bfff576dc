"""crowd: LAN-first live crowd sensing and voting.

Phones join a room with a short code, answer express polls and make continuous gestures;
animators drive the room from a panel; projector screens show the crowd think, live.
"""

__version__ = "0.1.0"
