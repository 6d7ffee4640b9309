"""Wall-clock times of day as people write them (``"HH:MM"``) and as minutes after midnight.

The one home of this conversion: the graph's models, the solver and the service import it from
here (``graph`` and ``solver`` may not import each other, so it sits beneath both).
"""

from __future__ import annotations


def minutes_of(clock: str) -> int:
    """Minutes after midnight of a ``"HH:MM"`` time (``"24:00"`` is 1440)."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_of(minutes: int) -> str:
    """The ``"HH:MM"`` text of minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
