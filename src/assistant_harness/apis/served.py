"""Every API the fake serves, as one endpoint index (each API declares its own ``ENDPOINTS``)."""

from __future__ import annotations

from ..http.routing import EndpointIndex
from .assistants.endpoints import ENDPOINTS as ASSISTANTS

#: One index over every API's endpoints: add an API's ``ENDPOINTS`` here.
INDEX = EndpointIndex((*ASSISTANTS,))
#: The first path segment of every served endpoint (what the interception routes claim).
SERVED_ROOTS = INDEX.roots
