"""An older import path of the Hypothesis strategies, kept so code written against it still runs.

The documented one is :mod:`assistant_harness.testing.strategies` (and, for background responses,
:mod:`assistant_harness.testing.response_strategies`).
"""

from .testing.strategies import *  # noqa: F403
from .testing.strategies import __all__ as __all__
