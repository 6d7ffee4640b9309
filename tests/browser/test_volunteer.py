"""A volunteer in the browser: the week proposed to them, accept, decline, claim, log; and
two volunteers racing for one open visit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import Window
from tests.browser.conftest import snap
from tests.service.conftest import Api, World, next_monday

pytestmark = pytest.mark.browser

RUN = """
mutation($week: String!) {
  runRota(week: $week, timeLimitSeconds: 5) { id assignments { visitId } }
}
"""
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
    run = web_api.data(RUN, {"week": week}, token=coordinator)["runRota"]
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

    # Log the accepted visit: leaving out the outcome is explained next to it.
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

    statuses = {
        e["node"]["id"]: e["node"]
        for e in web_api.data(HOLDERS, {"week": week}, token=coordinator)["visits"]["edges"]
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
