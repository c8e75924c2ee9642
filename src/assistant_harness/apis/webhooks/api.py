"""Webhooks as the fake registers them: no endpoints, one delivery service over every API whose
state announces its objects' ends (a :class:`~..registry.WebhookSource`); listed after them."""

from __future__ import annotations

from ..registry import Api, Context, WebhookSource
from .delivery import Webhooks


def _build(context: Context) -> Webhooks:
    # A class attribute, read cheaply (isinstance on a runtime protocol costs ~50 us a state per fake).
    sources: list[WebhookSource] = [s for s in context.states.values() if hasattr(type(s), "webhook_events")]
    return Webhooks(context.clock, context.seed, sources)


API = Api("webhooks", (), _build)
