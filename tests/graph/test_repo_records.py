"""Check-ins, referrals, users, consent grants, rota runs and the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph.repo.access_log import append_access, append_accesses, list_access_to_person
from graph.repo.checkins import (
    create_checkin,
    delete_checkin,
    get_checkin,
    get_checkin_or_raise,
    list_checkins_of_person,
)
from graph.repo.consent import (
    create_grant,
    delete_grant,
    get_grant,
    get_grant_or_raise,
    list_active_grants,
    list_grants_of_person,
    revoke_grant,
)
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.people import create_person
from graph.repo.referrals import (
    create_referral,
    delete_referral,
    get_referral,
    get_referral_or_raise,
    list_referrals_of_person,
    list_referrals_to_service,
    update_referral_status,
)
from graph.repo.rota_runs import (
    create_rota_run,
    delete_rota_run,
    get_rota_run,
    get_rota_run_or_raise,
    list_rota_runs,
    publish_rota_run,
    update_rota_run,
)
from graph.repo.users import (
    create_user,
    delete_user,
    get_user,
    get_user_by_email,
    get_user_or_raise,
    list_users,
    update_user,
)
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
from tests.world import saved


def count(store: GraphStore, pattern: str) -> int:
    rows = store.run(f"MATCH {pattern} RETURN count(*) AS c", write=False)
    return int(rows[0]["c"])


def test_checkins_round_trip_oldest_first(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    later = make_checkin(
        person_id=maud.id, at=NOW + timedelta(days=7), scale="ONS1", answers=[2], score=2
    )
    earlier = make_checkin(
        person_id=maud.id, at=NOW, scale="DJG6", answers=[1, 2, 3, 3, 2, 1], score=4
    )
    for checkin in (later, earlier):
        assert create_checkin(store=store, checkin=checkin) == checkin
    assert list_checkins_of_person(store=store, person_id=maud.id) == [earlier, later]
    assert get_checkin(store=store, checkin_id=later.id) == later
    assert get_checkin_or_raise(store=store, checkin_id=earlier.id) == earlier
    assert count(store, "(:Person)-[:REPORTED]->(:CheckIn)") == 2
    assert delete_checkin(store=store, checkin_id=later.id)
    assert list_checkins_of_person(store=store, person_id=maud.id) == [earlier]


def test_checkin_for_missing_person_writes_nothing(store: GraphStore) -> None:
    with pytest.raises(NotFound, match="p-nobody"):
        create_checkin(store=store, checkin=make_checkin(person_id="p-nobody"))
    assert count(store, "(n)") == 0


def test_referral_outcome_is_mirrored_on_the_referred_to_edge(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    club = saved(store, make_service())
    referral = make_referral(person_id=maud.id, service_id=club.id)
    assert create_referral(store=store, referral=referral) == referral
    assert get_referral(store=store, referral_id=referral.id) == referral
    assert list_referrals_of_person(store=store, person_id=maud.id) == [referral]
    assert list_referrals_to_service(store=store, service_id=club.id) == [referral]
    later = NOW + timedelta(days=10)
    attended = update_referral_status(
        store=store, referral_id=referral.id, status="attended", at=later
    )
    assert (attended.status, attended.updated_at, attended.note) == (
        "attended",
        later,
        referral.note,
    )
    assert get_referral_or_raise(store=store, referral_id=referral.id) == attended
    edges = store.run(
        "MATCH (:Person)-[r:REFERRED_TO]->(:Service) RETURN properties(r) AS r", write=False
    )
    assert edges == [{"r": {"referral_id": referral.id, "status": "attended"}}]
    with pytest.raises(ValueError, match="made"):
        update_referral_status(store=store, referral_id=referral.id, status="lost", at=later)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        update_referral_status(store=store, referral_id="r-nope", status="declined", at=later)
    assert delete_referral(store=store, referral_id=referral.id)
    assert count(store, "()-[:REFERRED_TO]->()") == 0 and count(store, "(:Referral)") == 0


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
    assert [u.id for u in list_users(store=store, role="admin").items] == [other.id]
    with pytest.raises(AlreadyExists, match="email"):
        update_user(store=store, user=other.model_copy(update={"email": user.email}))
    promoted = other.model_copy(update={"role": "coordinator"})
    assert update_user(store=store, user=promoted) == promoted
    assert get_user_or_raise(store=store, user_id=other.id).role == "coordinator"
    with pytest.raises(NotFound):
        update_user(store=store, user=make_user())
    assert delete_user(store=store, user_id=other.id)
    assert [u.id for u in list_users(store=store).items] == [user.id]


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
    assert get_grant_or_raise(store=store, grant_id=to_worker.id) == revoked
    assert delete_grant(store=store, grant_id=to_charity.id)
    assert count(store, "(:ConsentGrant)-[:TO]->()") == 1


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


def test_rota_runs_publish_once(store: GraphStore) -> None:
    run = make_rota_run(metrics={"coverage": 0.5, "visits_total": 2, "status": "FEASIBLE"})
    assert create_rota_run(store=store, run=run) == run
    assert get_rota_run(store=store, run_id=run.id) == run
    bigger = run.model_copy(update={"metrics": {"coverage": 0.75}})
    assert update_rota_run(store=store, run=bigger) == bigger
    published = publish_rota_run(store=store, run_id=run.id, at=NOW)
    assert published is not None
    assert (published.status, published.published_at, published.metrics) == (
        "published",
        NOW,
        {"coverage": 0.75},
    )
    assert publish_rota_run(store=store, run_id=run.id, at=NOW) is None
    assert publish_rota_run(store=store, run_id="run-nope", at=NOW) is None
    other_week = create_rota_run(
        store=store, run=make_rota_run(week_start=WEEK + timedelta(days=7))
    )
    assert [r.id for r in list_rota_runs(store=store, week_start=WEEK).items] == [run.id]
    assert len(list_rota_runs(store=store).items) == 2
    assert get_rota_run_or_raise(store=store, run_id=other_week.id) == other_week
    assert delete_rota_run(store=store, run_id=other_week.id)
    assert get_rota_run(store=store, run_id=other_week.id) is None


def test_access_log_is_listed_newest_first_per_person(store: GraphStore) -> None:
    entries = [make_access_entry(person_id="p-1", at=NOW + timedelta(minutes=n)) for n in range(3)]
    assert append_access(store=store, entry=entries[0]) == entries[0]
    assert append_accesses(store=store, entries=entries[1:]) == 2
    append_access(store=store, entry=make_access_entry(person_id="p-2"))
    assert list_access_to_person(store=store, person_id="p-1") == entries[::-1]
    assert list_access_to_person(store=store, person_id="p-1", first=1) == [entries[2]]
    with pytest.raises(AlreadyExists):
        append_accesses(store=store, entries=[make_access_entry(), entries[0]])
    assert count(store, "(:AccessLog)") == 4
    assert append_accesses(store=store, entries=[]) == 0
