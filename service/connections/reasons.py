"""Which local services fit a person, in what order, and why, in words: the link worker's
suggestion rules, over the connection graph of ``graph.analytics``.

Services are ranked by personalised PageRank from the person (``personalised_pagerank``). A
service must fit the person's filters: within ``max_km`` of home (``DEFAULT_MAX_KM`` by default;
a service with no fixed place always passes), at a time they can make, meeting every access
need, at most ``max_cost`` (a service whose directory states no price passes only with
``cost_not_stated``), for the person's age (``fits_age``: a service's minimum and maximum age
against the person's date of birth, when both are known), and, when ``access_routes`` names
some, one a person can get in by that way (a service that does not say how is left out).
Referral outcomes: a service the person already goes to (attended), has a referral waiting for
(made) or accepted, or was found not suitable is not suggested again; one declined (by the
person, or by the organisation offering it as not suitable or for another reason) keeps its
place in the filters but its score is halved (``DECLINED_FACTOR``) and it says so, with the
organisation's reason when it gave one. A service that declined for want of places is suggested
as if never referred. The reasons are read off the graph paths: people they know who go, what
it is, how far and when, shared interests, access, cost and area.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import networkx as nx

import words
from clock import minutes_of
from graph.analytics import (
    AREA,
    INTEREST,
    PERSON,
    SERVICE,
    NodeKey,
    PersonNotInGraph,
    personalised_pagerank,
)
from graph.models import Schedule, Window
from solver.geography import distance_km

Cost = Literal["free", "low", "paid"]
AccessRoute = Literal["drop_in", "self_referral", "professional_referral", "appointment"]

DECLINED_FACTOR = 0.5
DECLINED_BEFORE = "they declined a referral here before"
# Why the offering organisation declined a referral (``Referral.decline_reason``), in words.
DECLINE_WORDS: dict[str, str] = {
    "not_suitable": "not suitable for them",
    "no_places": "no places left",
    "other": "another reason",
}
NOT_SUGGESTED_AGAIN = frozenset({"attended", "accepted", "made", "not_suitable"})
DEFAULT_MAX_KM = 3.0
COST_ORDER: dict[str, int] = {"free": 0, "low": 1, "paid": 2}

DAY_PLURAL = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
DAY_NAME = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ROUTE_WORDS: dict[str, str] = {
    "drop_in": "drop-in",
    "self_referral": "self-referral",
    "professional_referral": "needs a professional referral",
    "appointment": "by appointment",
}


@dataclass(frozen=True)
class SuggestionFilters:
    """What a suggestion must fit. ``None`` means: no limit (``max_km``), any time
    (``can_make``), the person's own recorded access needs (``access_needs``), any way in
    (``access_routes``). ``fits_age``: only services whose ages include the person's;
    ``cost_not_stated``: also services whose directory gives no price. ``today`` is the day
    ages are counted on (None: today)."""

    max_km: float | None = DEFAULT_MAX_KM
    can_make: tuple[Window, ...] | None = None
    access_needs: frozenset[str] | None = None
    max_cost: Cost = "paid"
    cost_not_stated: bool = True
    access_routes: frozenset[AccessRoute] | None = None
    fits_age: bool = True
    today: date | None = None


@dataclass(frozen=True)
class Suggestion:
    """A service for a person, its score (1.0 for the best match) and the reasons, in words
    addressed to the link worker reading them (the person is "they"); ``rank_reason`` says
    why it stands where it does in the list."""

    service_id: str
    name: str
    score: float
    distance_km: float | None
    reasons: tuple[str, ...]
    rank_reason: str = ""


def suggest_services(
    graph: nx.Graph,
    person_id: str,
    *,
    first: int = 5,
    filters: SuggestionFilters | None = None,
) -> list[Suggestion]:
    """The ``first`` best services for the person that pass ``filters``, with reasons."""
    person = (PERSON, person_id)
    if person not in graph:
        raise PersonNotInGraph(person_id)
    filters = filters or SuggestionFilters()
    me = graph.nodes[person]
    needs = me["access_needs"] if filters.access_needs is None else filters.access_needs
    age = age_on(me.get("date_of_birth"), filters.today or date.today())
    outcomes: dict[NodeKey, str] = me.get("referrals", {})
    candidates: list[tuple[NodeKey, float | None, tuple[Schedule, ...]]] = []
    for node, data in graph.nodes(data=True):
        if data["kind"] != SERVICE or outcomes.get(node) in NOT_SUGGESTED_AGAIN:
            continue
        fit = _fits(data, me, filters, needs, age)
        if fit is not None:
            candidates.append((node, *fit))
    if not candidates:
        return []
    rank = personalised_pagerank(graph, {person: 1.0})
    scored = [
        (
            rank.get(node, 0.0) * (DECLINED_FACTOR if outcomes.get(node) == "declined" else 1.0),
            km,
            node,
            times,
        )
        for node, km, times in candidates
    ]
    best = max(score for score, *_ in scored) or 1.0
    # Scores equal to 9 places are a tie: the walk's sums round differently in another node
    # order (a patched projection), and a tie must not then be broken by rounding error.
    scored.sort(key=lambda s: (-round(s[0] / best, 9), math.inf if s[1] is None else s[1], s[2][1]))
    chosen = scored[: max(first, 0)]
    found = []
    above: str | None = None
    for place, (score, km, node, times) in enumerate(chosen):
        name = graph.nodes[node]["name"]
        found.append(
            Suggestion(
                service_id=node[1],
                name=name,
                score=round(score / best, 4),
                distance_km=None if km is None else round(km, 2),
                reasons=_reasons(graph, person, node, km, times, needs, age),
                rank_reason=_rank_reason(graph, person, node, place, above),
            )
        )
        above = name
    return found


def _fits(
    service: Mapping[str, Any],
    person: Mapping[str, Any],
    filters: SuggestionFilters,
    needs: frozenset[str],
    age: int | None,
) -> tuple[float | None, tuple[Schedule, ...]] | None:
    """(distance km or None for no place, the schedules they can make) or None if it fails."""
    if service["cost"] == "not_stated":
        if not filters.cost_not_stated:
            return None
    elif COST_ORDER.get(service["cost"], 2) > COST_ORDER[filters.max_cost]:
        return None
    if filters.fits_age and age is not None and not _age_fits(service, age):
        return None
    routes: frozenset[str] = service.get("access_routes", frozenset())
    if filters.access_routes is not None and not routes & filters.access_routes:
        return None
    if not needs <= service["accessibility"]:
        return None
    km: float | None = None
    if service["lat"] is not None and person["lat"] is not None:
        km = distance_km(person["lat"], person["lon"], service["lat"], service["lon"])
        if filters.max_km is not None and km > filters.max_km:
            return None
    times: tuple[Schedule, ...] = service["schedules"]
    if filters.can_make is not None and times:
        times = tuple(s for s in times if _within_any(s, filters.can_make))
        if not times:
            return None
    return km, times


def age_on(born: date | None, today: date) -> int | None:
    """Age in whole years on ``today`` of someone born on ``born`` (None if not known)."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _age_fits(service: Mapping[str, Any], age: int) -> bool:
    youngest, oldest = service.get("min_age"), service.get("max_age")
    return (youngest is None or age >= youngest) and (oldest is None or age <= oldest)


