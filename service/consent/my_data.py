"""The person's own view: what is held about them, who looked, who visits, export and erasure.

``held_about`` gathers everything in a few read statements; ``export_json`` is the same as one
JSON document (visit notes and raw check-in answers included: it is their data). Erasure goes
through ``graph.repo.erasure.erase_person`` (one statement); the erasure record names the user
who acted (a coordinator's id, or ``self`` when the person asked through the app, so the record
holds no id of theirs).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from graph.models import (
    AccessLogEntry,
    CheckIn,
    ConsentGrant,
    ErasureRecord,
    Person,
    Referral,
    utc_now,
)
from graph.repo import access_log, erasure
from graph.repo import alerts as alerts_repo
from graph.repo import assignments as assignments_repo
from graph.repo import checkins as checkins_repo
from graph.repo import circles as circles_repo
from graph.repo import consent as grants_repo
from graph.repo import delegations as delegations_repo
from graph.repo import people as people_repo
from graph.repo import plans as plans_repo
from graph.repo import referrals as referrals_repo
from graph.repo import relationships as relationships_repo
from graph.repo.alerts import StoredAlert
from graph.repo.records import from_properties
from graph.store.port import GraphStore
from service.connections.suggestions import connections_changed
from service.consent.policy import purposes_in
from service.visits.open_visits_snapshot import open_visits_changed

ACCESS_LOG_MAX = 500
SELF_REQUEST = "self"
ROLE_WORDS = {
    "coordinator": "coordinator",
    "link_worker": "link worker",
    "volunteer": "volunteer",
    "person": "person",
    "admin": "administrator",
    "partner": "partner",
}


@dataclass(frozen=True)
class HeldGrant:
    grant: ConsentGrant
    grantee_name: str
    recorded_by_name: str | None = None  # staff who recorded it, in words
    made_by_name: str | None = None  # someone acting for the person who made it, in words
    revoked_by_name: str | None = None  # ... who withdrew it for them, in words


@dataclass(frozen=True)
class LoggedAccess:
    entry: AccessLogEntry
    actor: str


@dataclass(frozen=True)
class HeldReferral:
    referral: Referral
    service_name: str | None


@dataclass(frozen=True)
class Held:
    """Everything held about a person that the app shows them."""

    person: Person
    check_ins: list[CheckIn]
    alerts: list[StoredAlert]  # raised by check-ins, with who dealt with them and their note
    referrals: list[HeldReferral]
    grants: list[HeldGrant]
    access_log: list[LoggedAccess]


@dataclass(frozen=True)
class CircleVisit:
    id: str
    week_start: str
    day: int
    start: str | None
    duration_minutes: int
    status: str
    volunteers: list[str]


@dataclass(frozen=True)
class Circle:
    members: list[tuple[str, str | None]]  # (first name, since)
    visits: list[CircleVisit]


def who_in_words(role: str | None, email: str | None, org: str | None) -> str:
    """ "link worker at Befriending Hackney (sam@example.org)"; "a former link worker" once the
    user is gone but their role is known, "a former user" when not even that is."""
    if role is None:
        return "a former user"
    words = ROLE_WORDS.get(role, role)
    if email is None:
        return f"a former {words}"
    at = f" at {org}" if org else ""
    return f"{words}{at} ({email})"


def person_in_words(name: str | None, email: str | None) -> str | None:
    """A person acting for someone, by name and email; None when not a person."""
    return f"{name} ({email})" if name and email else None


def grants_of(*, store: GraphStore, person_id: str) -> list[HeldGrant]:
    """The person's grants (active, expired, revoked), with who they are to."""
    rows = grants_repo.list_grants_with_grantees(store=store, person_id=person_id)
    return [
        HeldGrant(
            grant=from_properties(ConsentGrant, r["g"]),
            grantee_name=r["name"] or who_in_words(r["role"], r["email"], r["org"]),
            recorded_by_name=(
                who_in_words(r["recorder_role"], r["recorder_email"], r["recorder_org"])
                if r["g"].get("recorded_by")
                else None
            ),
            made_by_name=(
                person_in_words(r["recorder_name"], r["recorder_email"])
                or who_in_words(r["recorder_role"], r["recorder_email"], r["recorder_org"])
                if r["g"].get("made_by")
                else None
            ),
            revoked_by_name=(
                person_in_words(r["revoker_name"], r["revoker_email"])
                or who_in_words(r["revoker_role"], r["revoker_email"], None)
                if r["g"].get("revoked_by")
                else None
            ),
        )
        for r in rows
    ]


def access_log_of(
    *, store: GraphStore, person_id: str, first: int = ACCESS_LOG_MAX
) -> list[LoggedAccess]:
    """Who read the person's record, newest first."""
    limit = max(1, min(first, ACCESS_LOG_MAX))
    rows = access_log.list_access_with_actors(store=store, person_id=person_id, limit=limit)
    purposes = {
        g.id: g.purpose for g in grants_repo.list_grants_of_person(store=store, person_id=person_id)
    }
    logged = []
    for r in rows:
        entry = from_properties(AccessLogEntry, r["n"])
        in_words = purposes_in(entry.purpose, purposes)
        logged.append(
            LoggedAccess(
                entry=entry.model_copy(update={"purpose": in_words}),
                actor=who_in_words(r["role"], r["email"], r["org"]),
            )
        )
    return logged


