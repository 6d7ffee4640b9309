"""Failed sign-in records (graph/repo/sign_ins.py) do not pile up: a record past the quiet
window, which counts for nothing any more, is removed by the next attempt anyone makes, in the
statement that counts it; records inside the window stay, so throttling still holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from graph.repo import sign_ins
from graph.store import GraphStore
from service.accounts import throttle

POLICY = throttle.Policy.of(delay_s=1.0, lock_minutes=15)
T0 = 1_000_000.0


def _attempt(store: GraphStore, account: str, address: str, now: float) -> sign_ins.Attempt:
    return sign_ins.take_attempt(
        store=store,
        account=f"account:{account}",
        address=f"address:{address}",
        now=now,
        account_delays=POLICY.account_delays,
        address_delays=POLICY.address_delays,
        quiet_s=throttle.QUIET_S,
    )


def _records(store: GraphStore) -> dict[str, int]:
    rows = store.run("MATCH (t:SignInThrottle) RETURN t.id AS id, t.failures AS failures")
    return {row["id"]: row["failures"] for row in rows}


def test_records_past_the_window_are_removed_by_the_next_attempt(store: GraphStore) -> None:
    for n in range(3):  # guesses at accounts that do not exist, from one address
        assert _attempt(store, f"nobody{n}@example.org", "10.0.0.1", T0 + n).allowed
    _attempt(store, "recent@example.org", "10.0.0.2", T0 + throttle.QUIET_S - 10)
    assert len(_records(store)) == 6

    later = T0 + throttle.QUIET_S + 5  # the first guesses are past the window, not the recent
    assert _attempt(store, "someone@example.org", "10.0.0.3", later).allowed
    assert _records(store) == {
        "account:recent@example.org": 1,
        "address:10.0.0.2": 1,
        "account:someone@example.org": 1,
        "address:10.0.0.3": 1,
    }


def test_throttling_still_holds_beside_the_clean_up(store: GraphStore) -> None:
    """An account locked after many failures stays locked while others' attempts clear old
    records; once the window has passed it may try again, and its record is fresh."""
    now = T0
    for _ in range(throttle.ACCOUNT_FREE + throttle.GROWING_STEPS):
        attempt = _attempt(store, "target@example.org", "10.0.0.9", now)
        assert attempt.allowed
        now += 16.0  # waits out each growing delay (at most 16 s)
    refused = _attempt(store, "target@example.org", "10.0.0.9", now)
    assert not refused.allowed and refused.wait_s > 60
    for n in range(5):  # others try meanwhile: each attempt cleans up
        _attempt(store, f"other{n}@example.org", f"10.1.0.{n}", now + n)
    still = _attempt(store, "target@example.org", "10.0.0.9", now + 10)
    assert not still.allowed and still.wait_s > 60
    assert (
        _records(store)["account:target@example.org"]
        == throttle.ACCOUNT_FREE + throttle.GROWING_STEPS
    )

    after_window = now + throttle.QUIET_S + 1
    assert _attempt(store, "target@example.org", "10.0.0.9", after_window).allowed
    assert _records(store)["account:target@example.org"] == 1
    assert "account:other0@example.org" not in _records(store)
    assert store.run("MATCH (n) WHERE n._lock IS NOT NULL RETURN count(n) AS n") == [{"n": 0}]


def test_attempts_racing_the_clean_up_are_all_counted(store: GraphStore) -> None:
    """Attempts on an expired record while others' attempts remove expired records: each is
    counted once, none fails (a record is read again under its lock before it goes)."""
    for n in range(6):
        _attempt(store, f"old{n}@example.org", "10.0.0.1", T0)
    later = T0 + throttle.QUIET_S + 5
    keys = [("old0@example.org", f"10.2.0.{n}") for n in range(throttle.ACCOUNT_FREE)]
    keys += [(f"new{n}@example.org", f"10.3.0.{n}") for n in range(10)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        attempts = list(pool.map(lambda key: _attempt(store, *key, later), keys))
    assert all(attempt.allowed for attempt in attempts)
    records = _records(store)
    assert records["account:old0@example.org"] == throttle.ACCOUNT_FREE
    assert not any(
        key.startswith("account:old") and key != "account:old0@example.org" for key in records
    )
