"""Erasing a person takes their support plans with them: goals, reviews and all."""

from __future__ import annotations

from graph.models import utc_now
from graph.repo.erasure import erase_person
from service.plans import plans
from tests.person_record_api.conftest import count
from tests.plans.conftest import plan_input
from tests.service.conftest import Api, World


def test_erasure_deletes_the_persons_plans_goals_and_reviews(api: Api, world: World) -> None:
    ann, bob = world.person("Ann"), world.person("Bob")
    kept = {}
    for person in (ann, bob):
        given = plan_input(person)
        made = plans.create_plan(
            store=api.store,
            person_id=person.id,
            what_matters=given["whatMatters"],
            goals=[plans.GoalDraft(text="Walk", expected="Twice", target_date=utc_now().date())],
            created_by="u-link-worker",
        )
        assert isinstance(made, plans.PlanRecord)
        review = plans.review_plan(
            store=api.store,
            plan_id=made.plan.id,
            attainments=[(made.goals[0].id, 1)],
            ons4=[5, 5, 5, 5],
            recorded_by="u-link-worker",
        )
        assert not isinstance(review, plans.ScoreError)
        kept[person.id] = made.plan.id
    before = {label: count(api, label) for label in ("Plan", "Goal", "Review")}
    erase_person(store=api.store, person_id=ann.id, requested_by="u-admin", at=utc_now())
    after = {label: count(api, label) for label in ("Plan", "Goal", "Review")}
    assert after == {label: n - 1 for label, n in before.items()}
    assert plans.current_plan(store=api.store, person_id=bob.id) is not None
    left = api.store.run("MATCH (n:Plan {id: $id}) RETURN n.id AS id", {"id": kept[ann.id]})
    assert left == []
