"""A cached connection graph patched after a change equals one read afresh.

A small borough with two areas, people with shared and unique interests, KNOWS edges both ways
and from volunteers, and referrals with every outcome. Each kind of change is written with the
repository functions, announced with the ids a caller knows (``patch_connection_graph``), and
then the patched projection must equal a fresh ``load_connection_graph``: the same nodes and
edges with the same attributes, the same personalised PageRank, and the same suggestions (ranking
and reasons) and isolation for everyone.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

from graph.analytics import (
    PEOPLE_NODES,
    PERSON,
    VOLUNTEER,
    connection_graph,
    isolation,
    load_connection_graph,
    patch_connection_graph,
    personalised_pagerank,
)
from graph.models import Knows, Person, ReferralStatus, Service
from graph.repo.erasure import erase_person
from graph.repo.oruk import upsert_services
from graph.repo.people import create_person, get_person, update_person
from graph.repo.referrals import create_referral, update_referral_status
from graph.repo.volunteers import create_volunteer
from graph.store.port import GraphStore
from seed.oruk import upsert_row
from service.connections.reasons import SuggestionFilters, suggest_services
from service.connections.suggestions import refer_to_service, suggest_connections
from tests.factories import (
    NOW,
    make_area,
    make_interest,
    make_person,
    make_referral,
    make_service,
    make_volunteer,
)
from tests.world import save, saved, stored

Change = dict[str, list[str]]  # the ids announced: people=, volunteers=, services=

PEOPLE: list[dict[str, Any]] = [
    {"id": "maud", "area_id": "dalston", "interests": ["gardening"], "access_needs": ["step_free"],
     "lat": 51.545, "lon": -0.062},
    {"id": "alf", "area_id": "dalston", "interests": ["walking"], "lat": 51.547, "lon": -0.062},
    {"id": "edna", "area_id": "wick", "interests": ["gardening", "chess"], "lat": 51.546,
     "lon": -0.03},
    {"id": "nell", "area_id": "wick", "interests": ["knitting"], "lat": 51.544, "lon": -0.031},
    {"id": "bert", "interests": ["singing", "birdwatching"], "lat": 51.55, "lon": -0.05},
]  # fmt: skip
SERVICES: list[dict[str, Any]] = [
    {"id": "garden", "name": "Garden club", "category": "gardening_group", "area_id": "dalston",
     "interests": ["gardening"], "cost": "free", "lat": 51.548, "lon": -0.061},
    {"id": "walk", "name": "Walking group", "category": "walking_group", "area_id": "dalston",
     "interests": ["walking"], "cost": "free", "lat": 51.549, "lon": -0.06},
    {"id": "chess", "name": "Chess club", "category": "chess_club", "interests": ["chess"],
     "cost": "low", "lat": 51.546, "lon": -0.04},
    {"id": "choir", "name": "Choir", "category": "choir", "area_id": "wick",
     "interests": ["singing"], "lat": 51.545, "lon": -0.035},
    {"id": "knit", "name": "Knit and natter", "category": "craft_group", "area_id": "wick",
     "interests": ["knitting"], "cost": "free", "lat": 51.545, "lon": -0.033},
    {"id": "garden2", "name": "Allotment society", "category": "gardening_group",
     "interests": ["gardening"], "lat": 51.56, "lon": -0.05},
    {"id": "phone", "name": "Phone friends", "category": "befriending", "lat": None,
     "lon": None, "schedules": [], "cost": "free"},
]  # fmt: skip
REFERRALS: list[tuple[str, str, ReferralStatus]] = [
    ("alf", "walk", "attended"),
    ("edna", "garden", "attended"),
    ("edna", "chess", "made"),
    ("nell", "choir", "declined"),
    ("bert", "knit", "not_suitable"),
    ("maud", "garden2", "declined"),
    ("maud", "phone", "made"),
]


def refer(store: GraphStore, person_id: str, service_id: str, status: ReferralStatus) -> None:
    referral_id = f"r-{person_id}-{service_id}"
    referral = make_referral(id=referral_id, person_id=person_id, service_id=service_id)
    create_referral(store=store, referral=referral)
    if status != "made":
        update_referral_status(store=store, referral_id=referral_id, status=status, at=NOW)


def person_named(store: GraphStore, person_id: str) -> Person:
    person = get_person(store=store, person_id=person_id)
    assert person is not None
    return person


def knows(store: GraphStore, from_id: str, to_id: str, strength: float, **extra: Any) -> None:
    kind = "volunteer" if from_id.startswith("v-") else extra.pop("kind", "neighbour")
    link = Knows(from_id=from_id, to_id=to_id, kind=kind, strength=strength, **extra)
    save(store, link)


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    for area in ("dalston", "wick"):
        saved(store, make_area(id=area, name=area.title()))
    for name in ("gardening", "walking", "chess", "singing", "knitting", "birdwatching", "poetry"):
        saved(store, make_interest(id=name, name=name.title()))
    for fields in PEOPLE:
        create_person(store=store, person=make_person(first_name=fields["id"].title(), **fields))
    for volunteer_id in ("v-sam", "v-kit", "v-new"):
        create_volunteer(store=store, volunteer=make_volunteer(id=volunteer_id))
    for fields in SERVICES:
        saved(store, make_service(**fields))
    knows(store, "alf", "maud", 0.6)
    knows(store, "maud", "alf", 0.3, kind="friend")  # both ways: the stronger one counts
    knows(store, "edna", "nell", 0.5, last_seen=NOW)
    knows(store, "nell", "edna", 0.5, kind="friend")  # as strong: the one seen lately counts
    knows(store, "bert", "edna", 0.2)
    knows(store, "v-sam", "maud", 0.6, last_seen=NOW)
    knows(store, "v-kit", "nell", 0.4)
    for person_id, service_id, status in REFERRALS:
        refer(store, person_id, service_id, status)
    return store


# --- the changes, each written as its caller writes it, with the ids that caller knows ---------


def referral_made(store: GraphStore) -> Change:
    refer(store, "maud", "walk", "made")
    return {"people": ["maud"]}


def referral_attended(store: GraphStore) -> Change:
    update_referral_status(store=store, referral_id="r-maud-garden2", status="attended", at=NOW)
    return {"people": ["maud"]}


def referral_not_suitable(store: GraphStore) -> Change:
    update_referral_status(store=store, referral_id="r-nell-choir", status="not_suitable", at=NOW)
    return {"people": ["nell"]}


def interests_area_and_place_changed(store: GraphStore) -> Change:
    # Birdwatching was Bert's alone: its hub goes; nobody had poetry: its hub comes.
    bert = person_named(store, "bert")
    moved = bert.model_copy(
        update={"interests": ["poetry", "walking"], "area_id": "dalston", "lat": 51.546}
    )
    update_person(store=store, person=moved)
    return {"people": ["bert"]}


def access_needs_changed(store: GraphStore) -> Change:
    maud = person_named(store, "maud")
    update_person(store=store, person=maud.model_copy(update={"access_needs": []}))
    return {"people": ["maud"]}


def people_meet(store: GraphStore) -> Change:
    knows(store, "nell", "maud", 0.9, kind="friend")
    return {"people": ["maud"]}  # one end is enough


def visit_logged(store: GraphStore) -> Change:
    knows(store, "v-sam", "maud", 0.8, visits=2, last_seen=NOW)
    return {"volunteers": ["v-sam"]}


def first_visit_of_a_volunteer(store: GraphStore) -> Change:
    knows(store, "v-new", "alf", 0.2, visits=1, last_seen=NOW)
    return {"people": ["alf"]}


def person_erased(store: GraphStore) -> Change:
    # Nell: known by Edna and (only) by v-kit, referred to the choir, alone in liking knitting.
    erase_person(store=store, person_id="nell", requested_by="u-admin", at=NOW)
    return {"people": ["nell"]}


def newcomer_knows_someone(store: GraphStore) -> Change:
    # Ivy is not in the cached projection; naming Alf must bring her in, as a fresh read does.
    ivy = make_person(id="ivy", first_name="Ivy", interests=["poetry"], lat=51.548, lon=-0.06)
    create_person(store=store, person=ivy)
    knows(store, "ivy", "alf", 0.7)
    return {"people": ["alf"]}


def service_created(store: GraphStore) -> Change:
    poems = make_service(
        id="poems", name="Poetry circle", category="reading_group", area_id="dalston",
        interests=["poetry", "gardening"], cost="free", lat=51.546, lon=-0.061,
    )  # fmt: skip
    saved(store, poems)
    return {"services": ["poems"]}


def service_changed(store: GraphStore) -> Change:
    """An import of the services' feed changes the walk's interests, area and cost."""
    walk = stored(store, Service, "walk")
    assert walk is not None
    changes = {"interests": ["walking", "gardening"], "area_id": "wick", "cost": "paid"}
    upsert_services(store=store, rows=[upsert_row(walk.model_copy(update=changes))])
    return {"services": ["walk"]}


def referral_to_a_new_service(store: GraphStore) -> Change:
    lunch = make_service(id="lunch", name="Lunch club", interests=["gardening"], lat=51.546)
    saved(store, lunch)
    refer(store, "edna", "lunch", "attended")
    return {"people": ["edna"]}


CHANGES: list[Callable[[GraphStore], Change]] = [
    referral_made,
    referral_attended,
    referral_not_suitable,
    interests_area_and_place_changed,
    access_needs_changed,
    people_meet,
    visit_logged,
    first_visit_of_a_volunteer,
    person_erased,
    newcomer_knows_someone,
    service_created,
    service_changed,
    referral_to_a_new_service,
]


# --- comparing a patched projection with a fresh one -------------------------------------------


def picture(graph: nx.Graph) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Every node and edge with its attributes, in no particular order (a deep copy)."""
    nodes = {node: copy.deepcopy(data) for node, data in graph.nodes(data=True)}
    edges = {frozenset((a, b)): dict(data) for a, b, data in graph.edges(data=True)}
    return nodes, edges