def ages_in_words(youngest: int | None, oldest: int | None) -> str | None:
    """ "ages 50 and over", "ages 18 to 64", "ages up to 25", or None for no limit."""
    if youngest is not None and oldest is not None:
        return f"ages {youngest} to {oldest}"
    if youngest is not None:
        return f"ages {youngest} and over"
    if oldest is not None:
        return f"ages up to {oldest}"
    return None


def _within_any(schedule: Schedule, windows: Iterable[Window]) -> bool:
    return any(
        w.day == schedule.day
        and minutes_of(w.start) <= minutes_of(schedule.start)
        and minutes_of(schedule.end) <= minutes_of(w.end)
        for w in windows
    )


def _reasons(
    graph: nx.Graph,
    person: NodeKey,
    service: NodeKey,
    km: float | None,
    times: tuple[Schedule, ...],
    needs: frozenset[str],
    age: int | None,
) -> tuple[str, ...]:
    data = graph.nodes[service]
    reasons: list[str] = []
    goers = sum(
        1
        for other in graph.neighbors(person)
        if other[0] == PERSON
        and graph.edges[person, other]["relation"] == "knows"
        and graph.has_edge(other, service)
        and graph.edges[other, service].get("status") == "attended"
    )
    if goers:
        reasons.append(
            f"{goers} {'person' if goers == 1 else 'people'} they know "
            f"{'goes' if goers == 1 else 'go'} here"
        )
    summary = [data["category"].replace("_", " ") or "service"]
    summary.append("no fixed place" if km is None else f"{km:.1f} km")
    summary.extend(_schedule_in_words(s) for s in times[:2])
    reasons.append(", ".join(summary))
    shared = _shared_interests(graph, person, service)
    if shared:
        plural = "interest" if len(shared) == 1 else "interests"
        reasons.append(f"matches their {plural} in {words.joined(shared)}")
    reasons.extend(words.access(need) for need in sorted(needs))
    if data["cost"] == "free":
        reasons.append("free")
    elif data["cost"] == "not_stated":
        reasons.append("cost not stated: check with them")
    ages = ages_in_words(data.get("min_age"), data.get("max_age"))
    if ages is not None and age is not None:
        reasons.append(f"for {ages}")
    routes = [ROUTE_WORDS[r] for r in sorted(data.get("access_routes", ())) if r in ROUTE_WORDS]
    if routes:
        reasons.append(words.joined(routes))
    area = next(
        (a for a in graph.neighbors(person) if a[0] == AREA and graph.has_edge(a, service)), None
    )
    if area is not None:
        reasons.append(f"in their area, {graph.nodes[area]['name']}")
    if graph.nodes[person].get("referrals", {}).get(service) == "declined":
        reasons.append(DECLINED_BEFORE)
    return tuple(reasons)


