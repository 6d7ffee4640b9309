"""networkx projections of the graph, for what Cypher is not good at (DESIGN.md, "networkx").

**The connection graph** is an undirected, weighted ``nx.Graph`` over people, volunteers,
services, interests and areas, read once with the few ``*_LINKS``/``*_NODES`` statements below.
Nodes are ``(label, id)`` tuples with a ``kind`` attribute; edges carry ``relation`` and
``weight``:

====================  ===========================================  =========================
relation              from the graph                               weight
====================  ===========================================  =========================
interest              ``(Person)-[:INTERESTED_IN]->(Interest)``,   ``INTEREST_WEIGHT`` 1.0
                      ``(Service)-[:OFFERS]->(Interest)``
area                  ``(Person|Service)-[:IN]->(Area)``            ``AREA_WEIGHT`` 0.3
knows                 ``(Person|Volunteer)-[:KNOWS]->(Person)``     strength, at least 0.1
referral              ``(Person)-[:REFERRED_TO {status}]->(...)``  attended 2.0,
                                                                   accepted 1.0, made 0.5
====================  ===========================================  =========================

A declined or "not suitable" referral adds no edge (it must not make the service *more*
reachable); every outcome is kept on the person's node (``referrals``: service -> status, the
one that says most) for the service's suggestion rules.

**Personalised PageRank** (``personalised_pagerank``) from a person (damping 0.85, all restart
mass on the person) is the same fixed point ``nx.pagerank(G, personalization={person: 1})``
computes (``tests/graph/test_analytics.py`` checks they agree). Instead of rebuilding the sparse
matrix for every query as ``nx.pagerank`` does, the row-normalised matrix is built once per
projection and kept on it; each query is then ~50 sparse matrix-vector products over the whole
graph (a few ms for the borough), so no local subgraph approximation is needed. What a
suggestion must fit (distance, days and times, access, cost), how referral outcomes change it
and its reasons in words are the service's rules: ``service/connections/reasons.py``.

**Caching**: ``connection_graph(store=...)`` keeps the projection per store for
``CACHE_SECONDS``. A write that changes interests, relationships, referrals or services should
call ``patch_connection_graph(store=..., people=..., volunteers=..., services=...)`` naming the
nodes whose own links or properties it changed: their neighbourhoods are read again (one small
statement per label, plus any person or service they link to that the projection does not hold
yet) and replace what the cached graph held for them, in a copy, so threads still reading the
old one see no change; the random walk's rows for the nodes whose links changed are rebuilt, not
the whole matrix. A write that cannot say what changed calls ``forget_connection_graph``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse

from graph.models import Schedule
from graph.store.port import GraphStore

NodeKey = tuple[str, str]

PERSON, VOLUNTEER, SERVICE, INTEREST, AREA = "Person", "Volunteer", "Service", "Interest", "Area"

INTEREST_WEIGHT = 1.0
AREA_WEIGHT = 0.3
KNOWS_MIN_WEIGHT = 0.1
KNOWS_DEFAULT_STRENGTH = 0.5
REFERRAL_WEIGHTS: dict[str, float] = {"attended": 2.0, "accepted": 1.0, "made": 0.5}
# When one person has several referrals to one service, the one that says most wins.
REFERRAL_PRECEDENCE = ("attended", "accepted", "made", "not_suitable", "declined")

DAMPING = 0.85
PAGERANK_TOLERANCE = 1.0e-6  # per node, as nx.pagerank
PAGERANK_MAX_ITERATIONS = 100

CACHE_SECONDS = 60.0
ACTIVE_STRENGTH = 0.2
ACTIVE_DAYS = 90

PEOPLE_NODES = """
MATCH (p:Person)
RETURN p.id AS id, p.lat AS lat, p.lon AS lon, p.access_needs AS access_needs,
       p.date_of_birth AS date_of_birth
"""

SERVICE_NODES = """
MATCH (s:Service)
RETURN s.id AS id, s.name AS name, s.category AS category, s.lat AS lat, s.lon AS lon,
       s.schedules AS schedules, s.cost AS cost, s.accessibility AS accessibility,
       s.min_age AS min_age, s.max_age AS max_age, s.access_routes AS access_routes
