"""Plans in the browser. The link worker, on a tablet, sees who to see this week, opens a plan
from there and reviews it with the person (each goal against what was expected, the four
wellbeing questions), writes a new plan with someone (a bad answer is shown at its field and
nothing is written) and ends a plan with a reason. The person sees their plan in plain words
and changes the wording of a goal. Consent grants and existing plans are made through the
same use-case functions the API calls."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import Knows, Person, Schedule, Service
from graph.repo.users import get_user_by_email
from service.plans import plans
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE, snap
from tests.person_record_api.conftest import grant
from tests.plans.conftest import went_with_a_volunteer
from tests.service.conftest import World
from tests.world import save, saved

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}


def _worker_with_consent(world: World, *people: Person) -> tuple[str, str]:
    email, token = world.user("link_worker")
    user = get_user_by_email(store=world.api.store, email=email)
    assert user is not None
    for person in people:
        grant(world, person, user_id=user.id, scopes=("plan",), purpose="my support plan")
    return user.id, token


def _walking_group(world: World) -> Service:
    return saved(
        world.api.store,
        Service(
            id=f"svc-{uuid.uuid4().hex[:8]}",
            name=f"Canal walkers {world.tag}",
            category="walking_group",
            lat=51.551,
            lon=-0.061,
            area_id=world.area_id,
            schedules=[Schedule(day=1, start="10:00", end="11:30")],
        ),
    )


def _plan_of(world: World, person: Person, by: str, **changes: object) -> plans.PlanRecord:
    given: dict[str, object] = {
        "store": world.api.store,
        "person_id": person.id,
        "what_matters": "Seeing people again",
        "goals": [
            plans.GoalDraft(
                text="Go to the coffee morning",
                expected="Went once",
                target_date=date.today() + timedelta(weeks=4),
                steps=["Ask Sam the way"],
            )
        ],
        "created_by": by,
    }
    made = plans.create_plan(**(given | changes))  # type: ignore[arg-type]
    assert isinstance(made, plans.PlanRecord)
    return made


def _stored_plans(world: World, person: Person) -> list[dict[str, object]]:
    rows = world.api.store.run(
        "MATCH (n:Plan)-[:FOR]->(:Person {id: $id}) RETURN properties(n) AS n",
        {"id": person.id},
    )
    return [row["n"] for row in rows]


def test_link_worker_reviews_a_plan_from_who_to_see_writes_one_and_ends_one(
    world: World, signed_in: Callable[..., Page]
) -> None:
    bob, ann = world.person("Bob"), world.person("Ann")
    walk = _walking_group(world)
    worker_id, token = _worker_with_consent(world, bob, ann)
    bobs = _plan_of(world, bob, worker_id, review_dates=[date.today()])

    page = signed_in(token, TABLET)
    page.goto("/plan")
    expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=20_000)
    entry = page.locator(f"#to-see li[data-person-id='{bob.id}']")
    expect(entry).to_contain_text("review due")
    assert_accessible(page, "the link worker's plans: who to see this week")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "the link worker's plans: who to see this week, on a phone")
    page.set_viewport_size(TABLET)
    assert page.locator(f"#to-see li[data-person-id='{ann.id}']").count() == 0
    entry.get_by_role("link", name="Open Bob's plan").click()

    expect(page.locator("#plan-title")).to_have_text("Bob's plan")
    expect(page.locator("#current-goals")).to_contain_text("Go to the coffee morning")
    expect(page.locator("#current-goals")).to_contain_text("As expected: Went once")
    # Saving with a question unanswered says which one; nothing is written.
    page.get_by_role("group", name="Goal 1: Go to the coffee morning").get_by_label(
        "More than expected", exact=True
    ).check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("#review-message")).to_have_text(
        'Choose an answer to "How satisfied are you with your life nowadays?"'
    )
    for question, answer in (
        ("How satisfied are you with your life nowadays?", "6"),
        ("How much do you feel the things you do in your life are worthwhile?", "7"),
        ("How happy did you feel yesterday?", "5"),
        ("How anxious did you feel yesterday?", "8"),
    ):
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    snap(page, "plan-review-tablet")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("#review-message")).to_contain_text("Goal score 60.0")
    expect(page.locator("#review-message")).to_contain_text("Anxiety yesterday: 8 out of 10, high.")
    expect(page.locator("#reviews li").first).to_contain_text("goal score 60.0")
    reviews = world.api.store.run(
        "MATCH (r:Review)-[:OF]->(:Plan {id: $id}) RETURN r.ons4 AS ons4, r.gas_t_score AS t",
        {"id": bobs.plan.id},
    )
    assert reviews == [{"ons4": [6, 7, 5, 8], "t": 60.0}]

    # Writing Ann's plan: a missing answer is shown at its field, nothing is written.
    page.goto(f"/plan?person={ann.id}")
    expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=20_000)
    expect(page.locator("#builder-title")).to_have_text("Write a plan with Ann")
    assert_accessible(page, "writing a plan")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#builder-message")).to_contain_text("What matters to you?")
    assert_accessible(page, "writing a plan, with its errors")
    expect(page.locator("#what-matters")).to_have_attribute("aria-invalid", "true")
    assert _stored_plans(world, ann) == []
    page.get_by_label("What matters to you?").fill("Getting out of the flat")
    page.get_by_label("The goal, in the person's words").fill("Walk by the canal")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#goal-0-expected")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("What would 'as expected' look like?").fill("Went with the group twice")
    page.get_by_label("Steps (one a line)").fill("Find my shoes\nMeet at the library")
    page.get_by_label("Something to do towards it").select_option("SERVICE")
    page.get_by_label("Which group or service").select_option(walk.id)
    page.get_by_label("Would you like a volunteer to go along?").select_option("2")
    snap(page, "plan-builder-tablet")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#current-goals")).to_contain_text("Goal 1: Walk by the canal")
    expect(page.locator("#current-goals .activity")).to_have_text(
        f"{walk.name}, a volunteer goes along the first 2 times"
    )
    stored = _stored_plans(world, ann)
    assert [(p["what_matters"], p["status"]) for p in stored] == [
        ("Getting out of the flat", "active")
    ]

    # Ending needs a reason; then the plan is kept among the earlier ones.
    page.get_by_role("button", name="End the plan").click()
    expect(page.locator("#status-message")).to_have_text("Say why the plan is ending.")
    page.get_by_label("Reason for ending").fill("Moved away")
    page.get_by_role("button", name="End the plan").click()
    expect(page.locator("#earlier")).to_contain_text("ended: Moved away")
    expect(page.locator("#builder-title")).to_be_visible()
    assert [p["status"] for p in _stored_plans(world, ann)] == ["ended"]


def test_without_plan_consent_the_page_says_so(
    world: World, signed_in: Callable[..., Page]
) -> None:
    cat = world.person("Cat")
    _, token = world.user("link_worker")
    page = signed_in(token, TABLET)
    page.goto(f"/plan?person={cat.id}")
    expect(page.locator("#page-message")).to_contain_text("Cat has not agreed to share a plan")
    expect(page.locator("#builder-section")).to_be_hidden()


def test_the_person_sees_their_plan_and_rewords_a_goal(
    world: World, signed_in: Callable[..., Page]
) -> None:
    ann = world.person("Ann")
    worker_id, _ = _worker_with_consent(world, ann)
    made = _plan_of(world, ann, worker_id)
    page = signed_in(world.user("person", person_id=ann.id)[1])
    page.goto("/person")
    plan = page.locator("#my-plan[data-ready=true]")
    expect(plan).to_be_attached(timeout=20_000)
    expect(plan.get_by_role("heading", name="Your plan")).to_be_visible()
    expect(plan.locator("#my-what-matters")).to_have_text("Seeing people again")
    goal = plan.locator("#my-goals li").first
    expect(goal.locator(".goal-text")).to_have_text("Go to the coffee morning")
    expect(plan).not_to_contain_text("null")
    expect(plan.locator("#my-next-review")).to_contain_text("will look at how it is going on")
    assert_accessible(page, "the person's page with their plan")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "the person's page with their plan, on a phone")
    font = goal.locator(".goal-text").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 20  # large type

    goal.get_by_role("button", name="Change the words").click()
    words = goal.get_by_label("New words for goal 1")
    words.fill("   ")
    goal.get_by_role("button", name="Save the new words").click()
    expect(plan.locator("#my-plan-status")).to_contain_text("Please write a few words")
    words.fill("Have a cuppa at the Tuesday coffee morning")
    goal.get_by_role("button", name="Save the new words").click()
    expect(goal.locator(".goal-text")).to_have_text("Have a cuppa at the Tuesday coffee morning")
    expect(plan.locator("#my-plan-status")).to_have_text("Your goal now reads the way you put it.")
    snap(page, "person-plan")
    stored = world.api.store.run(
        "MATCH (g:Goal {id: $id}) RETURN g.text AS text", {"id": made.goals[0].id}
    )
    assert stored == [{"text": "Have a cuppa at the Tuesday coffee morning"}]


def test_the_person_without_a_plan_is_told_plainly(
    world: World, signed_in: Callable[..., Page]
) -> None:
    dan = world.person("Dan")
    page = signed_in(world.user("person", person_id=dan.id)[1])
    page.goto("/person")
    expect(page.locator("#my-plan[data-ready=true]")).to_contain_text(
        re.compile("You do not have a plan yet")
    )


def test_the_link_workers_page_leads_to_the_plans(
    world: World, signed_in: Callable[..., Page]
) -> None:
    _, token = world.user("link_worker")
    page = signed_in(token, TABLET)
    page.goto("/link-worker")
    page.get_by_role("link", name="Plans: who to see this week").click()
    expect(page.get_by_role("heading", name="Who to see this week")).to_be_visible()


def _three_who_go_walking(world: World) -> tuple[Person, Person, Person, Service]:
    """Ann, Bea and Cal, each of whom went to the walking group with a volunteer."""
    walk = _walking_group(world)
    people = [world.person(name) for name in ("Ann", "Bea", "Cal")]
    for person in people:
        went_with_a_volunteer(world, person, walk)
    ann, bea, cal = people
    return ann, bea, cal, walk


def test_link_worker_records_who_the_person_met_at_a_group(
    world: World, signed_in: Callable[..., Page]
) -> None:
    ann, bea, _, walk = _three_who_go_walking(world)
    worker_id, token = _worker_with_consent(world, ann)
    _plan_of(world, ann, worker_id)

    page = signed_in(token, TABLET)
    page.goto(f"/plan?person={ann.id}")
    expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=20_000)
    group = page.get_by_role("group", name=f"{walk.name} (been once)")
    expect(group).to_be_visible()
    assert_accessible(page, "the plan page with the groups the person went to")
    save = group.get_by_role("button", name=f"Save who Ann met at {walk.name}")
    save.click()
    expect(page.locator("#met-message")).to_have_text("Tick at least one person Ann met.")
    group.get_by_label("Bea", exact=True).check()
    save.click()
    expect(page.locator("#met-message")).to_have_text(f"Saved: Ann met Bea at {walk.name}.")
    expect(group.get_by_label("Bea (met at a group)")).to_be_visible()
    ties = world.api.store.run(
        "MATCH (:Person {id: $a})-[k:KNOWS]->(b:Person) RETURN b.id AS b, k.kind AS kind, "
        "k.met_at AS met_at",
        {"a": ann.id},
    )
    assert ties == [{"b": bea.id, "kind": "group", "met_at": walk.id}]


def test_the_person_says_whom_they_know_they_saw_at_a_group(
    world: World, signed_in: Callable[..., Page]
) -> None:
    ann, _, cal, walk = _three_who_go_walking(world)
    save(world.api.store, Knows(from_id=cal.id, to_id=ann.id, kind="family", strength=0.5))
    page = signed_in(world.user("person", person_id=ann.id)[1])
    page.goto("/person")
    plan = page.locator("#my-plan[data-ready=true]")
    expect(plan).to_be_attached(timeout=20_000)
    group = plan.locator(f"#my-groups li[data-service-id='{walk.id}']")
    expect(group).to_contain_text("You have been once.")
    expect(group).not_to_contain_text("Bea")  # not someone Ann knows
    assert_accessible(page, "the person's page with the groups they go to")
    group.get_by_label("Cal (family)").check()
    group.get_by_role("button", name=f"I saw them at {walk.name}").click()
    expect(plan.locator("#my-plan-status")).to_have_text(
        f"Thank you: we have noted who you saw at {walk.name}."
    )
    tie = world.api.store.run(
        "MATCH (:Person {id: $c})-[k:KNOWS]->(:Person {id: $a}) RETURN k.strength AS s, "
        "k.met_at AS met_at",
        {"c": cal.id, "a": ann.id},
    )
    assert tie == [{"s": pytest.approx(0.6), "met_at": walk.id}]
