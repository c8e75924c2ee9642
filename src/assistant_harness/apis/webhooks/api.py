"""Webhooks as the fake registers them: no endpoints, one delivery service over every API whose
state announces its objects' ends (a :class:`~..registry.WebhookSource`); listed after them."""

from __future__ import annotations

from ..registry import Api, Context, WebhookSource
from .delivery import Webhooks


def _build(context: Context) -> Webhooks:
    sources = [state for state in context.states.values() if isinstance(state, WebhookSource)]
    return Webhooks(context.clock, context.seed, sources)


API = Api("webhooks", (), _build)