"""

# Links are returned grouped by interest and by area: the client parses every returned value
# in Python, so fewer values (not fewer rows) is what makes the read fast.
INTEREST_LINKS = """
MATCH (i:Interest)
OPTIONAL MATCH (p:Person)-[:INTERESTED_IN]->(i)
WITH i, collect(p.id) AS people
OPTIONAL MATCH (s:Service)-[:OFFERS]->(i)
RETURN i.id AS id, i.name AS name, people, collect(s.id) AS services
"""

AREA_LINKS = """
MATCH (a:Area)
OPTIONAL MATCH (p:Person)-[:IN]->(a)
WITH a, collect(p.id) AS people
OPTIONAL MATCH (s:Service)-[:IN]->(a)
RETURN a.id AS id, a.name AS name, people, collect(s.id) AS services
"""

# A KNOWS edge of kind 'volunteer' starts at a Volunteer, any other kind at a Person
# (graph/repo/relationships.py), so the kind says which label the start node has.
KNOWS_LINKS = """
MATCH (a)-[k:KNOWS]->(b:Person)
RETURN a.id AS from_id, b.id AS to_id, k.kind AS kind, k.strength AS strength,
       k.last_seen AS last_seen
"""

REFERRAL_LINKS = """
MATCH (p:Person)-[r:REFERRED_TO]->(s:Service)
RETURN p.id AS person_id, s.id AS service_id, r.status AS status
"""


class PersonNotInGraph(LookupError):
    """The projection holds no person with this id (not created yet, or erased)."""

    def __init__(self, person_id: str) -> None:
        super().__init__(f"no Person with id {person_id!r} in the connection graph")
        self.person_id = person_id


# --- building the projection -------------------------------------------------------------------


def load_connection_graph(*, store: GraphStore) -> nx.Graph:
    """Read the graph once and build the weighted connection graph described above."""
    graph = nx.Graph()
    for row in store.run(PEOPLE_NODES, write=False):
        graph.add_node((PERSON, row["id"]), **_person_attributes(row))
    for row in store.run(SERVICE_NODES, write=False):
        graph.add_node((SERVICE, row["id"]), **_service_attributes(row))
    for label, relation, weight, query in (
        (INTEREST, "interest", INTEREST_WEIGHT, INTEREST_LINKS),
        (AREA, "area", AREA_WEIGHT, AREA_LINKS),
    ):
        for row in store.run(query, write=False):
            members = [(PERSON, i) for i in row["people"]] + [(SERVICE, i) for i in row["services"]]
            if not members:
                continue
            hub = (label, row["id"])
            graph.add_node(hub, kind=label, name=row["name"] or row["id"])
            graph.add_edges_from(
                ((member, hub) for member in members), relation=relation, weight=weight
            )
    for row in store.run(KNOWS_LINKS, write=False):
        _add_knows(graph, row)
    for row in store.run(REFERRAL_LINKS, write=False):
        _add_referral(
            graph, (PERSON, row["person_id"]), (SERVICE, row["service_id"]), row["status"]
        )
    return graph


def _person_attributes(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": PERSON,
        "lat": row["lat"],
        "lon": row["lon"],
        "access_needs": frozenset(row["access_needs"] or ()),
        "date_of_birth": _day(row.get("date_of_birth")),
    }


def _service_attributes(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": SERVICE,
        "name": row["name"],
        "category": row["category"] or "",
        "lat": row["lat"],
        "lon": row["lon"],
        "schedules": _schedules(row["schedules"]),
        "cost": row["cost"] or "free",
        "accessibility": frozenset(row["accessibility"] or ()),
        "min_age": row.get("min_age"),
        "max_age": row.get("max_age"),
        "access_routes": frozenset(row.get("access_routes") or ()),
    }


def _day(stored: Any) -> date | None:
    """A stored ``YYYY-MM-DD`` (or a date the driver gives) as a date; None if unreadable."""
    if isinstance(stored, date):
        return stored
    if isinstance(stored, str):
        try:
            return date.fromisoformat(stored[:10])
        except ValueError:
            return None
    return None


def _schedules(stored: Any) -> tuple[Schedule, ...]:
    if not stored:
        return ()
    values = json.loads(stored) if isinstance(stored, str) else stored
    return tuple(Schedule.model_validate(value) for value in values)


def _knows_ends(row: Mapping[str, Any]) -> tuple[NodeKey, NodeKey]:
    """(start, end) of a KNOWS row: kind ``volunteer`` starts at a Volunteer, any other at a
    Person (graph/repo/relationships.py)."""
    label = VOLUNTEER if row["kind"] == "volunteer" else PERSON
    return (label, row["from_id"]), (PERSON, row["to_id"])


def _knows_edge(row: Mapping[str, Any]) -> dict[str, Any]:
    strength = float(row["strength"] if row["strength"] is not None else KNOWS_DEFAULT_STRENGTH)
    return {
        "relation": "knows",
        "kind": row["kind"] or "friend",
        "strength": strength,
        "last_seen": row["last_seen"],
        "weight": max(strength, KNOWS_MIN_WEIGHT),
    }


def _knows_order(edge: Mapping[str, Any]) -> tuple[float, str, str]:
    """When both directions are stored the edge that sorts last wins: the stronger, then the one
    seen more recently, then by kind (so the result never depends on the order rows come in)."""
    return edge["strength"], edge["last_seen"] or "", edge["kind"]


def _add_knows(graph: nx.Graph, row: Mapping[str, Any]) -> None:
    source, target = _knows_ends(row)
    if source == target or source not in graph and source[0] == PERSON:
        return
    if source not in graph:
        graph.add_node(source, kind=VOLUNTEER)
    edge = _knows_edge(row)
    if graph.has_edge(source, target):
        if _knows_order(edge) <= _knows_order(graph.edges[source, target]):
            return
        graph.remove_edge(source, target)
    graph.add_edge(source, target, **edge)


def _outcome_wins(status: str, than: str | None) -> bool:
    """Whether referral outcome ``status`` wins over ``than`` (REFERRAL_PRECEDENCE)."""
    return than is None or REFERRAL_PRECEDENCE.index(status) < REFERRAL_PRECEDENCE.index(than)


def _add_referral(graph: nx.Graph, person: NodeKey, service: NodeKey, status: str) -> None:
    if person not in graph or service not in graph:
        return
    outcomes: dict[NodeKey, str] = graph.nodes[person].setdefault("referrals", {})
    if not _outcome_wins(status, outcomes.get(service)):
        return
    outcomes[service] = status
    if graph.has_edge(person, service):
        graph.remove_edge(person, service)
    if status in REFERRAL_WEIGHTS:
        graph.add_edge(
            person, service, relation="referral", status=status, weight=REFERRAL_WEIGHTS[status]
        )


# --- the per-store cache -----------------------------------------------------------------------


@dataclass
class _CachedProjection:
    graph: nx.Graph
    loaded_at: float


@dataclass
class _Changes:
    """The changes announced for a store: how many, and the nodes named by the latest ones (None
    for a change that named none). A projection read while changes came in is patched with
    them before it is kept, or not kept if one of them named no nodes or is no longer held."""

    count: int = 0
    recent: deque[frozenset[NodeKey] | None] = field(
        default_factory=lambda: deque(maxlen=CHANGES_KEPT)
    )

    def add(self, nodes: frozenset[NodeKey] | None) -> None:
        self.count += 1
        self.recent.append(nodes)

    def since(self, count: int) -> set[NodeKey] | None:
        """The nodes changed since ``count`` changes, or None if that cannot be said."""
        missed = self.count - count
        latest = list(self.recent)[len(self.recent) - missed :] if missed else []
        if missed > len(self.recent) or None in latest:
            return None
        return {node for nodes in latest if nodes is not None for node in nodes}


CHANGES_KEPT = 256
_cache: weakref.WeakKeyDictionary[GraphStore, _CachedProjection] = weakref.WeakKeyDictionary()
_changes: weakref.WeakKeyDictionary[GraphStore, _Changes] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()
_patch_lock = threading.Lock()  # one patch at a time, so two patches never lose one another
_log = logging.getLogger(__name__)


def connection_graph(*, store: GraphStore, max_age_s: float = CACHE_SECONDS) -> nx.Graph:
    """The connection graph of ``store``, read again when older than ``max_age_s`` seconds."""
    with _cache_lock:
        cached = _cache.get(store)
        if cached is not None and time.monotonic() - cached.loaded_at <= max_age_s:
            return cached.graph
        changes = _changes.setdefault(store, _Changes())
        seen = changes.count
    graph = load_connection_graph(store=store)
    loaded_at = time.monotonic()
    with _patch_lock:
        with _cache_lock:
            since, seen = changes.since(seen), changes.count
        if since is None:  # a change the read may have missed, and no way to tell what it was
            return graph
        kept = _patched_or_none(graph, store, since) if since else graph
        with _cache_lock:
            if kept is not None and changes.count == seen:
                _cache[store] = _CachedProjection(graph=kept, loaded_at=loaded_at)
    return graph if kept is None else kept


def forget_connection_graph(*, store: GraphStore) -> None:
    """Drop the cached projection of ``store`` (call after a write that changes connections)."""
    with _cache_lock:
        _cache.pop(store, None)
        _changes.setdefault(store, _Changes()).add(None)


def patch_connection_graph(
    *,
    store: GraphStore,
    people: Iterable[str] = (),
    volunteers: Iterable[str] = (),
    services: Iterable[str] = (),
) -> bool:
    """Bring the cached projection of ``store`` up to date after a write that changed only the
    links or properties of these people, volunteers and services; True if a cached projection
    was patched. Without any id, or when the patch cannot be made, the projection is dropped.

    Each changed node's neighbourhood is read again (``*_NEIGHBOURHOODS``, one statement per
    label) and replaces what the projection held for it, so the result is what a fresh read
    would give (``tests/graph/test_suggest_patch.py`` compares them). The projection other
    threads may be reading is not changed: the patched one replaces it in the cache.
    """
    changed = {(PERSON, i) for i in people}
    changed |= {(VOLUNTEER, i) for i in volunteers} | {(SERVICE, i) for i in services}
    if not changed:
        forget_connection_graph(store=store)
        return False
    with _patch_lock:
        with _cache_lock:
            _changes.setdefault(store, _Changes()).add(frozenset(changed))
            cached = _cache.get(store)
        if cached is None:
            return False
        patched = _patched_or_none(cached.graph, store, changed)
        with _cache_lock:
            if _cache.get(store) is not cached:  # dropped meanwhile
                return False
            if patched is None:
                del _cache[store]
                return False
            _cache[store] = _CachedProjection(graph=patched, loaded_at=cached.loaded_at)
        return True


def _patched_or_none(graph: nx.Graph, store: GraphStore, changed: set[NodeKey]) -> nx.Graph | None:
    try:
        return _patched(graph, store, changed)
    except Exception:  # dropping the projection is always correct, and the write has happened
        _log.exception("patching the connection graph failed; it will be read again")
        return None


# --- patching a cached projection --------------------------------------------------------------

# What the projection takes from one node: its properties and every link it has there. A row
# per node found; OPTIONAL MATCH without a match collects a map of nulls, dropped when read.
PERSON_NEIGHBOURHOODS = """
UNWIND $ids AS wanted
MATCH (p:Person {id: wanted})
OPTIONAL MATCH (p)-[:INTERESTED_IN]->(i:Interest)
WITH p, collect({id: i.id, name: i.name}) AS interests
OPTIONAL MATCH (p)-[:IN]->(a:Area)
WITH p, interests, collect({id: a.id, name: a.name}) AS areas
OPTIONAL MATCH (p)-[k:KNOWS]->(b:Person)
WITH p, interests, areas,
     collect({from_id: p.id, to_id: b.id, kind: k.kind, strength: k.strength,
              last_seen: k.last_seen}) AS knows_out