def people(graph: nx.Graph) -> list[str]:
    return sorted(node[1] for node in graph if node[0] == PERSON)


def assert_same_as_fresh(patched: nx.Graph, store: GraphStore) -> None:
    fresh = load_connection_graph(store=store)
    assert picture(patched) == picture(fresh)
    anyone = SuggestionFilters(max_km=None, access_needs=frozenset())
    for person_id in people(fresh):
        restart = {(PERSON, person_id): 1.0}
        ours, theirs = (
            personalised_pagerank(patched, restart),
            personalised_pagerank(fresh, restart),
        )
        assert ours.keys() == theirs.keys()
        assert [ours[node] for node in theirs] == pytest.approx(list(theirs.values()), abs=1e-12)
        for filters in (None, anyone):
            found = suggest_services(patched, person_id, first=10, filters=filters)
            assert found == suggest_services(fresh, person_id, first=10, filters=filters)
        mine = isolation(patched, person_id, now=NOW)
        them = isolation(fresh, person_id, now=NOW)
        assert (mine.contacts, mine.active_contacts, mine.groups) == (
            them.contacts,
            them.active_contacts,
            them.groups,
        )
        assert mine.strength == pytest.approx(them.strength)  # summed in another order


def prime(store: GraphStore) -> nx.Graph:
    """The cached projection, with its random walk built (as after a first suggestion)."""
    graph = connection_graph(store=store)
    suggest_services(graph, "maud")
    return graph


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_patched_projection_equals_a_fresh_one(
    world: GraphStore, change: Callable[[GraphStore], Change]
) -> None:
    before = prime(world)
    untouched = picture(before)
    announced = change(world)
    assert patch_connection_graph(store=world, **announced)
    patched = connection_graph(store=world)
    assert patched is not before
    assert picture(patched) != untouched  # the change shows
    assert picture(before) == untouched  # readers of the old projection saw nothing move
    assert_same_as_fresh(patched, world)


