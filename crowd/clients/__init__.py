"""Python clients of the public protocol: one per role, for tests, scripts and the swarm.

They never import `crowd.server`: they speak only the wire protocol.
"""

from crowd.clients.connection import Closed, Connection, DuplicateInput, error_from, ws_url
from crowd.clients.roles import CallStatus, Panel, Phone, Screen

__all__ = ["CallStatus", "Closed", "Connection", "DuplicateInput", "Panel", "Phone", "Screen",
           "error_from", "ws_url"]
