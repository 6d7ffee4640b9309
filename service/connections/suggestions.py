"""Link-worker connections: local services and groups that fit a person (``suggestConnections``).

The ranking, filters and reasons are ``service.connections.reasons`` (personalised PageRank over
``graph.analytics``'s connection graph, then the person's filters). The projection is cached per
store; anything that changes a person's interests, relationships or referrals must call
``connections_changed`` so the next suggestion sees it: ``referToService`` and ``updateReferral``
(an attended referral lifts similar services and shows to people who know the person; declined
halves that service's score for the person, not suitable removes it), person and service edits,
a logged visit, an erasure. The person's plan re-ranks the result
(``service.plans.feedback``): a goal achieved at a group lifts groups of its kind, a dropped one
takes that group out and says why beside how far the others are.

A caller that names what changed (``people=``, ``volunteers=``, ``services=``) has the cached
projection patched: only those nodes are read again, in milliseconds, where reading the whole
projection takes seconds on a borough. A caller that names nothing has it dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from graph.analytics import PERSON, connection_graph, patch_connection_graph
from graph.models import Referral, ReferralStatus
from graph.repo.errors import NotFound
from graph.repo.referrals import (
    create_referral,
    list_referrals_with_services,
    update_referral_status,
)
from graph.store.port import GraphStore
from service.connections.reasons import (
    DECLINE_WORDS,
    DECLINED_BEFORE,
    Cost,
    ServiceMatch,
    Suggestion,
    SuggestionFilters,
    find_services,
    service_kinds,
    suggest_services,
)
from service.plans.feedback import plan_feedback, with_plan_feedback

MAX_SUGGESTIONS = 50
SERVICE_DECLINED = "the service declined a referral here"


def suggest_connections(
    *,
    store: GraphStore,
    person_id: str,
    first: int = 5,
    filters: SuggestionFilters | None = None,
) -> list[Suggestion]:
    """Up to ``first`` services for the person, best first; ``NotFound`` if there is no person.

    Without ``filters``: within ``reasons.DEFAULT_MAX_KM`` km, any day and time, any
    cost, and meeting every access need recorded on the person.
    """
    if not 1 <= first <= MAX_SUGGESTIONS:
        raise ValueError(f"first: expected 1..{MAX_SUGGESTIONS}, got {first}")
    if filters is not None and filters.max_km is not None and filters.max_km <= 0:
        raise ValueError(f"max_km: expected a distance above 0 km, got {filters.max_km}")
    graph = connection_graph(store=store)
    if (PERSON, person_id) not in graph:
        # Added since the projection was read? Read them before saying no.
        connections_changed(store=store, people=[person_id])
        graph = connection_graph(store=store)
        if (PERSON, person_id) not in graph:
            raise NotFound("Person", person_id)
    feedback = plan_feedback(store=store, person_id=person_id)
    wanted = first + len(feedback.dropped)  # the dropped groups are taken out after ranking
    found = suggest_services(graph, person_id, first=wanted, filters=filters)
    if any(DECLINED_BEFORE in s.reasons for s in found):
        found = _with_decline_reasons(store=store, person_id=person_id, suggestions=found)
    me = graph.nodes[(PERSON, person_id)]
    home = (me["lat"], me["lon"]) if me.get("lat") is not None else None
    ranked = with_plan_feedback(store=store, suggestions=found, feedback=feedback, home=home)
    return ranked[:first]


def _with_decline_reasons(
    *, store: GraphStore, person_id: str, suggestions: list[Suggestion]
) -> list[Suggestion]:
    """Say why the organisation offering a service declined the person's referral there, when
    it gave a reason (the latest decline's), in place of ``DECLINED_BEFORE``."""
    why: dict[str, str] = {}
    for row in list_referrals_with_services(store=store, person_id=person_id):
        referral = row["r"]
        if referral.get("status") == "declined" and referral.get("decline_reason"):
            words = DECLINE_WORDS.get(referral["decline_reason"], referral["decline_reason"])
            note = referral.get("decline_note")
            why[referral["service_id"]] = f"{SERVICE_DECLINED}: {words}" + (
                f" ({note})" if note else ""
            )
    return [
        replace(
            s,
            reasons=tuple(
                why.get(s.service_id, r) if r == DECLINED_BEFORE else r for r in s.reasons
            ),
        )
        for s in suggestions
    ]


def search_services(
    *,
    store: GraphStore,
    person_id: str,
    name: str = "",
    kind: str = "",
    day: int | None = None,
    max_km: float | None = None,
    max_cost: Cost = "paid",
    first: int = 20,
) -> tuple[list[ServiceMatch], list[str]]:
    """The directory's services that match (``reasons.find_services``), and every kind of
    service there is; ``NotFound`` if there is no such person."""
    graph = connection_graph(store=store)
    if (PERSON, person_id) not in graph:
        connections_changed(store=store, people=[person_id])
        graph = connection_graph(store=store)
        if (PERSON, person_id) not in graph:
            raise NotFound("Person", person_id)
    found = find_services(
        graph,
        person_id,
        name=name,
        kind=kind,
        day=day,
        max_km=max_km,
        max_cost=max_cost,
        first=first,
    )
    return found, service_kinds(graph)


def refer_to_service(*, store: GraphStore, referral: Referral) -> Referral:
    """Record a referral (``referToService``); the service drops out of the person's suggestions."""
    created = create_referral(store=store, referral=referral)
    connections_changed(store=store, people=[created.person_id])
    return created


def record_referral_outcome(
    *,
    store: GraphStore,
    referral_id: str,
    status: ReferralStatus,
    at: datetime,
    note: str | None = None,
) -> Referral:
    """Record how a referral turned out (``updateReferral``); later rankings use it at once."""
    updated = update_referral_status(
        store=store, referral_id=referral_id, status=status, at=at, note=note
    )
    connections_changed(store=store, people=[updated.person_id])
    return updated


def connections_changed(
    *,
    store: GraphStore,
    people: Iterable[str] = (),
    volunteers: Iterable[str] = (),
    services: Iterable[str] = (),
) -> None:
    """Say that interests, relationships, referrals or places in ``store`` changed, and where.

    Name every person, volunteer and service whose own links or properties the write changed
    (the person of a referral, the person whose interests changed, either end of a KNOWS edge,
    the person erased, a service created or edited); the projection is then patched. With no
    names it is dropped and read again by the next suggestion.
    """
    patch_connection_graph(store=store, people=people, volunteers=volunteers, services=services)