OPTIONAL MATCH (c)-[j:KNOWS]->(p)
WITH p, interests, areas, knows_out,
     collect({from_id: c.id, to_id: p.id, kind: j.kind, strength: j.strength,
              last_seen: j.last_seen}) AS knows_in
OPTIONAL MATCH (p)-[r:REFERRED_TO]->(s:Service)
RETURN p.id AS id, p.lat AS lat, p.lon AS lon, p.access_needs AS access_needs,
       p.date_of_birth AS date_of_birth, interests, areas, knows_out + knows_in AS knows,
       collect({person_id: p.id, service_id: s.id, status: r.status}) AS referrals
"""

SERVICE_NEIGHBOURHOODS = """
UNWIND $ids AS wanted
MATCH (s:Service {id: wanted})
OPTIONAL MATCH (s)-[:OFFERS]->(i:Interest)
WITH s, collect({id: i.id, name: i.name}) AS interests
OPTIONAL MATCH (s)-[:IN]->(a:Area)
WITH s, interests, collect({id: a.id, name: a.name}) AS areas
OPTIONAL MATCH (p:Person)-[r:REFERRED_TO]->(s)
RETURN s.id AS id, s.name AS name, s.category AS category, s.lat AS lat, s.lon AS lon,
       s.schedules AS schedules, s.cost AS cost, s.accessibility AS accessibility,
       s.min_age AS min_age, s.max_age AS max_age, s.access_routes AS access_routes, interests,
       areas, collect({person_id: p.id, service_id: s.id, status: r.status}) AS referrals
