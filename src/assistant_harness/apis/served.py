"""Every API the fake serves, as one endpoint index (each API declares its own ``ENDPOINTS``)."""

from __future__ import annotations

from ..http.routing import EndpointIndex
from .assistants.endpoints import ENDPOINTS as ASSISTANTS
from .files.endpoints import ENDPOINTS as FILES
from .vector_stores.endpoints import ENDPOINTS as VECTOR_STORES

#: One index over every API's endpoints: add an API's ``ENDPOINTS`` here.
INDEX = EndpointIndex((*ASSISTANTS, *FILES, *VECTOR_STORES))
#: The first path segment of every served endpoint (what the interception routes claim).
SERVED_ROOTS = INDEX.roots