def referrals_of(*, store: GraphStore, person_id: str) -> list[HeldReferral]:
    """The person's referrals with the services' names, oldest first."""
    rows = referrals_repo.list_referrals_with_services(store=store, person_id=person_id)
    return [
        HeldReferral(referral=from_properties(Referral, r["r"]), service_name=r["service_name"])
        for r in rows
    ]


def held_about(*, store: GraphStore, person_id: str) -> Held | None:
    """Everything the app holds about the person, or None if there is no such person."""
    person = people_repo.get_person(store=store, person_id=person_id)
    if person is None:
        return None
    return Held(
        person=person,
        check_ins=checkins_repo.list_checkins_of_person(store=store, person_id=person_id),
        alerts=alerts_repo.list_alerts_of_person(store=store, person_id=person_id),
        referrals=referrals_of(store=store, person_id=person_id),
        grants=grants_of(store=store, person_id=person_id),
        access_log=access_log_of(store=store, person_id=person_id),
    )


def circle_of(*, store: GraphStore, person_id: str, from_week: date) -> Circle:
    """Who visits the person (first names) and their visits from ``from_week`` on."""
    members = circles_repo.list_members_of_circle_of_person(store=store, person_id=person_id)
    rows = assignments_repo.list_circle_visits(
        store=store, person_id=person_id, from_week=from_week.isoformat()
    )
    return Circle(
        members=[(m["first_name"], m["since"]) for m in members],
        visits=[
            CircleVisit(
                id=r["v"]["id"],
                week_start=r["v"]["week_start"],
                day=int(r["v"]["day"]),
                start=r["v"].get("start"),
                duration_minutes=int(r["v"]["duration_minutes"]),
                status=r["v"]["status"],
                volunteers=sorted(n for n in r["volunteers"] if n),
            )
            for r in rows
        ],
    )


def ties_of(*, store: GraphStore, person_id: str) -> list[dict[str, Any]]:
    """Who the record says knows the person (first name, kind), as the export holds them."""
    return relationships_repo.list_known_by(store=store, person_id=person_id)


def interests_of(*, store: GraphStore, person_id: str) -> list[str]:
    """The names of the person's interests."""
    return relationships_repo.list_interest_names(store=store, person_id=person_id)


def export_json(*, store: GraphStore, person_id: str) -> str | None:
    """Everything held about the person as one JSON document, or None without them."""
    held = held_about(store=store, person_id=person_id)
    if held is None:
        return None
    visits = assignments_repo.list_visits_for_export(store=store, person_id=person_id)
    known = ties_of(store=store, person_id=person_id)
    document: dict[str, Any] = {
        "exported_at": utc_now().isoformat(),
        "person": held.person.model_dump(mode="json"),
        "check_ins": [c.model_dump(mode="json") for c in held.check_ins],
        "alerts": [asdict(alert) for alert in held.alerts],
        "referrals": [
            r.referral.model_dump(mode="json") | {"service_name": r.service_name}
            for r in held.referrals
        ],
        "consent_grants": [
            g.grant.model_dump(mode="json") | {"grantee_name": g.grantee_name} for g in held.grants
        ],
        "delegations": [
            dict(r["d"]) | {"delegate_email": r["email"]}
            for r in delegations_repo.list_delegations_of_person(store=store, person_id=person_id)
        ],
        "access_log": [
            e.entry.model_dump(mode="json") | {"actor": e.actor} for e in held.access_log
        ],
        "visits": [
            {
                **{k: v for k, v in r["v"].items() if not k.startswith("_")},
                "volunteers": [a for a in r["assigned"] if a.get("volunteer")],
            }
            for r in visits
        ],
        "known_by": known,
        "plans": [
            {
                **r.plan.model_dump(mode="json"),
                "goals": [g.model_dump(mode="json") for g in r.goals],
                "reviews": [v.model_dump(mode="json") for v in r.reviews],
            }
            for r in plans_repo.plans_of_person(store=store, person_id=person_id)
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, default=str)


def erase(
    *, store: GraphStore, person_id: str, requested_by: str, at: datetime | None = None
) -> ErasureRecord:
    """Erase the person (``graph.repo.erasure``); ``NotFound`` if there is no such person."""
    record = erasure.erase_person(
        store=store, person_id=person_id, requested_by=requested_by, at=at or utc_now()
    )
    connections_changed(store=store, people=[person_id])
    open_visits_changed(store=store)
    return record


@dataclass(frozen=True)
class VisitNote:
    visit_id: str
    week_start: str
    day: int
    volunteer_first_name: str
    note: str
    at: str | None


def visit_notes_of(*, store: GraphStore, person_id: str, first: int = 50) -> list[VisitNote]:
    """Volunteers' notes from the person's visits, newest first."""
    rows = assignments_repo.list_visit_notes(store=store, person_id=person_id, limit=first)
    return [
        VisitNote(
            visit_id=r["visit_id"],
            week_start=r["week_start"],
            day=int(r["day"]),
            volunteer_first_name=r["volunteer_first_name"],
            note=r["note"],
            at=r["at"],
        )
        for r in rows
    ]
