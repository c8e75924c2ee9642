"""Webhooks: the Responses API's events (``response.completed``, ``.failed``, ``.cancelled``,
``.incomplete``) delivered, signed, at the virtual moment a background response ends."""

from .delivery import WebhookDelivery, WebhookEndpoint, Webhooks
from .faults import WebhookFault
from .signing import sign

__all__ = ["WebhookDelivery", "WebhookEndpoint", "WebhookFault", "Webhooks", "sign"]
