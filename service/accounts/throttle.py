"""How often someone may try to sign in: per account (the email tried, whether or not it has an
account) and per client address, counted in the store (graph/repo/sign_ins.py) so that every
worker and every server sharing the store counts the same attempts.

An attempt counts as failed until its password proves right. After ``FREE`` failures each
further attempt waits longer since the one before (1, 2, 4, 8, 16 s): the sign-in answers after
that wait (``SLOW_DOWN_MAX_S``). After ``LOCK_AFTER`` failures the account or address is locked
for ``LOCK_S`` after each further failure, and an attempt meanwhile is refused at once with "Too
many attempts, try again in N minutes". ``QUIET_S`` without an attempt forgets the failures. An
address gets more free failures than an account (many people may share one address).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACCOUNT_FREE = 5
ADDRESS_FREE = 30
GROWING_S = [1.0, 2.0, 4.0, 8.0, 16.0]
LOCK_S = 15 * 60.0
QUIET_S = 60 * 60.0
SLOW_DOWN_MAX_S = GROWING_S[-1]
ACCOUNT_DELAYS = [0.0] * ACCOUNT_FREE + GROWING_S + [LOCK_S]
ADDRESS_DELAYS = [0.0] * ADDRESS_FREE + GROWING_S + [LOCK_S]
LOCK_AFTER_ACCOUNT = len(ACCOUNT_DELAYS) - 1


@dataclass(frozen=True)
class Keys:
    """The throttle's keys for one attempt."""

    account: str
    address: str


def keys_for(email: str, address: str | None) -> Keys:
    return Keys(
        account=f"account:{email.strip().lower()}", address=f"address:{address or 'unknown'}"
    )


def too_many(wait_s: float) -> str:
    """What someone refused for now is told, in whole minutes (at least one)."""
    minutes = max(1, math.ceil(wait_s / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts, try again in {minutes} {unit}."
