"""How often someone may try to sign in: per account (the email tried, whether or not it has an
account) and per client address, counted in the store (graph/repo/sign_ins.py) so that every
worker and every server sharing the store counts the same attempts.

An attempt counts as failed until its password proves right. After ``ACCOUNT_FREE`` failures
(``ADDRESS_FREE`` for an address: many people may share one) each further attempt must wait
longer after the one before (``sign_in_delay_s`` doubling, five times: 1, 2, 4, 8, 16 s by
default); the sign-in waits that out itself and then answers. After those, the account or
address is locked for ``sign_in_lock_minutes`` after each further failure, and an attempt
meanwhile is refused at once: "Too many attempts, try again in N minutes". ``QUIET_S`` without an
attempt forgets the failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACCOUNT_FREE = 5
ADDRESS_FREE = 30
GROWING_STEPS = 5
QUIET_S = 60 * 60.0


@dataclass(frozen=True)
class Policy:
    """The waits after each number of failures, for accounts and for addresses."""

    account_delays: list[float]
    address_delays: list[float]
    slow_down_max_s: float  # waits up to this long are waited out; longer ones are a lock

    @classmethod
    def of(cls, *, delay_s: float, lock_minutes: int) -> Policy:
        growing = [delay_s * 2**step for step in range(GROWING_STEPS)]
        lock = [lock_minutes * 60.0]
        return cls(
            account_delays=[0.0] * ACCOUNT_FREE + growing + lock,
            address_delays=[0.0] * ADDRESS_FREE + growing + lock,
            slow_down_max_s=growing[-1],
        )


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
