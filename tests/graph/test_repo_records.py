"""Check-ins, referrals, users, consent grants, rota runs and the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph.models import CheckIn
from graph.repo.access_log import append_access, append_accesses
from graph.repo.checkins import list_checkins_of_person, record_checkin_with_feedback
from graph.repo.consent import (
    create_grant,
    get_grant,
    list_active_grants,
    list_grants_of_person,
    revoke_grant,
)
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.people import create_person
from graph.repo.referrals import create_referral, get_referral, update_referral_status
from graph.repo.rota_runs import create_rota_run, get_rota_run, list_rota_runs
from graph.repo.users import create_user, get_user, get_user_by_email, update_user
from graph.store import GraphStore
from tests.factories import (
    NOW,
    WEEK,
    make_access_entry,
    make_checkin,
    make_grant,
    make_organization,
    make_person,
    make_referral,
    make_rota_run,
    make_service,
    make_user,
)
from tests.world import saved, stored


def count(store: GraphStore, pattern: str) -> int:
    rows = store.run(f"MATCH {pattern} RETURN count(*) AS c", write=False)
    return int(rows[0]["c"])


def record(store: GraphStore, checkin: CheckIn, *, known: int) -> CheckIn | None:
    """Record the check-in as the wellbeing use-case does, leaving need and trend as they are."""
    return record_checkin_with_feedback(
        store=store, checkin=checkin, known=known, need=0.5, need_trend=0.0, alerts=[]
    )


def test_checkins_round_trip_oldest_first(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    later = make_checkin(
        person_id=maud.id, at=NOW + timedelta(days=7), scale="ONS1", answers=[2], score=2
    )
    earlier = make_checkin(
        person_id=maud.id, at=NOW, scale="DJG6", answers=[1, 2, 3, 3, 2, 1], score=4
    )
    for known, checkin in enumerate((later, earlier)):
        assert record(store, checkin, known=known) == checkin
    assert list_checkins_of_person(store=store, person_id=maud.id) == [earlier, later]
    assert stored(store, CheckIn, later.id) == later
    assert count(store, "(:Person)-[:REPORTED]->(:CheckIn)") == 2


def test_a_checkin_is_not_recorded_over_one_not_yet_seen(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    record(store, make_checkin(person_id=maud.id), known=0)
    assert record(store, make_checkin(person_id=maud.id), known=0) is None
    assert count(store, "(:CheckIn)") == 1


def test_checkin_for_missing_person_writes_nothing(store: GraphStore) -> None:
    assert record(store, make_checkin(person_id="p-nobody"), known=0) is None
    assert count(store, "(n)") == 0


def test_referral_outcome_is_mirrored_on_the_referred_to_edge(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    club = saved(store, make_service())
    referral = make_referral(person_id=maud.id, service_id=club.id)
    assert create_referral(store=store, referral=referral) == referral
    assert get_referral(store=store, referral_id=referral.id) == referral
    later = NOW + timedelta(days=10)
    attended = update_referral_status(
        store=store, referral_id=referral.id, status="attended", at=later
    )
    assert (attended.status, attended.updated_at, attended.note) == (
        "attended",
        later,
        referral.note,
    )
    assert get_referral(store=store, referral_id=referral.id) == attended
    edges = store.run(
        "MATCH (:Person)-[r:REFERRED_TO]->(:Service) RETURN properties(r) AS r", write=False
    )
    assert edges == [{"r": {"referral_id": referral.id, "status": "attended"}}]
    with pytest.raises(ValueError, match="made"):
        update_referral_status(store=store, referral_id=referral.id, status="lost", at=later)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        update_referral_status(store=store, referral_id="r-nope", status="declined", at=later)


def test_referral_names_what_is_missing(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    with pytest.raises(NotFound, match="Service"):
        create_referral(store=store, referral=make_referral(person_id=maud.id, service_id="s-x"))
    with pytest.raises(NotFound, match="Person"):
        create_referral(store=store, referral=make_referral(person_id="p-x", service_id="s-x"))
    assert count(store, "(:Referral)") == 0


def test_users_by_id_and_any_case_email(store: GraphStore) -> None:
    user = create_user(store=store, user=make_user(email="Link.Worker@Hackney.example.org"))
    assert get_user(store=store, user_id=user.id) == user
    assert get_user_by_email(store=store, email=" LINK.worker@hackney.example.org") == user
    assert get_user_by_email(store=store, email="nobody@hackney.example.org") is None
    with pytest.raises(AlreadyExists, match="email"):
        create_user(store=store, user=make_user(email="link.worker@hackney.example.org"))
    with pytest.raises(AlreadyExists, match=user.id):
        create_user(store=store, user=make_user(id=user.id))
    assert count(store, "(:User)") == 1
    other = create_user(store=store, user=make_user(role="admin"))
    with pytest.raises(AlreadyExists, match="email"):
        update_user(store=store, user=other.model_copy(update={"email": user.email}))
    promoted = other.model_copy(update={"role": "coordinator"})
    assert update_user(store=store, user=promoted) == promoted
    stored = get_user(store=store, user_id=other.id)
    assert stored is not None and stored.role == "coordinator"
    with pytest.raises(NotFound):
        update_user(store=store, user=make_user())


def test_consent_grants_to_users_and_organisations(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    worker = create_user(store=store, user=make_user(role="link_worker"))
    charity = saved(store, make_organization())
    to_worker = make_grant(person_id=maud.id, grantee_id=worker.id)
    to_charity = make_grant(
        person_id=maud.id,
        grantee_id=charity.id,
        grantee_kind="organization",
        scopes=["checkins"],
        created_at=NOW + timedelta(seconds=1),
        expires_at=NOW + timedelta(days=7),
    )
    assert create_grant(store=store, grant=to_worker) == to_worker
    assert create_grant(store=store, grant=to_charity) == to_charity
    assert get_grant(store=store, grant_id=to_worker.id) == to_worker
    assert list_grants_of_person(store=store, person_id=maud.id) == [to_worker, to_charity]
    both = [worker.id, charity.id]
    soon, later = NOW + timedelta(days=1), NOW + timedelta(days=30)
    assert list_active_grants(store=store, person_id=maud.id, grantee_ids=both, at=soon) == [
        to_worker,
        to_charity,
    ]
    assert list_active_grants(store=store, person_id=maud.id, grantee_ids=both, at=later) == [
        to_worker
    ]
    revoked = revoke_grant(store=store, grant_id=to_worker.id, at=soon)
    assert revoked.revoked_at == soon
    assert revoke_grant(store=store, grant_id=to_worker.id, at=later).revoked_at == soon
    assert list_active_grants(store=store, person_id=maud.id, grantee_ids=both, at=later) == []
    assert get_grant(store=store, grant_id=to_worker.id) == revoked
    assert count(store, "(:ConsentGrant)-[:TO]->()") == 2


def test_grant_needs_person_and_grantee_of_its_kind(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    worker = create_user(store=store, user=make_user())
    with pytest.raises(NotFound, match="Organization"):
        create_grant(
            store=store,
            grant=make_grant(person_id=maud.id, grantee_id=worker.id, grantee_kind="organization"),
        )
    with pytest.raises(NotFound, match="Person"):
        create_grant(store=store, grant=make_grant(person_id="p-x", grantee_id=worker.id))
    assert count(store, "(:ConsentGrant)") == 0


def test_rota_runs_round_trip_and_list_by_week(store: GraphStore) -> None:
    run = make_rota_run(metrics={"coverage": 0.5, "visits_total": 2, "status": "FEASIBLE"})
    assert create_rota_run(store=store, run=run) == run
    assert get_rota_run(store=store, run_id=run.id) == run
    create_rota_run(store=store, run=make_rota_run(week_start=WEEK + timedelta(days=7)))
    assert [r.id for r in list_rota_runs(store=store, week_start=WEEK).items] == [run.id]
    assert len(list_rota_runs(store=store).items) == 2


def test_access_log_is_appended_one_or_many_at_a_time(store: GraphStore) -> None:
    entries = [make_access_entry(person_id="p-1", at=NOW + timedelta(minutes=n)) for n in range(3)]
    assert append_access(store=store, entry=entries[0]) == entries[0]
    assert append_accesses(store=store, entries=entries[1:]) == 2
    append_access(store=store, entry=make_access_entry(person_id="p-2"))
    assert count(store, "(:AccessLog {person_id: 'p-1'})") == 3
    with pytest.raises(AlreadyExists):
        append_accesses(store=store, entries=[make_access_entry(), entries[0]])
    assert count(store, "(:AccessLog)") == 4
    assert append_accesses(store=store, entries=[]) == 0
