"""Telling listeners when objects end, at the virtual moment they end even if nobody polls them.

A store that announces its objects' ends (webhooks listen) mixes this in: it keeps ``clock``,
``end_listeners`` and ``sync(state)``, and calls :meth:`_arm` for each object it starts or moves
by a request. Only once a listener watches does any object set a clock alarm, so a fake without
webhooks does no extra work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .clock import VirtualClock
from .lifecycle import Progress

#: Told ``(event type, object id, virtual time)`` when an object ends.
EndListener = Callable[[str, str, float], None]


class _Tracked(Protocol):
    @property
    def progress(self) -> Progress: ...


class Announcer:
    """The alarms of a store whose objects end on the clock (see the module's docstring)."""

    clock: VirtualClock
    end_listeners: list[EndListener]

    def sync(self, state: Any) -> None:
        raise NotImplementedError

    def tracked(self) -> Iterable[_Tracked]:
        """Every object that may still end."""
        raise NotImplementedError

    def watch(self, listener: EndListener) -> None:
        """Call ``listener`` when each object ends, at the virtual moment it ends even if nobody
        polls it: from now on every unfinished object sets a clock alarm."""
        self.end_listeners.append(listener)
        if len(self.end_listeners) == 1:
            for state in list(self.tracked()):
                self._arm(state)

    def _arm(self, state: _Tracked) -> None:
        if not self.end_listeners:
            return
        due = state.progress.next_change()
        if due is not None:  # None: held until an event (a cancel, a resume)
            self.clock.call_at(due, functools.partial(self._wake, state))

    def _wake(self, state: _Tracked) -> None:
        self.sync(state)
        self._arm(state)
