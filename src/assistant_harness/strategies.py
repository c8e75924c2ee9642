"""The public home of the Hypothesis strategies: ``from assistant_harness.strategies import timelines``.

They live in :mod:`assistant_harness.testing.strategies`; this module keeps the documented import path.
"""

from .testing.strategies import *  # noqa: F403
from .testing.strategies import __all__ as __all__
