"""The ``assistant-harness`` command line: demo, show, to-scenario, scan, serve."""

from .main import main

__all__ = ["main"]
