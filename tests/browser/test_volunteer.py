"""A volunteer in the browser: the week proposed to them, accept, decline, claim, log; and
two volunteers racing for one open visit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import Window
from graph.repo.users import get_user_by_email
from tests.browser.conftest import snap
from tests.service.conftest import Api, World, next_monday
from tests.service.rota_runs import run_rota

pytestmark = pytest.mark.browser

PUBLISH = "mutation($id: ID!) { publishRota(runId: $id) { __typename } }"
HOLDERS = """
query($week: String!) {
  visits(week: $week, first: 100) { edges { node { id status volunteers { volunteerId status } } } }
}
"""


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def test_volunteer_accepts_declines_claims_and_logs(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    _, coordinator = world.user("coordinator")
    ann = world.person("Ann", visit_windows=[Window(day=1, start="10:00", end="12:00")])
    bob = world.person("Bob", visit_windows=[Window(day=3, start="14:00", end="16:00")])
    val = world.volunteer("Val", languages=["en"])
    week = _week_label(next_monday())
    run = run_rota(web_api, week, coordinator, fields="assignments { visitId }")
    assert len(run["assignments"]) >= 2
    web_api.data(PUBLISH, {"id": run["id"]}, token=coordinator)
    ann_visit = world.visit(ann, status="open")  # a second visit for Ann, after the rota
    by_person = {}
    for person in (ann, bob):
        for visit in world.api.store.run(
            "MATCH (v:Visit)-[:FOR]->(:Person {id: $id}) RETURN v.id AS id", {"id": person.id}
        ):
            if visit["id"] != ann_visit.id:
                by_person[person.first_name] = visit["id"]
    assert {by_person["Ann"], by_person["Bob"]} <= {a["visitId"] for a in run["assignments"]}

    page = signed_in(world.volunteer_token(val))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/volunteer$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Val")
    ann_item = page.locator(f"#my-visits > li[data-visit-id='{by_person['Ann']}']")
    bob_item = page.locator(f"#my-visits > li[data-visit-id='{by_person['Bob']}']")
    expect(ann_item).to_contain_text("Proposed to you")
    expect(ann_item).to_contain_text("Tuesday")
    expect(bob_item).to_contain_text("Bob")
    open_item = page.locator(f"#open-visits > li[data-visit-id='{ann_visit.id}']")
    expect(open_item).to_contain_text("Ann")
    expect(open_item).to_contain_text(f"Ward {world.tag}")
    calendar = page.get_by_label("Your calendar link")
    expect(calendar).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/calendar/.+\.ics$"))
    snap(page, "volunteer-week")

    # Accept Ann's proposed visit, decline Bob's.
    ann_item.get_by_role("button", name=re.compile(r"^Accept the visit with Ann")).click()
    expect(page.locator("#week-status")).to_contain_text("You accepted the visit with Ann")
    expect(ann_item).to_contain_text("Accepted")
    bob_item.get_by_role("button", name=re.compile(r"^Decline the visit with Bob")).click()
    expect(page.locator("#week-status")).to_contain_text("You declined the visit with Bob")
    expect(bob_item).to_have_count(0)

    # Claim Ann's second visit: it moves into the week.
    open_item.get_by_role("button", name=re.compile(r"^Claim the visit with Ann")).click()
    expect(open_item.locator(".message")).to_have_text(
        "The visit with Ann is yours. It is in your week above."
    )
    expect(page.locator(f"#my-visits > li[data-visit-id='{ann_visit.id}']")).to_be_visible()

    # Log the accepted visit: not before it has started; leaving out the outcome is explained
    # next to it.
    ann_item.get_by_role("button", name=re.compile(r"^Log the visit with Ann")).click()
    form = ann_item.locator("form")
    form.get_by_label("Done: I visited").check()
    form.get_by_role("button", name="Save").click()
    expect(ann_item).to_contain_text("This visit has not started yet: log it once it has.")
    world.time_passes(by_person["Ann"])
    page.reload()
    ann_item.get_by_role("button", name=re.compile(r"^Log the visit with Ann")).click()
    form = ann_item.locator("form")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".field-error").first).to_have_text("Choose done or missed.")
    form.get_by_label("Done: I visited").check()
    form.get_by_label("Note (optional)").fill("We looked at old photos; she'd like the lunch club.")
    snap(page, "volunteer-log")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#week-status")).to_contain_text("Logged the visit with Ann as done.")
    expect(ann_item).to_contain_text("Done")
    expect(ann_item).to_contain_text("Your note: We looked at old photos")

    this_week = _week_label(next_monday() - timedelta(weeks=1))  # where Ann's visit went
    statuses = {
        e["node"]["id"]: e["node"]
        for w in (week, this_week)
        for e in web_api.data(HOLDERS, {"week": w}, token=coordinator)["visits"]["edges"]
    }
    assert statuses[by_person["Ann"]]["status"] == "done"
    assert statuses[by_person["Bob"]]["status"] == "open"
    assert statuses[ann_visit.id]["volunteers"] == [{"volunteerId": val.id, "status": "accepted"}]


def test_two_volunteers_race_for_one_visit_and_exactly_one_wins(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    _, coordinator = world.user("coordinator")
    later = next_monday() + timedelta(weeks=1)
    dot = world.person("Dot", visit_windows=[Window(day=2, start="10:00", end="12:00")])
    visit = world.visit(dot, week_start=later, day=2, earliest="10:00", latest="12:00")
    kim, lee = world.volunteer("Kim"), world.volunteer("Lee")
    pages = [signed_in(world.volunteer_token(v)) for v in (kim, lee)]
    items = []
    for page in pages:
        page.goto("/volunteer")
        item = page.locator(f"#open-visits > li[data-visit-id='{visit.id}']")
        expect(item).to_contain_text("Dot")
        items.append(item)
    snap(pages[0], "volunteer-open-visits")

    claim = re.compile(r"^Claim the visit with Dot")
    buttons = [item.get_by_role("button", name=claim) for item in items]
    for button in buttons:  # both claims are sent before either answer is shown
        button.click()
    messages = [item.locator(".message") for item in items]
    for message in messages:
        expect(message).to_have_text(re.compile(r"is yours|no longer available"))
    texts = sorted(m.inner_text() for m in messages)
    assert texts == [
        "The visit with Dot is yours. It is in your week above.",
        "This visit is no longer available: Someone else has just taken this visit.",
    ]
    loser = 0 if "no longer" in messages[0].inner_text() else 1
    snap(pages[loser], "volunteer-claim-lost")
    holders = web_api.data(HOLDERS, {"week": _week_label(later)}, token=coordinator)["visits"]
    node = next(e["node"] for e in holders["edges"] if e["node"]["id"] == visit.id)
    winner = (kim, lee)[1 - loser]
    assert [h["volunteerId"] for h in node["volunteers"]] == [winner.id]


CLAIM = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"


def test_volunteer_records_a_check_in_after_a_done_visit(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    cy = world.person("Cy", visit_windows=[Window(day=2, start="10:00", end="12:00")])
    visit = world.visit(cy, day=2, earliest="10:00", latest="12:00")
    wyn = world.volunteer("Wyn")
    email, token = world.user("volunteer", volunteer_id=wyn.id)
    user = get_user_by_email(store=web_api.store, email=email)
    assert user is not None
    assert web_api.data(CLAIM, {"id": visit.id}, token=token)["claimVisit"] == {
        "__typename": "VisitClaimed"
    }
    world.time_passes(visit)  # a visit is logged once it has started

    page = signed_in(token)
    page.goto("/volunteer")
    item = page.locator(f"#my-visits > li[data-visit-id='{visit.id}']")
    item.get_by_role("button", name=re.compile(r"^Log the visit with Cy")).click()
    form = item.locator("form")
    form.get_by_label("Done: I visited").check()
    form.get_by_text("Add a check-in with Cy (optional)").click()
    form.get_by_label("Questions").select_option("DJG6")
    statements = form.locator("fieldset:not(.outcome)")
    expect(statements).to_have_count(6)
    chosen = ["Yes", "More or less", "No", "No", "More or less", "Yes"]
    for statement, answer in zip(statements.all(), chosen, strict=True):
        statement.get_by_label(answer, exact=True).check()
    # An out-of-date page: the API's typed error is shown next to the statement it names, the
    # visit is logged, and the answer can be put right and saved.
    statements.nth(2).get_by_label("No", exact=True).evaluate("radio => { radio.value = '7'; }")
    snap(page, "volunteer-check-in")
    form.get_by_role("button", name="Save").click()
    expect(statements.nth(2).locator(".field-error")).to_have_text(
        "answers[2]: expected 1..3 (yes, more or less, no), got 7"
    )
    expect(item.locator(".message")).to_contain_text("The visit is logged as done.")
    assert _check_ins(web_api, cy.id) == []
    statements.nth(2).get_by_label("More or less").check()
    expect(statements.nth(2).locator(".field-error")).to_be_hidden()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#week-status")).to_have_text(
        "Logged the visit with Cy as done. The check-in is recorded."
    )
    expect(item).to_contain_text("Done")
    # emotional: yes, more or less, more or less -> 3; social: no, more or less, yes -> 2
    assert _check_ins(web_api, cy.id) == [("DJG6", [1, 2, 2, 3, 2, 1], 5, user.id)]


def _check_ins(web_api: Api, person_id: str) -> list[tuple[str, list[int], int, str]]:
    rows = web_api.store.run(
        "MATCH (:Person {id: $id})-[:REPORTED]->(c:CheckIn) "
        "RETURN c.scale AS scale, c.answers AS answers, c.score AS score, c.recorded_by AS by",
        {"id": person_id},
    )
    return [(r["scale"], list(r["answers"]), r["score"], r["by"]) for r in rows]