def test_every_change_one_after_another(world: GraphStore) -> None:
    prime(world)
    for change in CHANGES:
        assert patch_connection_graph(store=world, **change(world)), change.__name__
        assert_same_as_fresh(connection_graph(store=world), world)


def test_a_referral_shows_at_once_without_reading_the_projection_again(world: GraphStore) -> None:
    def ids(person_id: str) -> list[str]:
        found = suggest_connections(store=world, person_id=person_id, first=10)
        return [s.service_id for s in found]

    assert "walk" in ids("maud")
    assert "garden" in ids("alf")
    # Written behind the use-case's back, and not announced: a projection read again would see
    # it, a patched one (only Maud read again) does not.
    refer(world, "alf", "garden", "not_suitable")
    refer_to_service(
        store=world, referral=make_referral(id="r-new", person_id="maud", service_id="walk")
    )
    assert "walk" not in ids("maud")  # waiting to hear back: not suggested again
    assert "garden" in ids("alf")


def test_unannounced_changes_drop_the_projection(world: GraphStore) -> None:
    before = prime(world)
    assert not patch_connection_graph(store=world)
    assert connection_graph(store=world) is not before


def test_nobody_to_patch_keeps_the_projection(world: GraphStore) -> None:
    before = prime(world)
    assert patch_connection_graph(store=world, people=["nobody"])
    assert connection_graph(store=world) is before


