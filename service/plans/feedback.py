"""What a person's plan tells the suggestions: a goal achieved at a group lifts groups of the
same kind, an activity dropped (its goal dropped, with the reason in the person's words) takes
that group out and, for groups of the same kind, shows the reason beside how far each is.

``with_plan_feedback`` re-ranks a list of suggestions (``service.connections.reasons``) for the
person; ``service.connections.suggestions`` calls it on every suggestion request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from graph.repo import plans as plans_repo
from graph.repo import services as services_repo
from graph.store.port import GraphStore
from service.connections.reasons import Suggestion
from solver.geography import distance_km

ACHIEVED_LIFT = 1.5
FARTHER_THAN_DROPPED = 0.5  # a group of the same kind no nearer than the one dropped


@dataclass(frozen=True)
class PlanFeedback:
    """Groups whose goal was achieved and dropped (service id -> the person's reason)."""

    achieved: frozenset[str]
    dropped: dict[str, str]


def plan_feedback(*, store: GraphStore, person_id: str) -> PlanFeedback:
    """The person's achieved and dropped goals' groups, over all their plans."""
    achieved: set[str] = set()
    dropped: dict[str, str] = {}
    for record in plans_repo.plans_of_person(store=store, person_id=person_id):
        for goal in record.goals:
            for activity in goal.activities:
                if activity.service_id is None:
                    continue
                if goal.status == "achieved":
                    achieved.add(activity.service_id)
                elif goal.status == "dropped":
                    dropped[activity.service_id] = goal.status_reason or "it was not for you"
    return PlanFeedback(achieved=frozenset(achieved), dropped=dropped)


def with_plan_feedback(
    *,
    store: GraphStore,
    suggestions: list[Suggestion],
    feedback: PlanFeedback,
    home: tuple[float, float] | None,
) -> list[Suggestion]:
    """``suggestions`` re-ranked by ``feedback``, best first, with the reasons added (``home``:
    where the person lives, to compare distances with a dropped group's)."""
    if not feedback.achieved and not feedback.dropped:
        return suggestions
    ids = sorted({s.service_id for s in suggestions} | feedback.achieved | set(feedback.dropped))
    services = {s.id: s for s in services_repo.list_services_by_id(store=store, service_ids=ids)}

    def km_to(service_id: str) -> float | None:
        found = services.get(service_id)
        if home is None or found is None or found.lat is None or found.lon is None:
            return None
        return distance_km(home[0], home[1], found.lat, found.lon)

    def kind(service_id: str) -> str | None:
        found = services.get(service_id)
        return found.category if found else None

    changed = []
    for suggestion in suggestions:
        if suggestion.service_id in feedback.dropped:
            continue
        score, reasons = suggestion.score, list(suggestion.reasons)
        same = kind(suggestion.service_id)
        for done in sorted(feedback.achieved):
            if done != suggestion.service_id and kind(done) == same:
                score *= ACHIEVED_LIFT
                reasons.insert(0, f"you did what you set out to at {services[done].name}")
                break
        for gone, reason in sorted(feedback.dropped.items()):
            if kind(gone) != same:
                continue
            km, before = suggestion.distance_km, km_to(gone)
            if km is not None and before is not None and km >= before:
                score *= FARTHER_THAN_DROPPED
            where = f"this one is {km:.1f} km away" if km is not None else "this one has no place"
            reasons.insert(0, f"you said {reason} about {services[gone].name}: {where}")
            break
        changed.append(replace(suggestion, score=round(score, 4), reasons=tuple(reasons)))
    return sorted(changed, key=lambda s: -s.score)