"""

VOLUNTEER_NEIGHBOURHOODS = """
UNWIND $ids AS wanted
MATCH (v:Volunteer {id: wanted})
OPTIONAL MATCH (v)-[k:KNOWS]->(b:Person)
RETURN v.id AS id,
       collect({from_id: v.id, to_id: b.id, kind: k.kind, strength: k.strength,
                last_seen: k.last_seen}) AS knows
"""

NEIGHBOURHOODS = {
    PERSON: PERSON_NEIGHBOURHOODS,
    SERVICE: SERVICE_NEIGHBOURHOODS,
    VOLUNTEER: VOLUNTEER_NEIGHBOURHOODS,
}
# Reading a node can name people or services the projection does not hold yet (created since
# it was read); they are read too, for this many rounds before the patch gives up.
PATCH_ROUNDS = 3
HUBS = ((INTEREST, "interests", "interest", INTEREST_WEIGHT), (AREA, "areas", "area", AREA_WEIGHT))


@dataclass(frozen=True)
class _Neighbourhood:
    """One node as read again: its attributes and links (hub, hub name, relation, weight)."""

    attributes: dict[str, Any]
    hubs: list[tuple[NodeKey, str, str, float]]
    knows: list[Mapping[str, Any]]
    referrals: list[Mapping[str, Any]]


def _read_neighbourhoods(
    store: GraphStore, nodes: Iterable[NodeKey]
) -> dict[NodeKey, _Neighbourhood | None]:
    """Each node's neighbourhood, or None for a node the graph no longer holds."""
    found: dict[NodeKey, _Neighbourhood | None] = dict.fromkeys(nodes)
    attributes = {PERSON: _person_attributes, SERVICE: _service_attributes}
    for label, query in NEIGHBOURHOODS.items():
        ids = sorted(i for kind, i in found if kind == label)
        if not ids:
            continue
        for row in store.run(query, {"ids": ids}, write=False):
            found[(label, row["id"])] = _Neighbourhood(
                attributes=attributes[label](row) if label in attributes else {"kind": label},
                hubs=[
                    ((hub, link["id"]), link["name"] or link["id"], relation, weight)
                    for hub, column, relation, weight in HUBS
                    for link in row.get(column, ())
                    if link["id"] is not None
                ],
                knows=[k for k in row.get("knows", ()) if None not in (k["from_id"], k["to_id"])],
                referrals=[r for r in row.get("referrals", ()) if r["service_id"] is not None],
            )
    return found


