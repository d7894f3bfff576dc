"""The pure core: vocabulary, wire codec, authorization, events, rooms and the engine.

Nothing here does I/O or knows a clock: time is an argument, so the whole core is tested
without a server and replays its own log. `tests/test_architecture.py` keeps it so.
"""
