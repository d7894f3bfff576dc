"""Test helpers: the real server process comes from the package's launcher."""

from crowd.clients.launcher import ServerProcess, free_port

SECRET = "test-animator-secret"

__all__ = ["SECRET", "ServerProcess", "free_port"]