class _ProjectionCopy:
    """A copy of a projection to change. Node and neighbour maps are copied (a node's neighbours
    on its first change), attribute dicts are shared and so only ever replaced: the projection
    copied, which other threads may be reading, never changes."""

    def __init__(self, graph: nx.Graph) -> None:
        self.graph = nx.Graph()
        self.graph.graph.update((k, v) for k, v in graph.graph.items() if k != "_random_walk")
        self.graph._node.update(graph._node)
        self.graph._adj.update(graph._adj)
        self.touched: set[NodeKey] = set()  # nodes whose links changed, or that came or went

    def _neighbours(self, node: NodeKey) -> dict[NodeKey, dict[str, Any]]:
        if node not in self.touched:
            self.graph._adj[node] = dict(self.graph._adj[node])
            self.touched.add(node)
        neighbours: dict[NodeKey, dict[str, Any]] = self.graph._adj[node]
        return neighbours

    def set_node(self, node: NodeKey, attributes: dict[str, Any]) -> None:
        if node not in self.graph._adj:
            self.graph._adj[node] = {}
            self.touched.add(node)
        self.graph._node[node] = attributes

    def remove_node(self, node: NodeKey) -> None:
        self.unlink(node)
        del self.graph._node[node], self.graph._adj[node]
        self.touched.add(node)

    def unlink(self, node: NodeKey) -> None:
        for other in list(self.graph._adj[node]):
            del self._neighbours(node)[other], self._neighbours(other)[node]

    def link(self, a: NodeKey, b: NodeKey, edge: dict[str, Any]) -> None:
        self._neighbours(a)[b] = self._neighbours(b)[a] = edge


