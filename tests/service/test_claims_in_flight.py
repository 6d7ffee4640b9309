"""The claims of one visit that arrive while another claim of it is being decided wait for
that answer (service/visits/graphql.py, ``_ClaimsInFlight``): pure asyncio, no server."""

from __future__ import annotations

import asyncio

from service.visits.claims import UNAVAILABLE_MESSAGES, ClaimResult
from service.visits.graphql import _ClaimsInFlight
from tests.loops import in_own_loop

FULL = ClaimResult("claimed", start="10:00", visit={"v": {"volunteers_needed": 1}, "holders": 0})
HALF = ClaimResult("claimed", start="10:00", visit={"v": {"volunteers_needed": 2}, "holders": 0})
NOT_ELIGIBLE = ClaimResult("not_eligible", reasons=["too far"])


async def _race(first_answer: ClaimResult | Exception, waiters: int) -> tuple[list[object], int]:
    """One claim deciding (held until the others wait), ``waiters`` more of the same visit;
    their answers, and how many of the waiters decided for themselves."""
    in_flight = _ClaimsInFlight()
    release = asyncio.Event()
    decided_themselves = 0

    async def first() -> ClaimResult:
        await release.wait()
        if isinstance(first_answer, Exception):
            raise first_answer
        return first_answer

    async def own() -> ClaimResult:
        nonlocal decided_themselves
        decided_themselves += 1
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["taken"])

    deciding = asyncio.create_task(in_flight.claim("visit-1", first))
    await asyncio.sleep(0)  # the first claim is now being decided
    others = [asyncio.create_task(in_flight.claim("visit-1", own)) for _ in range(waiters)]
    elsewhere = asyncio.create_task(in_flight.claim("visit-2", own))  # another visit: no wait
    await elsewhere
    assert decided_themselves == 1
    release.set()
    answers = await asyncio.gather(deciding, *others, return_exceptions=True)
    return list(answers), decided_themselves - 1


def test_claims_that_waited_decide_for_themselves_once_the_first_is_decided() -> None:
    """Whatever the first claim's answer (it filled the visit, the visit's time had passed, the
    visit needs one more, that volunteer was not eligible, it failed), each waiting claim then
    decides for itself -- so a volunteer outside the visit's organisations is told "Not
    allowed", never the first claim's "taken" -- and none decided while the first was deciding
    (``_race`` checks that before it lets the first one answer)."""
    passed = ClaimResult("unavailable", UNAVAILABLE_MESSAGES["passed"])
    for first in (FULL, passed, HALF, NOT_ELIGIBLE, RuntimeError("the graph went away")):
        answers, decided = in_own_loop(_race(first, 4))
        assert decided == 4, first
        assert isinstance(answers[0], RuntimeError) == isinstance(first, Exception)
        assert answers[0] is first or isinstance(first, Exception)
        assert all(
            a == ClaimResult("unavailable", UNAVAILABLE_MESSAGES["taken"]) for a in answers[1:]
        )


def test_a_claim_after_the_decision_decides_for_itself() -> None:
    async def go() -> int:
        in_flight = _ClaimsInFlight()
        calls = 0

        async def decide() -> ClaimResult:
            nonlocal calls
            calls += 1
            return FULL

        await in_flight.claim("visit-1", decide)
        await in_flight.claim("visit-1", decide)  # nothing in flight any more: reads afresh
        return calls

    assert in_own_loop(go()) == 2
