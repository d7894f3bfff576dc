"""The I/O shell: websockets, HTTP, SQLite and timers around the pure engine."""