def _patched(graph: nx.Graph, store: GraphStore, changed: set[NodeKey]) -> nx.Graph | None:
    """``graph`` with the ``changed`` nodes read again, or None if it cannot be patched."""
    read: dict[NodeKey, _Neighbourhood | None] = {}
    wanted: set[NodeKey] = changed
    for _ in range(PATCH_ROUNDS):
        read |= _read_neighbourhoods(store, wanted)
        wanted = {
            node
            for node in _people_and_services_linked(read.values())
            if node not in graph and node not in read
        }
        if not wanted:
            break
    else:
        return None
    if all(found is None and node not in graph for node, found in read.items()):
        return graph  # nothing to change (asked about someone who is not there)
    edit = _ProjectionCopy(graph)
    patched = edit.graph
    former: set[NodeKey] = set()
    for node in read:
        if node in patched:
            former.update(patched.adj[node])
            edit.unlink(node)
    for node, found in read.items():
        if found is None:
            if node in patched:
                edit.remove_node(node)
        else:
            edit.set_node(node, dict(found.attributes))
    _link_nodes_read_again(edit, read)
    for node in former | read.keys():
        if node in patched and node[0] in (INTEREST, AREA, VOLUNTEER) and not patched.adj[node]:
            edit.remove_node(node)  # a fresh read holds no hub or volunteer without links
    walk: _RandomWalk | None = graph.graph.get("_random_walk")
    if walk is not None and walk.live == graph.number_of_nodes():
        patched.graph["_random_walk"] = _random_walk_patched(walk, patched, edit.touched)
    return patched


def _people_and_services_linked(read: Iterable[_Neighbourhood | None]) -> set[NodeKey]:
    """The people and services the neighbourhoods link to."""
    named: set[NodeKey] = set()
    for found in read:
        if found is not None:
            named.update(end for row in found.knows for end in _knows_ends(row))
            named.update((PERSON, r["person_id"]) for r in found.referrals)
            named.update((SERVICE, r["service_id"]) for r in found.referrals)
    return {node for node in named if node[0] in (PERSON, SERVICE)}


