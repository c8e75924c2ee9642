"""Every API the fake serves, as one endpoint index (each API declares its own ``ENDPOINTS``)."""

from __future__ import annotations

from ..http.routing import EndpointIndex
from .assistants.endpoints import ENDPOINTS as ASSISTANTS
from .conversations.endpoints import ENDPOINTS as CONVERSATIONS_ENDPOINTS
from .files.endpoints import ENDPOINTS as FILES
from .responses.endpoints import ENDPOINTS as RESPONSES_ENDPOINTS
from .vector_stores.endpoints import ENDPOINTS as VECTOR_STORES

#: One index over every API's endpoints: add an API's ``ENDPOINTS`` here.
INDEX = EndpointIndex((*ASSISTANTS, *FILES, *VECTOR_STORES, *RESPONSES_ENDPOINTS, *CONVERSATIONS_ENDPOINTS))
#: The names of the Responses API's endpoints (their handlers read the fake's ``responses`` store).
RESPONSES = frozenset(e.name for e in RESPONSES_ENDPOINTS)
#: Endpoints whose handlers take the backend itself (``responses``, ``conversations``), not the
#: Assistants store.
ON_BACKEND = RESPONSES | frozenset(e.name for e in CONVERSATIONS_ENDPOINTS)
#: The first path segment of every served endpoint (what the interception routes claim).
SERVED_ROOTS = INDEX.roots
