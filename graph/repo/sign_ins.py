"""Sign-in attempts, counted per account and per client address in the store (``SignInThrottle``
nodes), so every worker process and every server sharing the store counts the same attempts.

Each node holds ``failures`` (attempts not followed by a success, since the last quiet spell)
and ``last_at`` (epoch seconds of the last attempt). How long an attempt must wait after the
last one, by failures so far, is the caller's policy (``delays``: service/accounts/throttle.py).

A node whose last attempt is more than ``quiet_s`` ago counts for nothing (its failures are
forgotten, just as if it were not there), so each attempt also removes up to ``SWEEP`` such
nodes, in the statement that counts it: nothing to schedule, and it holds for every process
and server sharing the store (the records live there). Each attempt makes at most two nodes and
removes up to ``SWEEP`` expired ones, so expired records cannot pile up while anyone signs in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from graph.store.errors import GraphConstraintError
from graph.store.port import GraphStore

# How many expired nodes one attempt removes at most.
SWEEP = 20

# Take an attempt for both keys at once, or say how long to wait: an attempt counts as a
# failure until ``SIGN_IN_SUCCEEDED`` says otherwise, so concurrent guesses cannot all slip
# through before the first is judged. On Neo4j the write lock on both nodes is taken before
# their counts are read (two concurrent first attempts may both try to create a node: the
# unique id constraint refuses one, and the caller tries again). First, up to $sweep nodes of
# other keys whose last attempt is past the quiet window are removed: each is locked and read
# again before it goes, so one that a concurrent attempt has just counted stays.
TAKE_SIGN_IN_ATTEMPT = """
OPTIONAL MATCH (old:SignInThrottle)
WHERE old.last_at < $now - $quiet_s AND old.id <> $account AND old.id <> $address
WITH old LIMIT $sweep
FOREACH (n IN CASE WHEN old IS NULL THEN [] ELSE [old] END | SET n._lock = $lock)
WITH old, old.last_at < $now - $quiet_s AS expired
FOREACH (n IN CASE WHEN old IS NULL THEN [] ELSE [old] END | REMOVE n._lock)
WITH old WHERE expired
DELETE old
WITH count(old) AS swept
MERGE (a:SignInThrottle {id: $account})
ON CREATE SET a.failures = 0, a.last_at = 0.0
MERGE (b:SignInThrottle {id: $address})
ON CREATE SET b.failures = 0, b.last_at = 0.0
SET a._lock = $lock, b._lock = $lock
WITH a, b,
     CASE WHEN a.last_at < $now - $quiet_s THEN 0 ELSE a.failures END AS af,
     CASE WHEN b.last_at < $now - $quiet_s THEN 0 ELSE b.failures END AS bf
WITH a, b, af, bf,
     a.last_at + $account_delays[CASE WHEN af < size($account_delays) THEN af
                                      ELSE size($account_delays) - 1 END] AS a_next,
     b.last_at + $address_delays[CASE WHEN bf < size($address_delays) THEN bf
                                      ELSE size($address_delays) - 1 END] AS b_next
WITH a, b, af, bf, CASE WHEN a_next > b_next THEN a_next ELSE b_next END AS next_at
FOREACH (_ IN CASE WHEN next_at <= $now THEN [1] ELSE [] END |
  SET a.failures = af + 1, a.last_at = $now, b.failures = bf + 1, b.last_at = $now)
REMOVE a._lock, b._lock
RETURN next_at <= $now AS allowed, next_at - $now AS wait_s
"""

# The password was right: the account starts afresh, and the address forgets this attempt.
SIGN_IN_SUCCEEDED = """
MATCH (a:SignInThrottle {id: $account})
MATCH (b:SignInThrottle {id: $address})
SET a.failures = 0, a.last_at = 0.0,
    b.failures = CASE WHEN b.failures > 0 THEN b.failures - 1 ELSE 0 END
RETURN count(a) AS n
"""


@dataclass(frozen=True)
class Attempt:
    """Whether an attempt may go ahead, and if not how many seconds until one may."""

    allowed: bool
    wait_s: float


def take_attempt(
    *,
    store: GraphStore,
    account: str,
    address: str,
    now: float,
    account_delays: list[float],
    address_delays: list[float],
    quiet_s: float,
) -> Attempt:
    """Count an attempt for ``account`` and ``address`` (keys), or refuse it with the wait;
    records of other keys past the quiet window go (see TAKE_SIGN_IN_ATTEMPT)."""
    params = {
        "account": account,
        "address": address,
        "now": now,
        "account_delays": account_delays,
        "address_delays": address_delays,
        "quiet_s": quiet_s,
        "sweep": SWEEP,
        "lock": secrets.token_hex(4),
    }
    try:
        rows = store.run(TAKE_SIGN_IN_ATTEMPT, params)
    except GraphConstraintError:  # another first attempt created the node meanwhile
        rows = store.run(TAKE_SIGN_IN_ATTEMPT, params)
    return Attempt(allowed=bool(rows[0]["allowed"]), wait_s=max(0.0, float(rows[0]["wait_s"])))


def attempt_succeeded(*, store: GraphStore, account: str, address: str) -> None:
    """Clear the account's failures and take this attempt off the address's."""
    store.run(SIGN_IN_SUCCEEDED, {"account": account, "address": address})
