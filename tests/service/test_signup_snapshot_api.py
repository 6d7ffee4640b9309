"""openVisits and claimVisit through HTTP with the open-visits snapshot on: the statements are
awaited on the server's event loop (``store.arun``), the page is the one the statement path
gives, and a claim won shows at once."""

from __future__ import annotations

import pytest

from tests.service.conftest import Api, World
from tests.service.test_signup import CLAIM, OPEN


def _page(api: Api, token: str) -> list[tuple[str, str, str]]:
    edges = api.data(OPEN, {"first": 50}, token=token)["openVisits"]["edges"]
    return [(e["node"]["id"], e["node"]["start"], e["node"]["area"]) for e in edges]


def test_the_snapshot_page_is_the_statement_page_and_a_claim_shows_at_once(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = world.person("Ann")
    far = world.person("Bea", lat=51.75, lon=-0.06)  # about 22 km north: nobody's
    for day in range(4):
        world.visit(ann, day=day)
    world.visit(far)
    val, pia = world.volunteer("Val"), world.volunteer("Pia")
    val_token, pia_token = world.volunteer_token(val), world.volunteer_token(pia)

    monkeypatch.setattr(api.settings, "open_visits_max_age_s", 0.0)  # the app's own settings
    by_statement = _page(api, val_token)
    monkeypatch.setattr(api.settings, "open_visits_max_age_s", 60.0)
    from_snapshot = _page(api, val_token)

    assert from_snapshot == by_statement
    assert len(from_snapshot) >= 2 and all(
        area == f"Ward {world.tag}" for *_, area in from_snapshot
    )

    claimed = from_snapshot[0][0]
    answer = api.data(CLAIM, {"visitId": claimed}, token=val_token)["claimVisit"]
    assert answer["__typename"] == "VisitClaimed"
    # Within the snapshot's 60 s, the claim won in this process already shows: the visit is
    # gone from both volunteers' pages, and a second claim of it is refused.
    assert claimed not in [visit_id for visit_id, *_ in _page(api, val_token)]
    assert claimed not in [visit_id for visit_id, *_ in _page(api, pia_token)]
    again = api.data(CLAIM, {"visitId": claimed}, token=pia_token)["claimVisit"]
    assert again["__typename"] == "VisitUnavailable"