def test_a_new_person_is_patched_in_for_their_first_suggestion(world: GraphStore) -> None:
    before = prime(world)
    create_person(store=world, person=make_person(id="june", interests=["knitting"], lat=51.545))
    found = suggest_connections(store=world, person_id="june", first=1)
    assert found[0].service_id == "knit"
    patched = connection_graph(store=world)
    assert (PERSON, "june") in patched and (PERSON, "june") not in before
    assert_same_as_fresh(patched, world)


def test_nodes_of_each_kind_are_patched(world: GraphStore) -> None:
    prime(world)
    visit_logged(world)
    patch_connection_graph(store=world, volunteers=["v-sam"])
    edge = connection_graph(store=world).edges[(VOLUNTEER, "v-sam"), (PERSON, "maud")]
    assert edge["strength"] == pytest.approx(0.8)
    service_changed(world)
    patch_connection_graph(store=world, services=["walk"])
    assert_same_as_fresh(connection_graph(store=world), world)


class WriteDuringRead:
    """The real store, with one more write (and its announcement) made while the projection is
    being read: right after the first statement of ``load_connection_graph`` answers. That is
    the interleaving two threads can produce, made without threads."""

    def __init__(self, store: GraphStore, write: Callable[[WriteDuringRead], None]) -> None:
        self.store, self.write, self.backend = store, write, store.backend
        self.armed = False

    def run(self, query: str, params: Any = None, *, write: bool = True) -> list[dict[str, Any]]:
        rows = self.store.run(query, params, write=write)
        if self.armed and query == PEOPLE_NODES:
            self.armed = False
            self.write(self)
        return rows

    def ensure_schema(self) -> None:
        self.store.ensure_schema()

    def close(self) -> None:
        self.store.close()


def test_a_change_announced_during_the_read_is_patched_in(world: GraphStore) -> None:
    # People are read first, so the read itself misses Maud's new access needs.
    def change_maud(store: WriteDuringRead) -> None:
        patch_connection_graph(store=store, **access_needs_changed(store.store))

    racing = WriteDuringRead(world, change_maud)
    racing.armed = True
    graph = connection_graph(store=racing)
    assert graph.nodes[(PERSON, "maud")]["access_needs"] == frozenset()
    assert connection_graph(store=racing) is graph  # kept
    assert_same_as_fresh(graph, world)


def test_a_change_not_described_during_the_read_is_not_kept(world: GraphStore) -> None:
    def change_maud(store: WriteDuringRead) -> None:
        access_needs_changed(store.store)
        patch_connection_graph(store=store)

    racing = WriteDuringRead(world, change_maud)
    racing.armed = True
    missed = connection_graph(store=racing)
    assert missed.nodes[(PERSON, "maud")]["access_needs"] == {"step_free"}  # read before
    again = connection_graph(store=racing)
    assert again is not missed
    assert again.nodes[(PERSON, "maud")]["access_needs"] == frozenset()
