"""Cassette record modes: a module of its own so the pytest plugin can list them without importing
the recorder (the plugin loads in every pytest process of a project that installs the harness)."""

from __future__ import annotations

import enum

from ..errors import ConfigurationError


class RecordMode(str, enum.Enum):
    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"

    @classmethod
    def parse(cls, value: str | RecordMode) -> RecordMode:
        if isinstance(value, RecordMode):
            return value
        if value == "rewrite":
            return cls.ALL
        try:
            return cls(value)
        except ValueError:
            raise ConfigurationError(
                f"record_mode {value!r} is not one of none, once, new_episodes, all (or rewrite)"
            ) from None