def _link_nodes_read_again(
    edit: _ProjectionCopy, read: Mapping[NodeKey, _Neighbourhood | None]
) -> None:
    """Link the nodes read again as ``load_connection_graph`` links them."""
    patched = edit.graph
    knows: dict[tuple[NodeKey, NodeKey], tuple[NodeKey, dict[str, Any]]] = {}
    outcomes: dict[tuple[NodeKey, NodeKey], str] = {}
    for node, found in read.items():
        if found is None:
            continue
        for hub, name, relation, weight in found.hubs:
            if hub not in patched:
                edit.set_node(hub, {"kind": hub[0], "name": name})
            edit.link(node, hub, {"relation": relation, "weight": weight})
        for row in found.knows:
            source, target = _knows_ends(row)
            pair = (source, target) if source <= target else (target, source)
            edge = _knows_edge(row)
            if node in pair and source != target:
                if pair not in knows or _knows_order(edge) > _knows_order(knows[pair][1]):
                    knows[pair] = (source, edge)
        for row in found.referrals:
            pair = ((PERSON, row["person_id"]), (SERVICE, row["service_id"]))
            if node in pair and _outcome_wins(row["status"], outcomes.get(pair)):
                outcomes[pair] = row["status"]
    for (a, b), (source, edge) in knows.items():
        if any(end not in patched for end in (a, b) if end[0] == PERSON):
            continue  # as a fresh read: no edge to a person it does not hold
        if source not in patched:
            edit.set_node(source, {"kind": VOLUNTEER})
        edit.link(a, b, edge)
    _record_outcomes(edit, read, outcomes)


def _record_outcomes(
    edit: _ProjectionCopy,
    read: Mapping[NodeKey, _Neighbourhood | None],
    outcomes: Mapping[tuple[NodeKey, NodeKey], str],
) -> None:
    """Replace the referral outcomes (node attribute and edges) between the nodes read again."""
    patched = edit.graph
    services = {node for node in read if node[0] == SERVICE}
    held: dict[NodeKey, dict[NodeKey, str]] = {
        node: {} for node in read if node[0] == PERSON and node in patched
    }
    for node, data in patched.nodes(data=True) if services else ():
        known = data.get("referrals")
        if node not in held and known and not services.isdisjoint(known):
            held[node] = {s: status for s, status in known.items() if s not in services}
    for (person, service), status in outcomes.items():
        if person not in patched or service not in patched:
            continue
        if person not in held:
            held[person] = dict(patched.nodes[person].get("referrals", {}))
        held[person][service] = status
        if status in REFERRAL_WEIGHTS:
            edge = {"relation": "referral", "status": status, "weight": REFERRAL_WEIGHTS[status]}
            edit.link(person, service, edge)
    for person, known in held.items():
        attributes = {k: v for k, v in patched.nodes[person].items() if k != "referrals"}
        if known:
            attributes["referrals"] = known
        edit.set_node(person, attributes)


# --- personalised PageRank ---------------------------------------------------------------------


@dataclass(frozen=True)
class _RandomWalk:
    """The graph as a random walk: node order, index, row-stochastic transition matrix and its
    transpose, dead ends, and how many of the nodes are in the graph (a patched walk keeps the
    place of a node that left, with no links, so that no other node moves)."""

    nodes: list[NodeKey]
    index: dict[NodeKey, int]
    transition: Any  # scipy.sparse.csr_array, row-stochastic
    transition_t: Any  # scipy.sparse.csr_array: column-stochastic (transposed row-stochastic)
    dangling: Any  # numpy bool array: nodes with no edges
    live: int


_walk_lock = threading.Lock()


def _random_walk_of(graph: nx.Graph) -> _RandomWalk:
    """The walk of ``graph``, built on first use and kept in ``graph.graph``."""
    with _walk_lock:
        walk: _RandomWalk | None = graph.graph.get("_random_walk")
        if walk is not None and walk.live == graph.number_of_nodes():
            return walk
        nodes = list(graph.nodes)
        matrix = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight="weight", dtype=float)
        out_weight = np.asarray(matrix.sum(axis=1)).ravel()
        inverse = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=out_weight != 0)
        row_stochastic = scipy.sparse.csr_array(scipy.sparse.diags_array(inverse) @ matrix)
        walk = _RandomWalk(
            nodes=nodes,
            index={node: i for i, node in enumerate(nodes)},
            transition=row_stochastic,
            transition_t=scipy.sparse.csr_array(row_stochastic.T),
            dangling=out_weight == 0,
            live=len(nodes),
        )
        graph.graph["_random_walk"] = walk
        return walk