def _shared_interests(graph: nx.Graph, person: NodeKey, service: NodeKey) -> list[str]:
    return sorted(
        graph.nodes[i]["name"].lower()
        for i in graph.neighbors(person)
        if i[0] == INTEREST and graph.has_edge(i, service)
    )


def _rank_reason(
    graph: nx.Graph, person: NodeKey, service: NodeKey, place: int, above: str | None
) -> str:
    """Why the service stands at ``place`` (0 = first): the walk from the person reaches it
    through these ties (people they know who go, shared interests, their area), and a
    declined referral halves its score."""
    ties = []
    goers = sum(
        1
        for other in graph.neighbors(person)
        if other[0] == PERSON
        and graph.edges[person, other]["relation"] == "knows"
        and graph.has_edge(other, service)
        and graph.edges[other, service].get("status") == "attended"
    )
    if goers:
        ties.append(f"{goers} {'person' if goers == 1 else 'people'} they know")
    shared = _shared_interests(graph, person, service)
    if shared:
        ties.append(f"their {'interest' if len(shared) == 1 else 'interests'} in")
        ties[-1] += f" {words.joined(shared)}"
    if any(a[0] == AREA and graph.has_edge(a, service) for a in graph.neighbors(person)):
        ties.append("their area")
    through = (
        f"through {words.joined(ties)}"
        if ties
        else "nothing ties it to them directly; reached through other people, interests and places"
    )
    declined = (
        "; lowered because they declined a referral here before"
        if graph.nodes[person].get("referrals", {}).get(service) == "declined"
        else ""
    )
    if above is None:
        return f"First: the most closely tied to them, {through}{declined}."
    closeness = "tied to them less closely, " if ties else ""
    return f"Below {above}: {closeness}{through}{declined}."


def _schedule_in_words(schedule: Schedule) -> str:
    if schedule.frequency == "fortnightly":
        return f"every other {DAY_NAME[schedule.day]} {schedule.start}"
    if schedule.frequency == "monthly":
        return f"monthly on a {DAY_NAME[schedule.day]} {schedule.start}"
    return f"{DAY_PLURAL[schedule.day]} {schedule.start}"


@dataclass(frozen=True)
class ServiceMatch:
    """A service found by the link worker's search: its distance from the person's home (None
    without a fixed place or a home) and when it meets, in words."""

    service_id: str
    name: str
    distance_km: float | None
    when: tuple[str, ...]


def service_kinds(graph: nx.Graph) -> list[str]:
    """Every kind (category) of service in the directory, in words, sorted."""
    return sorted(
        {
            data["category"].replace("_", " ")
            for _, data in graph.nodes(data=True)
            if data["kind"] == SERVICE and data["category"]
        }
    )


def find_services(
    graph: nx.Graph,
    person_id: str,
    *,
    name: str = "",
    kind: str = "",
    day: int | None = None,
    max_km: float | None = None,
    max_cost: Cost = "paid",
    first: int = 20,
) -> list[ServiceMatch]:
    """Any service in the directory whose name contains ``name`` (any case), of ``kind``, that
    meets on ``day`` (0 = Monday), within ``max_km`` of the person's home and at most
    ``max_cost``: nearest first, then by name. Unlike suggestions, nothing is left out for the
    person's referrals or access needs: the link worker may refer to anything."""
    person = (PERSON, person_id)
    if person not in graph:
        raise PersonNotInGraph(person_id)
    me = graph.nodes[person]
    wanted_name = name.strip().lower()
    wanted_kind = kind.strip().lower().replace(" ", "_")
    found: list[ServiceMatch] = []
    for node, data in graph.nodes(data=True):
        if data["kind"] != SERVICE:
            continue
        if wanted_name and wanted_name not in (data["name"] or "").lower():
            continue
        if wanted_kind and data["category"] != wanted_kind:
            continue
        if COST_ORDER.get(data["cost"], 2) > COST_ORDER[max_cost]:
            continue
        times: tuple[Schedule, ...] = data["schedules"]
        if day is not None:
            times = tuple(s for s in times if s.day == day)
            if not times:
                continue
        km: float | None = None
        if data["lat"] is not None and me["lat"] is not None:
            km = distance_km(me["lat"], me["lon"], data["lat"], data["lon"])
        if max_km is not None and (km is None or km > max_km):
            continue
        found.append(
            ServiceMatch(
                service_id=node[1],
                name=data["name"],
                distance_km=None if km is None else round(km, 2),
                when=tuple(_schedule_in_words(s) for s in times),
            )
        )
    found.sort(key=lambda m: (math.inf if m.distance_km is None else m.distance_km, m.name))
    return found[: max(first, 0)]
