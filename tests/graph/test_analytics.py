"""The connection graph, personalised PageRank and isolation measures on Maud's small borough
(``tests/small_borough.py``)."""

from __future__ import annotations

from datetime import timedelta

import networkx as nx
import pytest

from graph.analytics import PERSON, SERVICE, isolation, personalised_pagerank
from graph.repo.people import create_person
from graph.repo.volunteers import create_volunteer
from graph.store.port import GraphStore
from tests.factories import NOW, make_person, make_volunteer
from tests.small_borough import Borough, north, small_borough


@pytest.fixture
def borough(store: GraphStore) -> Borough:
    return small_borough(store)


def test_projection_holds_the_graph_edges_with_their_weights(borough: Borough) -> None:
    borough.knows("alf", "maud", strength=0.6)
    borough.refer("alf", "walk", "attended")
    graph = borough.graph()
    maud, alf = (PERSON, "maud"), (PERSON, "alf")
    assert graph.edges[maud, ("Interest", "gardening")]["relation"] == "interest"
    assert graph.edges[maud, ("Area", "dalston")]["weight"] == pytest.approx(0.3)
    assert graph.edges[maud, alf]["weight"] == pytest.approx(0.6)
    assert graph.edges[alf, (SERVICE, "walk")] == {
        "relation": "referral",
        "status": "attended",
        "weight": 2.0,
    }
    assert graph.nodes[(SERVICE, "chess")]["cost"] == "low"


def test_pagerank_agrees_with_networkx(borough: Borough) -> None:
    borough.knows("alf", "maud", strength=0.6)
    borough.refer("alf", "walk", "attended")
    graph = borough.graph()
    maud = {(PERSON, "maud"): 1.0}
    ours = personalised_pagerank(graph, maud)
    # Same start as ours, so unreachable nodes hold no leftover of a uniform start.
    theirs = nx.pagerank(graph, personalization=maud, nstart=maud, weight="weight")
    for node, value in theirs.items():
        assert ours.get(node, 0.0) == pytest.approx(value, abs=1e-5)


def test_attending_lifts_where_fellow_members_also_go(borough: Borough) -> None:
    create_person(store=borough.store, person=make_person(id="edna", **north(0.3)))
    borough.refer("edna", "garden", "attended")
    borough.refer("edna", "chess", "attended")

    def chess_score() -> float:
        rank = personalised_pagerank(borough.graph(), {(PERSON, "maud"): 1.0})
        return rank[(SERVICE, "chess")]

    before = chess_score()
    borough.refer("maud", "garden", "attended")  # now Maud and Edna both go to the garden club
    assert chess_score() > before


def test_isolation_counts_active_contacts_and_groups(borough: Borough) -> None:
    now = NOW
    assert isolation(borough.graph(), "maud", now=now).contacts == 0
    borough.knows("alf", "maud", strength=0.6)
    borough.refer("maud", "garden", "attended")
    create_person(store=borough.store, person=make_person(id="bert", **north(0.4)))
    borough.knows("bert", "maud", strength=0.1)  # too weak to count as active
    for volunteer_id in ("v-old", "v-new"):
        create_volunteer(store=borough.store, volunteer=make_volunteer(id=volunteer_id))
    borough.knows("v-old", "maud", strength=0.7, last_seen=NOW - timedelta(days=300))
    borough.knows("v-new", "maud", strength=0.4, last_seen=NOW - timedelta(days=3))
    measured = isolation(borough.graph(), "maud", now=now)
    assert measured.contacts == 4
    assert measured.active_contacts == 2
    assert measured.strength == pytest.approx(1.0)
    assert measured.groups == 1
