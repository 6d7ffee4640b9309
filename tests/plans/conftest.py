"""The real API server and world builder of tests/service, with the GraphQL of plans and a
world that holds a service from the directory and link workers with plan consent."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from graph.models import Person, Schedule, Service
from service.visits.claims import log_visit
from tests.person_record_api.conftest import grant
from tests.service.conftest import World
from tests.service.conftest import api as api  # noqa: F401  (fixture)
from tests.service.conftest import world as world  # noqa: F401  (fixture)
from tests.world import saved

PLAN_FIELDS = """
  id personId whatMatters status endReason reviewDates nextReview
  goals { id text expected steps targetDate status pastDate
          activities { kind serviceId serviceName who accompaniedVisits } }
  reviews { id gasTScore ons4 ons4InWords goals { goalId attainment inWords } note }
"""
CREATE = (
    """mutation($input: PlanInput!) {
  createPlan(input: $input) {
    __typename
    ... on PlanCreated { plan { """
    + PLAN_FIELDS
    + """ } }
    ... on InvalidPlan { field message }
    ... on PlanAlreadyOpen { message planId }
  }
}"""
)
REVIEW = (
    """mutation($input: PlanReviewInput!) {
  reviewPlan(input: $input) {
    __typename
    ... on PlanReviewed { review { id gasTScore ons4 ons4InWords } plan { """
    + PLAN_FIELDS
    + """ } }
    ... on InvalidReview { field message }
    ... on PlanNotOpen { message }
  }
}"""
)
STATUS = (
    """mutation($id: ID!, $status: PlanStatus!, $reason: String) {
  setPlanStatus(planId: $id, status: $status, reason: $reason) {
    __typename
    ... on PlanUpdated { plan { """
    + PLAN_FIELDS
    + """ } }
    ... on InvalidPlan { field message }
    ... on PlanNotOpen { message }
  }
}"""
)
MY_PLAN = "query { myPlan { " + PLAN_FIELDS + " } }"
PLANS = "query($id: ID!) { plans(personId: $id) { " + PLAN_FIELDS + " } }"
REWORD = """mutation($id: ID!, $text: String!) {
  rewordGoal(goalId: $id, text: $text) {
    __typename
    ... on GoalUpdated { goal { id text } }
    ... on InvalidPlan { field message }
    ... on PlanNotOpen { message }
  }
}"""


def a_service(world: World, name: str = "Tuesday walking group") -> Service:
    """A service of the directory that meets on Tuesdays 10:00-11:30."""
    return saved(
        world.api.store,
        Service(
            id=f"svc-{uuid.uuid4().hex[:8]}",
            name=name,
            category="walking_group",
            lat=51.551,
            lon=-0.061,
            area_id=world.area_id,
            schedules=[Schedule(day=1, start="10:00", end="11:30")],
        ),
    )


def plan_input(person: Person, service: Service | None = None, **changes: Any) -> dict[str, Any]:
    """Two goals, the first with an accompanied activity at ``service`` when given."""
    soon = (date.today() + timedelta(weeks=6)).isoformat()
    later = (date.today() + timedelta(weeks=12)).isoformat()
    activities = (
        [{"kind": "SERVICE", "serviceId": service.id, "accompaniedVisits": 2}] if service else []
    )
    given: dict[str, Any] = {
        "personId": person.id,
        "whatMatters": "Getting out of the flat and seeing my sister again",
        "goals": [
            {
                "text": "Go on a walk with the group",
                "expected": "Went to the walking group twice",
                "targetDate": soon,
                "steps": ["Find my walking shoes", "Meet the volunteer at the library"],
                "activities": activities,
            },
            {
                "text": "Phone my sister",
                "expected": "Spoke to her once",
                "targetDate": later,
                "activities": [{"kind": "RECONNECT", "who": "my sister Jean"}],
            },
        ],
    }
    return given | changes


def worker_with_plan_consent(world: World, person: Person, *scopes: str) -> tuple[str, str]:
    """A link worker of the world's organisation with the person's consent (default: plan);
    returns (user id, token)."""
    from graph.repo.users import get_user_by_email

    email, token = world.user("link_worker")
    user = get_user_by_email(store=world.api.store, email=email)
    assert user is not None
    grant(world, person, user_id=user.id, scopes=scopes or ("plan",), purpose="my support plan")
    return user.id, token


def went_with_a_volunteer(world: World, person: Person, service: Service) -> None:
    """A volunteer went along with the person and logged it done."""
    sam = world.volunteer("Sam")
    visit = world.visit(person, service_id=service.id, start="12:00", status="accepted")
    world.api.store.run(
        "MATCH (vol:Volunteer {id: $vol}), (v:Visit {id: $id}) "
        "CREATE (vol)-[:ASSIGNED {status: 'accepted', at: '2026-01-01T00:00:00Z'}]->(v)",
        {"vol": sam.id, "id": visit.id},
    )
    world.time_passes(visit)
    assert log_visit(
        store=world.api.store, visit_id=visit.id, volunteer_id=sam.id, outcome="done", note=None
    ).ok
