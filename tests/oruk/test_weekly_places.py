"""A partner's weekly places on an imported service survive the next import of the feed (no
feed carries them)."""

from __future__ import annotations

from typing import Any

from graph.repo.referrals import set_weekly_places
from graph.repo.services import list_services_by_id
from graph.store import GraphStore
from seed.oruk import import_services
from tests.oruk.conftest import sample_id


def test_a_re_import_keeps_the_weekly_places_a_partner_set(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    import_services(store=store, document=sample)
    lunch_id = sample_id(sample, "Hollins Friendship Lunch Club")
    (lunch,) = list_services_by_id(store=store, service_ids=[lunch_id])
    assert lunch.organization_id is not None and lunch.weekly_places is None
    set_weekly_places(
        store=store, service_id=lunch_id, organization_id=lunch.organization_id, places=4
    )

    report = import_services(store=store, document=sample)

    assert report.total("updated") == 0
    (again,) = list_services_by_id(store=store, service_ids=[lunch_id])
    assert again.weekly_places == 4
