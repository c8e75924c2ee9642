"""The ``assistant-harness`` command."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant-harness",
        description="Test OpenAI Assistants API code offline: a fake backend, cassettes and scenarios.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the tutorials' assistant flow against the fake and narrate it")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="assistant_harness.demo")
            return run_demo()
    return 2  # pragma: no cover  (argparse rejects unknown commands)


if __name__ == "__main__":
    sys.exit(main())
