"""``serve`` as a shared service: one world per namespace (``worlds``), the control API under
``/__harness/`` (``control``), and its Python client (``client.HarnessServer``)."""

from __future__ import annotations

from .client import ControlRequestError, HarnessServer

__all__ = ["ControlRequestError", "HarnessServer"]