def _random_walk_patched(walk: _RandomWalk, graph: nx.Graph, touched: set[NodeKey]) -> _RandomWalk:
    """``walk`` with the rows of the ``touched`` nodes of (patched) ``graph`` built again."""
    nodes, index = list(walk.nodes), dict(walk.index)
    for node in sorted(touched):
        if node in graph and node not in index:
            index[node] = len(nodes)
            nodes.append(node)
    size, old = len(nodes), walk.transition
    rows, columns, values = [], [], []
    keep = np.ones(size)
    for node in touched:
        if node not in index:
            continue
        keep[index[node]] = 0.0
        links = graph.adj[node] if node in graph else {}
        total = sum(edge["weight"] for edge in links.values())
        for other, edge in links.items():
            rows.append(index[node])
            columns.append(index[other])
            values.append(edge["weight"] / total)
    grown = np.concatenate([old.indptr, np.full(size - old.shape[0], old.indptr[-1])])
    kept = scipy.sparse.diags_array(keep) @ scipy.sparse.csr_array(
        (old.data, old.indices, grown), shape=(size, size)
    )
    fresh = scipy.sparse.csr_array((values, (rows, columns)), shape=(size, size))
    transition = scipy.sparse.csr_array(kept + fresh)
    transition.eliminate_zeros()
    return _RandomWalk(
        nodes=nodes,
        index=index,
        transition=transition,
        transition_t=scipy.sparse.csr_array(transition.T),
        dangling=np.diff(transition.indptr) == 0,
        live=graph.number_of_nodes(),
    )


def personalised_pagerank(
    graph: nx.Graph, restart: Mapping[NodeKey, float], *, damping: float = DAMPING
) -> dict[NodeKey, float]:
    """PageRank with all restart (and dead-end) mass on ``restart``, as ``nx.pagerank`` does."""
    walk = _random_walk_of(graph)
    size = len(walk.nodes)
    if walk.live == 0:
        return {}
    start = np.zeros(size)
    for node, share in restart.items():
        start[walk.index[node]] = share
    start /= start.sum()
    rank = start.copy()
    for _ in range(PAGERANK_MAX_ITERATIONS):
        previous = rank
        dead_end_mass = previous[walk.dangling].sum()
        rank = damping * (walk.transition_t @ previous + dead_end_mass * start)
        rank += (1.0 - damping) * start
        if np.abs(rank - previous).sum() < walk.live * PAGERANK_TOLERANCE:
            break
    return {walk.nodes[i]: float(rank[i]) for i in np.flatnonzero(rank)}


# --- isolation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Isolation:
    """The size and strength of a person's network.

    ``contacts``: people and volunteers linked by KNOWS; ``active_contacts``: of those, the ones
    with strength at least ``ACTIVE_STRENGTH`` and, where a visit date is known, seen in the last
    ``ACTIVE_DAYS`` days; ``strength``: the sum of active strengths; ``groups``: services the
    person attends.
    """

    contacts: int
    active_contacts: int
    strength: float
    groups: int


def isolation(graph: nx.Graph, person_id: str, *, now: datetime | None = None) -> Isolation:
    """How connected the person is now, from their KNOWS and attended-referral edges."""
    person = (PERSON, person_id)
    if person not in graph:
        raise PersonNotInGraph(person_id)
    since = (now or datetime.now(UTC)) - timedelta(days=ACTIVE_DAYS)
    contacts = active = groups = 0
    strength = 0.0
    for other in graph.neighbors(person):
        edge = graph.edges[person, other]
        if edge["relation"] == "referral" and edge["status"] == "attended":
            groups += 1
        if edge["relation"] != "knows":
            continue
        contacts += 1
        seen = edge["last_seen"]
        recent = seen is None or datetime.fromisoformat(seen) >= since
        if edge["strength"] >= ACTIVE_STRENGTH and recent:
            active += 1
            strength += edge["strength"]
    return Isolation(contacts=contacts, active_contacts=active, strength=strength, groups=groups)
