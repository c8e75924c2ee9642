"""``python -m assistant_harness.cli``: the same as the ``assistant-harness`` command."""

import sys

from .main import main

sys.exit(main())
