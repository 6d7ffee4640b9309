"""Erasure: the person's node, check-ins, grants, referrals, circle and account go; their visits
and the access log stay without anything personal; an erasure record says what happened."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from graph.models import AccessLogEntry, ErasureRecord, Knows, MemberOf, Visit
from graph.models.base import iso_utc
from graph.repo.access_log import append_access
from graph.repo.checkins import record_checkin_with_feedback
from graph.repo.consent import create_grant
from graph.repo.erasure import erase_person
from graph.repo.errors import NotFound
from graph.repo.notices import write_reminders
from graph.repo.people import create_person, get_person
from graph.repo.records import from_properties
from graph.repo.referrals import create_referral
from graph.repo.relationships import list_known_by
from graph.repo.rota_runs import create_rota_run, get_rota_run
from graph.repo.users import create_user, get_user
from graph.repo.volunteer_visits import accept_visit, log_visit
from graph.repo.volunteers import create_volunteer
from graph.store import GraphStore
from tests.factories import (
    NOW,
    make_access_entry,
    make_checkin,
    make_circle,
    make_grant,
    make_person,
    make_referral,
    make_rota_run,
    make_service,
    make_user,
    make_visit,
    make_volunteer,
)
from tests.world import propose, save, saved, stored

ERASED_AT = NOW + timedelta(days=30)


def everything_in(store: GraphStore) -> list[Any]:
    """Every property value of every node and edge, for every label, as flat strings."""
    values: list[Any] = []
    labels = [row["label"] for row in store.run("CALL db.labels() YIELD label RETURN label")]
    for label in labels:
        rows = store.run(f"MATCH (n:{label}) RETURN properties(n) AS p", write=False)
        values += [v for row in rows for v in row["p"].values()]
    rows = store.run("MATCH ()-[r]->() RETURN properties(r) AS p", write=False)
    values += [v for row in rows for v in row["p"].values()]
    return [json.dumps(v) if not isinstance(v, str) else v for v in values]


def access_to(store: GraphStore, person_id: str) -> list[AccessLogEntry]:
    rows = store.run(
        "MATCH (n:AccessLog {person_id: $id}) RETURN properties(n) AS n", {"id": person_id}
    )
    return [from_properties(AccessLogEntry, row["n"]) for row in rows]


def build_maud_s_world(store: GraphStore) -> dict[str, Any]:
    maud = create_person(
        store=store,
        person=make_person(
            id="p-maud", first_name="Maudelina", last_name="Quartermain",
            address="12 Navarino Road", phone="020 7946 0999",
        ),
    )  # fmt: skip
    neighbour = create_person(
        store=store, person=make_person(first_name="Edna", address="3 Mapledene Road")
    )
    sam = create_volunteer(store=store, volunteer=make_volunteer())
    club = saved(store, make_service())
    worker = create_user(store=store, user=make_user(role="link_worker"))
    maud_user = create_user(
        store=store,
        user=make_user(role="person", person_id=maud.id, email="maudelina@example.org"),
    )
    circle = make_circle(person_id=maud.id)
    save(
        store,
        Knows(from_id=neighbour.id, to_id=maud.id, kind="neighbour"),
        Knows(from_id=sam.id, to_id=maud.id, kind="volunteer"),
        circle,
        MemberOf(volunteer_id=sam.id, circle_id=circle.id, since=NOW),
    )
    planned = saved(store, make_visit(person_id=maud.id, notes="Maudelina's key is under the pot"))
    # Sam is proposed the visit, accepts it and logs it as done.
    propose(store, planned, sam.id, at=NOW)
    accept_visit(store=store, visit_id=planned.id, volunteer_id=sam.id, now=iso_utc(NOW))
    # Sam's day-before reminder names Maudelina (a notice in the outbox).
    reminders = write_reminders(
        store=store, week_start=planned.week_start.isoformat(), day=planned.day, now=iso_utc(NOW)
    )
    assert reminders == 1
    log_visit(
        store=store, visit_id=planned.id, volunteer_id=sam.id, outcome="done", note=None,
        now=iso_utc(NOW), offset=0.0, factor=1.0,
    )  # fmt: skip
    visit = stored(store, Visit, planned.id)
    assert visit is not None and visit.status == "done"
    record_checkin_with_feedback(
        store=store, checkin=make_checkin(person_id=maud.id, note="Maudelina feels low"),
        known=0, need=maud.need, need_trend=0.0, alerts=[],
    )  # fmt: skip
    create_referral(
        store=store,
        referral=make_referral(
            person_id=maud.id, service_id=club.id, note="Maudelina loves baking"
        ),
    )
    create_grant(store=store, grant=make_grant(person_id=maud.id, grantee_id=worker.id))
    entry = append_access(
        store=store, entry=make_access_entry(person_id=maud.id, actor_user_id=worker.id)
    )
    problem = {"people": [{"id": maud.id, "lat": maud.lat, "lon": maud.lon}]}
    run_with_maud = create_rota_run(store=store, run=make_rota_run(problem=json.dumps(problem)))
    run_with_p_maudlin = create_rota_run(
        store=store, run=make_rota_run(problem=json.dumps({"people": [{"id": "p-maudlin"}]}))
    )
    return {
        "maud": maud, "neighbour": neighbour, "sam": sam, "circle": circle, "visit": visit,
        "entry": entry, "maud_user": maud_user, "worker": worker,
        "run_with_maud": run_with_maud, "run_with_p_maudlin": run_with_p_maudlin,
    }  # fmt: skip


def test_erasure_leaves_no_personal_property_anywhere(store: GraphStore) -> None:
    world = build_maud_s_world(store)
    maud = world["maud"]
    personal = [
        "Maudelina", "Quartermain", "12 Navarino Road", "020 7946 0999",
        "maudelina@example.org", f'"{maud.id}"',
    ]  # fmt: skip
    assert all(any(p in value for value in everything_in(store)) for p in personal)

    record = erase_person(
        store=store, person_id=maud.id, requested_by=world["worker"].id, at=ERASED_AT
    )

    leftovers = [value for value in everything_in(store) for p in personal if p in value]
    assert leftovers == []
    assert maud.id not in everything_in(store)
    assert get_person(store=store, person_id=maud.id) is None
    assert get_user(store=store, user_id=world["maud_user"].id) is None
    assert (
        record.at,
        record.requested_by,
        record.checkins,
        record.consent_grants,
        record.referrals,
        record.circles,
        record.users,
        record.visits_stripped,
        record.access_log_entries,
        record.rota_problems_cleared,
    ) == (ERASED_AT, world["worker"].id, 1, 1, 1, 1, 1, 1, 1, 1)
    erasures = store.run("MATCH (n:Erasure {id: $id}) RETURN properties(n) AS n", {"id": record.id})
    assert [from_properties(ErasureRecord, row["n"]) for row in erasures] == [record]
    for label in ("CheckIn", "ConsentGrant", "Referral", "CareCircle"):
        assert store.run(f"MATCH (n:{label}) RETURN count(n) AS c") == [{"c": 0}]


def test_erasure_keeps_what_is_not_about_the_person(store: GraphStore) -> None:
    world = build_maud_s_world(store)
    record = erase_person(
        store=store, person_id=world["maud"].id, requested_by=world["worker"].id, at=ERASED_AT
    )
    visit = stored(store, Visit, world["visit"].id)
    assert visit is not None
    assert (visit.person_id, visit.notes) == (record.id, None)
    assert visit.model_dump(exclude={"person_id", "notes"}) == world["visit"].model_dump(
        exclude={"person_id", "notes"}
    )
    held = store.run(
        "MATCH (:Volunteer {id: $v})-[a:ASSIGNED]->(:Visit {id: $visit}) RETURN a.status AS s",
        {"v": world["sam"].id, "visit": visit.id},
        write=False,
    )
    assert held == [{"s": "done"}]
    [entry] = access_to(store, record.id)
    assert entry == world["entry"].model_copy(update={"person_id": record.id})
    assert access_to(store, world["maud"].id) == []
    assert list_known_by(store=store, person_id=world["neighbour"].id) == []
    members = "MATCH ()-[m:MEMBER_OF]->(:CareCircle {id: $id}) RETURN count(m) AS n"
    assert store.run(members, {"id": world["circle"].id}, write=False) == [{"n": 0}]
    cleared = get_rota_run(store=store, run_id=world["run_with_maud"].id)
    kept = get_rota_run(store=store, run_id=world["run_with_p_maudlin"].id)
    assert cleared is not None and cleared.problem is None
    assert cleared.metrics == world["run_with_maud"].metrics
    assert kept == world["run_with_p_maudlin"]
    assert get_person(store=store, person_id=world["neighbour"].id) == world["neighbour"]


def test_erasing_someone_who_is_not_there_writes_nothing(store: GraphStore) -> None:
    with pytest.raises(NotFound, match="p-nobody"):
        erase_person(store=store, person_id="p-nobody", requested_by="u-1", at=ERASED_AT)
    assert store.run("MATCH (n) RETURN count(n) AS c") == [{"c": 0}]
