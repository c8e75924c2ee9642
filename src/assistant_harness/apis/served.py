"""Every API the fake serves. Adding an API: its folder under ``apis/`` with an :class:`Api`, and one
line here (listed after the APIs whose states it reads; webhooks last, as it listens to them all)."""

from __future__ import annotations

from ..http.routing import EndpointIndex
from .assistants.endpoints import API as ASSISTANTS
from .batches.endpoints import API as BATCHES
from .chat.endpoints import API as CHAT
from .conversations.endpoints import API as CONVERSATIONS
from .embeddings.endpoints import API as EMBEDDINGS
from .files.endpoints import API as FILES
from .fine_tuning.endpoints import API as FINE_TUNING
from .registry import Api
from .responses.endpoints import API as RESPONSES
from .vector_stores.endpoints import API as VECTOR_STORES
from .webhooks.api import API as WEBHOOKS

#: In the order their states are built.
APIS: tuple[Api, ...] = (
    FILES,
    VECTOR_STORES,
    ASSISTANTS,
    CONVERSATIONS,
    RESPONSES,
    CHAT,
    EMBEDDINGS,
    BATCHES,
    FINE_TUNING,
    WEBHOOKS,
)
#: Each API by name (an endpoint's ``api``).
BY_NAME = {api.name: api for api in APIS}
#: One index over every API's endpoints.
INDEX = EndpointIndex(endpoint for api in APIS for endpoint in api.endpoints)
#: The first path segment of every served endpoint (what the interception routes claim).
SERVED_ROOTS = INDEX.roots
